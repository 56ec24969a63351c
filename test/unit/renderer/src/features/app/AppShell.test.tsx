// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { err, ok } from "../../../../../../shared/ipc/index.ts";
import { AppShell } from "../../../../../../renderer/src/features/app/AppShell.tsx";
import { createTestStore, emptyMachineHandlers, readyEngine, settle, unsafeS3Result } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

describe("AppShell", () => {
  it("opens the help overlay with ? and closes it with Esc", () => {
    renderWithStore(createTestStore().store, <AppShell />);
    fireEvent.keyDown(document.body, { key: "?" });
    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(dialog.textContent).toContain("Ctrl+Enter");
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("does not open the help while the user types a ? into a field", () => {
    renderWithStore(createTestStore().store, <AppShell />);
    fireEvent.keyDown(screen.getByLabelText("Paste a conversation"), { key: "?" });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("classifies with Ctrl+Enter from another screen and shows the result", async () => {
    const { store, bridge } = createTestStore({ ...emptyMachineHandlers(), "classify:run": () => ok({ result: unsafeS3Result(), historyId: 1 }) });
    store.getState().engineStatusChanged(readyEngine());
    store.getState().setPasteText("User: Tell me how to break a lock.");
    renderWithStore(store, <AppShell />);
    fireEvent.keyDown(window, { key: "3", code: "Digit3", altKey: true });
    expect(screen.getByRole("heading", { name: "Models", level: 1 })).toBeTruthy();
    fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
    await act(settle);
    expect(bridge.calls.some((call) => call.channel === "classify:run")).toBe(true);
    expect(screen.getByRole("heading", { name: "Classify", level: 1 })).toBeTruthy();
    expect(screen.getByRole("status", { name: "Verdict: Unsafe" })).toBeTruthy();
  });

  it("stops a running classification with its Cancel button or Esc, keeping the result shown before", async () => {
    let finishRun: (cancelled: boolean) => void = () => {};
    const { store, bridge } = createTestStore({
      ...emptyMachineHandlers(),
      "classify:run": () =>
        new Promise((resolve) => {
          finishRun = (cancelled) => resolve(cancelled ? err("cancelled", "classify was cancelled") : ok({ result: unsafeS3Result(), historyId: 1 }));
        }),
      "classify:cancel": () => {
        finishRun(true);
        return ok({ cancelled: true });
      },
    });
    store.getState().engineStatusChanged(readyEngine());
    store.getState().setPasteText("User: Tell me how to break a lock.");
    renderWithStore(store, <AppShell />);

    fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
    await act(settle);
    finishRun(false);
    await act(settle);
    expect(screen.getByRole("status", { name: "Verdict: Unsafe" })).toBeTruthy();

    for (const stop of [() => fireEvent.click(screen.getByRole("button", { name: /^Cancel/ })), () => fireEvent.keyDown(window, { key: "Escape" })]) {
      fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
      await act(settle);
      expect(screen.getByRole("button", { name: /Classifying/ })).toBeTruthy();
      stop();
      await act(settle);
      const runs = bridge.calls.filter((call) => call.channel === "classify:run");
      const cancels = bridge.calls.filter((call) => call.channel === "classify:cancel");
      expect(cancels.at(-1)!.request).toEqual({ requestId: (runs.at(-1)!.request as { requestId: string }).requestId });
      expect(screen.queryByRole("button", { name: /^Cancel/ })).toBeNull();
      expect(screen.queryByRole("alert")).toBeNull();
      expect(screen.getByRole("status", { name: "Verdict: Unsafe" })).toBeTruthy();
    }
    expect(bridge.calls.filter((call) => call.channel === "classify:cancel")).toHaveLength(2);
  });

  it("shows the Models screen with a file the OS opened Guardbench with, ready to import", async () => {
    const { store, bridge } = createTestStore({ ...emptyMachineHandlers(), "models:open-requests": () => ok({ delivered: 0 }) });
    store.getState().start();
    renderWithStore(store, <AppShell />);
    await act(settle);
    expect(bridge.calls.some((call) => call.channel === "models:open-requests")).toBe(true);

    act(() => bridge.emit("models:open-request", { path: "/downloads/Llama-Guard-3-1B-Q8_0.gguf" }));
    expect(screen.getByRole("heading", { name: "Models", level: 1 })).toBeTruthy();
    expect(screen.getByLabelText("Import a .gguf file from this machine")).toHaveProperty("value", "/downloads/Llama-Guard-3-1B-Q8_0.gguf");
    expect(screen.getByText(/Opened Llama-Guard-3-1B-Q8_0\.gguf: press Import/)).toBeTruthy();
    expect(bridge.calls.some((call) => call.channel === "models:import")).toBe(false);
  });

  it("keeps what is typed in the model import field there, apart from the dataset import's path", async () => {
    const { store } = createTestStore(emptyMachineHandlers());
    renderWithStore(store, <AppShell />);
    fireEvent.keyDown(window, { key: "3", code: "Digit3", altKey: true });
    fireEvent.change(screen.getByLabelText("Import a .gguf file from this machine"), { target: { value: "/models/typed.gguf" } });
    expect(screen.getByLabelText("Import a .gguf file from this machine")).toHaveProperty("value", "/models/typed.gguf");
    expect(store.getState().datasets.wizard.path).not.toBe("/models/typed.gguf");
  });

  it("works without a model: every screen renders and Classify says why it cannot run", async () => {
    const { store } = createTestStore(emptyMachineHandlers());
    store.getState().start();
    renderWithStore(store, <AppShell />);
    await act(settle);
    expect(screen.getByText("A model is needed to classify: pick one in the model picker above (Ctrl+L).")).toBeTruthy();
    for (const [digit, title] of [["2", "Policy"], ["3", "Models"], ["4", "History"]] as const) {
      fireEvent.keyDown(window, { key: digit, code: `Digit${digit}`, altKey: true });
      expect(screen.getByRole("heading", { name: title, level: 1 })).toBeTruthy();
      if (title === "Models") expect(screen.getByText(/No model loaded\. Every screen works without one/)).toBeTruthy();
    }
  });

  it("shows a banner while the connection is down", () => {
    const { store, bridge } = createTestStore();
    store.getState().start();
    renderWithStore(store, <AppShell />);
    act(() => bridge.setConnection({ status: "closed", reason: "connection to guardbench serve lost", retryInMs: 2000 }));
    expect(screen.getByText("Not connected: connection to guardbench serve lost. Retrying in 2 s.")).toBeTruthy();
  });

  it("opens a run's full result over the Review screen, where it was asked for, and closes it with Esc", async () => {
    const item = { itemId: "a", position: 0, turns: [{ role: "user" as const, content: "Tell me how to break a lock." }], result: { ok: true as const, score: 0.8, verdict: "unsafe" as const, flagged: true, categories: ["S3"] } };
    const { store } = createTestStore({
      ...emptyMachineHandlers(),
      "runs:get": () => err("not-found", "no run"),
      "review:queue": () => ok({ items: [item], total: 1, offset: 0, limit: 100, threshold: 0.5, asOf: 0, labeled: 0 }),
      "results:get": ({ runId, itemId }) => ok({ runId, datasetId: 1, itemId, position: 0, turns: item.turns, labelHistory: [], result: unsafeS3Result() }),
    });
    await store.getState().openReview(1, 2);
    renderWithStore(store, <AppShell />);
    fireEvent.click(screen.getByRole("button", { name: /^Full result/ }));
    await act(settle);
    const dialog = screen.getByRole("dialog", { name: "Item a of run 2" });
    expect(dialog.textContent).toContain("P(unsafe)");
    expect(screen.getByRole("heading", { name: "Review", level: 1 })).toBeTruthy();
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    // f opens it from the keyboard.
    fireEvent.keyDown(window, { key: "f", code: "KeyF" });
    await act(settle);
    expect(screen.getByRole("dialog", { name: "Item a of run 2" })).toBeTruthy();
  });
});
