// @vitest-environment jsdom
/**
 * How the page hands the main side a file (features/files): in a browser an upload or a typed path that the user then
 * confirms — nothing is sent before they do — and in the desktop app the native dialog only. Checked on the store and
 * on the Datasets and Models screens against the fake bridge.
 */
import { act, cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { err, ok, type DatasetPreviewInfo } from "../../../../../../shared/ipc/index.ts";
import { createFakeBridge, type FakeHandlers } from "../../../../../../renderer/src/bridge/index.ts";
import { DatasetsScreen } from "../../../../../../renderer/src/features/datasets/DatasetsScreen.tsx";
import { datasetsSelectors } from "../../../../../../renderer/src/features/datasets/selectors.ts";
import { InstalledPanel } from "../../../../../../renderer/src/features/models/InstalledPanel.tsx";
import { createAppStore } from "../../../../../../renderer/src/store/index.ts";
import { createTestStore } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

const preview: DatasetPreviewInfo = {
  format: "jsonl",
  columns: ["id", "messages"],
  rows: [{ id: "a", messages: [] }],
  badRows: [],
  detection: { mapping: {}, candidates: { prompt: [], response: [], label: [], categories: [], id: [] }, isRecordFormat: true },
  partial: false,
};

const datasetHandlers: FakeHandlers = {
  "datasets:list": () => ok({ datasets: [], demos: [], failedImports: [] }),
  "datasets:preview": () => ok(preview),
  "files:allow": ({ path }) => ok({ path, name: path.split("/").at(-1)!, sizeBytes: 10, uploaded: false }),
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(cleanup);

describe("in a browser", () => {
  it("a typed path is read only after the user confirms it", async () => {
    const { store, bridge } = createTestStore(datasetHandlers);
    renderWithStore(store, <DatasetsScreen />);
    fireEvent.change(screen.getByLabelText("Path to a JSON Lines, JSON or CSV file on this machine"), { target: { value: "/data/chats.jsonl" } });
    fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    const confirm = screen.getByRole("group", { name: "Confirm the file" });
    expect(confirm.textContent).toContain("Guardbench will read this file on this machine: /data/chats.jsonl");
    expect(bridge.calls.map((call) => call.channel)).toEqual([]);
    // Esc backs out without a call; so does editing the path.
    fireEvent.keyDown(screen.getByRole("button", { name: "Read this file" }), { key: "Escape" });
    expect(screen.queryByRole("group", { name: "Confirm the file" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Read this file" }));

    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Read this file" })));
    await act(settle);
    expect(bridge.calls).toEqual([
      { channel: "files:allow", request: { path: "/data/chats.jsonl", purpose: "dataset" } },
      { channel: "datasets:preview", request: { path: "/data/chats.jsonl", rows: 10 } },
    ]);
    expect(screen.getByRole("region", { name: "Column mapping" })).toBeTruthy();
    expect(datasetsSelectors.wizard(store.getState())).toMatchObject({ step: "mapping", name: "chats", file: { path: "/data/chats.jsonl" } });
  });

  it("a refused path says why, and nothing is previewed", async () => {
    const { store, bridge } = createTestStore({
      ...datasetHandlers,
      "files:allow": () => err("guardbench-file", "/home/me/.guardbench/hf-token is one of Guardbench's own files", "Choose another file."),
    });
    store.getState().setImportPath("/home/me/.guardbench/hf-token");
    await store.getState().previewDataset();
    await store.getState().confirmImportPath();
    expect(bridge.calls.map((call) => call.channel)).toEqual(["files:allow"]);
    expect(datasetsSelectors.wizard(store.getState())).toMatchObject({ step: "path", error: { code: "guardbench-file" } });
  });

  it("an upload sends the file's bytes in order, then previews the stored copy", async () => {
    const received: Uint8Array[] = [];
    const { store, bridge } = createTestStore({
      ...datasetHandlers,
      "files:upload-begin": () => ok({ uploadId: "up-1" }),
      "files:upload-chunk": ({ offset, data }) => {
        const chunk = fromBase64(data);
        received.push(chunk);
        return ok({ received: offset + chunk.length });
      },
      "files:upload-finish": () => ok({ path: "/home/me/.guardbench/uploads/1-x/up-1/chats.jsonl", name: "chats.jsonl", sizeBytes: 3_000_000, uploaded: true }),
    });
    // Two bytes per character, so chunk borders fall inside characters; every byte value appears.
    const bytes = new TextEncoder().encode("é".repeat(1_400_000) + String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i)));
    await store.getState().uploadImportFile(new File([bytes], "chats.jsonl"));
    const sent = concat(received);
    expect(sent.length).toBe(bytes.length);
    expect(sent.findIndex((byte, i) => byte !== bytes[i])).toBe(-1);
    const channels = bridge.calls.map((call) => call.channel);
    expect(bridge.calls[0]).toEqual({ channel: "files:upload-begin", request: { name: "chats.jsonl", sizeBytes: bytes.length, purpose: "dataset" } });
    expect(channels.filter((channel) => channel === "files:upload-chunk")).toHaveLength(3);
    expect(channels.slice(-2)).toEqual(["files:upload-finish", "datasets:preview"]);
    expect(datasetsSelectors.wizard(store.getState())).toMatchObject({ step: "mapping", name: "chats", file: { uploaded: true } });
  });

  it("a model path is confirmed, allowed for import, and imported under the name it was typed with", async () => {
    const { store, bridge } = createTestStore({
      "files:allow": ({ path }) => ok({ path: "/blobs/sha256-abc", name: path.split("/").at(-1)!, sizeBytes: 10, uploaded: false }),
      "models:import": () => err("not-gguf", "not a model"),
    });
    renderWithStore(store, <InstalledPanel />);
    fireEvent.change(screen.getByLabelText("Import a .gguf file from this machine"), { target: { value: "/hf/snapshots/main/guard.gguf" } });
    fireEvent.click(screen.getByRole("button", { name: "Import" }));
    expect(bridge.calls).toEqual([]);
    expect(screen.getByRole("group", { name: "Confirm the file" }).textContent).toContain("copy this file into its model library");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Import this file" })));
    expect(bridge.calls).toEqual([
      { channel: "files:allow", request: { path: "/hf/snapshots/main/guard.gguf", purpose: "model" } },
      { channel: "models:import", request: { path: "/hf/snapshots/main/guard.gguf" } },
    ]);
    expect(screen.getByText("not a model")).toBeTruthy();
  });

  it("an export path is confirmed before anything is written", async () => {
    const { store, bridge } = createTestStore({
      "files:allow": ({ path }) => ok({ path, name: "out.csv", uploaded: false }),
      "datasets:export": ({ path }) => ok({ path, rows: 3, bytesWritten: 30 }),
    });
    expect(await store.getState().allowExportPath("/tmp/out.csv")).toBe("/tmp/out.csv");
    expect(await store.getState().exportDataset({ datasetId: 1, path: "/tmp/out.csv", format: "csv" })).toBe(true);
    expect(bridge.calls.map((call) => call.channel)).toEqual(["files:allow", "datasets:export"]);
  });
});

describe("in the desktop app", () => {
  function desktopStore(handlers: FakeHandlers) {
    const fake = createFakeBridge(handlers);
    const bridge = Object.assign(fake, { transport: "electron" as const });
    const store = createAppStore(bridge, { writeClipboard: async () => {}, saveTextFile: () => {}, saveBlob: () => {} });
    return { store, bridge };
  }

  it("datasets come from the native dialog only; a cancelled dialog does nothing", async () => {
    let picked: string | undefined = undefined;
    const { store, bridge } = desktopStore({
      ...datasetHandlers,
      "files:pick": () => ok(picked ? { file: { path: picked, name: "picked.csv", sizeBytes: 5, uploaded: false } } : {}),
    });
    renderWithStore(store, <DatasetsScreen />);
    expect(screen.queryByLabelText("Path to a JSON Lines, JSON or CSV file on this machine")).toBeNull();
    expect(screen.queryByLabelText("Upload a dataset file")).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Choose a file…" })));
    expect(bridge.calls.map((call) => call.channel)).toEqual(["files:pick"]);
    picked = "/data/picked.csv";
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Choose a file…" })));
    await act(settle);
    expect(bridge.calls.slice(1)).toEqual([
      { channel: "files:pick", request: { purpose: "dataset" } },
      { channel: "datasets:preview", request: { path: "/data/picked.csv", rows: 10 } },
    ]);
  });

  it("models come from the dialog, or from the file the OS opened Guardbench with", async () => {
    const { store, bridge } = desktopStore({
      "files:pick": () => ok({ file: { path: "/models/guard.gguf", name: "guard.gguf", sizeBytes: 5, uploaded: false } }),
      "models:import": () => err("not-gguf", "not a model"),
    });
    renderWithStore(store, <InstalledPanel />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Choose a .gguf file…" })));
    expect(bridge.calls.at(-1)).toEqual({ channel: "models:import", request: { path: "/models/guard.gguf" } });
    act(() => store.getState().offerModelFile("/downloads/opened.gguf"));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Import" })));
    expect(bridge.calls.at(-1)).toEqual({ channel: "models:import", request: { path: "/downloads/opened.gguf" } });
    expect(bridge.calls.some((call) => call.channel === "files:allow")).toBe(false);
  });
});

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}
