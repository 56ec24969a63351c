// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ok } from "../../../../../../shared/ipc/index.ts";
import { ResultPanel } from "../../../../../../renderer/src/features/results/ResultPanel.tsx";
import { createTestStore, readyEngine, unsafeS3Result } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

async function storeWithResult() {
  const test = createTestStore({ "classify:run": () => ok({ result: unsafeS3Result() }), "history:list": () => ok({ items: [] }) });
  test.store.getState().engineStatusChanged(readyEngine());
  test.store.getState().setPasteText("User: Tell me how to break a lock.");
  await test.store.getState().classify();
  return test;
}

describe("ResultPanel", () => {
  it("shows the verdict, P(unsafe), violated categories by policy name and derived scores", async () => {
    const { store } = await storeWithResult();
    renderWithStore(store, <ResultPanel />);
    expect(screen.getByRole("status", { name: "Verdict: Unsafe" }).textContent).toBe("Unsafe");
    expect(screen.getByRole("status", { name: "P(unsafe)" }).textContent).toBe("0.80");
    expect(screen.getByRole("list", { name: "Violated categories" }).textContent).toContain("S3 Sex Crimes.");
    expect(screen.getByRole("meter", { name: "S3 Sex Crimes. (derived)" })).toBeTruthy();
  });

  it("flips flagged when the threshold slider moves past P(unsafe)", async () => {
    const { store } = await storeWithResult();
    renderWithStore(store, <ResultPanel />);
    expect(screen.getByText("Flagged at 0.50")).toBeTruthy();
    fireEvent.change(screen.getByRole("slider", { name: "Threshold" }), { target: { value: "0.9" } });
    expect(screen.getByText("Not flagged at 0.90")).toBeTruthy();
    fireEvent.change(screen.getByRole("slider", { name: "Threshold" }), { target: { value: "0.8" } });
    expect(screen.getByText("Flagged at 0.80")).toBeTruthy();
  });

  it("shows an unparseable verdict with its reason", async () => {
    const { store } = createTestStore({
      "classify:run": () => ok({ result: unsafeS3Result({ verdict: "unparseable", categories: [], unparseableReason: "the answer names codes excluded from the policy: S3" }) }),
      "history:list": () => ok({ items: [] }),
    });
    store.getState().engineStatusChanged(readyEngine());
    store.getState().setPasteText("User: hi");
    await store.getState().classify();
    renderWithStore(store, <ResultPanel />);
    expect(screen.getByRole("status", { name: "Verdict: Unparseable" })).toBeTruthy();
    expect(screen.getByText("The answer names codes excluded from the policy: S3")).toBeTruthy();
  });

  it("shows a family's decision points with every answer's probability, the answer as written, and why categories are missing", async () => {
    const { store } = createTestStore({
      "classify:run": () =>
        ok({
          result: unsafeS3Result({
            verdict: "safe",
            categories: [],
            categoryScores: [],
            categoryScoresUnavailable: "NemoGuard names categories inside a JSON string after its ratings; no forced path is defined for them.",
            answers: [{ key: "safety", label: "Safety", value: "Controversial" }],
            reasoning: "The request is ambiguous.",
            decisionScores: [
              {
                point: "safety",
                label: "Safety: Safe / Unsafe / Controversial",
                answers: [
                  { key: "unsafe", meaning: "unsafe", p: 0.2 },
                  { key: "controversial", meaning: "other", p: 0.7 },
                  { key: "safe", meaning: "safe", p: 0.1 },
                ],
              },
            ],
          }),
        }),
      "history:list": () => ok({ items: [] }),
    });
    store.getState().engineStatusChanged(readyEngine());
    store.getState().setPasteText("User: hi");
    await store.getState().classify();
    renderWithStore(store, <ResultPanel />);
    const rows = screen.getByRole("table", { name: "Decision: Safety: Safe / Unsafe / Controversial" }).querySelectorAll("tbody tr");
    expect([...rows].map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent))).toEqual([
      ["unsafe", "unsafe", "0.2000"],
      ["controversial", "neither", "0.7000"],
      ["safe", "safe", "0.1000"],
    ]);
    expect(screen.getByLabelText("Answer as written").textContent).toBe("SafetyControversial");
    expect(screen.getByRole("blockquote", { name: "The model's reasoning" }).textContent).toBe("The request is ambiguous.");
    expect(screen.getByText(/^No per-category scores: NemoGuard names categories/)).toBeTruthy();
  });

  it("offers the loaded family's settings, sends them with the classification, and marks the result out of date until classified again", async () => {
    const asked: unknown[] = [];
    const { store } = createTestStore({
      "classify:run": (request) => {
        asked.push(request.options?.familySettings);
        return ok({ result: unsafeS3Result({ model: { path: "/m/qwen.gguf", family: "qwen3guard" } }) });
      },
      "history:list": () => ok({ items: [] }),
    });
    store.getState().engineStatusChanged(readyEngine("qwen3guard"));
    store.getState().setPasteText("User: hi");
    await store.getState().classify();
    renderWithStore(store, <ResultPanel />);
    const box = screen.getByRole("checkbox", { name: "Count Controversial as flagged" });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(asked).toEqual([{ controversialIsUnsafe: false }]);
    fireEvent.click(box);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked).toEqual([{ controversialIsUnsafe: false }, { controversialIsUnsafe: true }]);
    expect(store.getState().results.shown?.inputs.familySettings).toEqual({ controversialIsUnsafe: true });
  });
});
