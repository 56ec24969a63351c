// @vitest-environment jsdom
/** The Runs screen with a family that has settings (Qwen3Guard): the start form offers them, each run shows its own. */
import { act, cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ok, type DatasetSummary, type RunSummary } from "../../../../../../shared/ipc/index.ts";
import type { PromptFamily } from "../../../../../../shared/taxonomy/index.ts";
import { RunsScreen } from "../../../../../../renderer/src/features/runs/RunsScreen.tsx";
import { createTestStore, emptyMachineHandlers, readyEngine, runSummary, settle } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

const LABEL = "Count Controversial as flagged";

function dataset(): DatasetSummary {
  return { id: 1, name: "toxic-chat", sourcePath: "/data/toxic.jsonl", format: "jsonl", importedAt: "2026-01-01T00:00:00Z", items: 100, badRows: 0, labels: { safe: 50, unsafe: 50, unlabeled: 0, reviewed: 0 } } as DatasetSummary;
}

function qwenRun(id: number, familySettings?: Record<string, boolean>): RunSummary {
  return runSummary({
    id,
    datasetId: 1,
    datasetName: "toxic-chat",
    model: { path: "/models/qwen3guard.gguf", sha256: "abc", sizeBytes: 1, family: "qwen3guard" },
    policyName: "preset",
    settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1, ...(familySettings ? { familySettings } : {}) },
    state: "done",
    counts: { items: 100, scored: 100, failed: 0, pending: 0 },
  });
}

async function screenWith(family: PromptFamily, runs: RunSummary[] = []) {
  const test = createTestStore({
    ...emptyMachineHandlers(),
    "endpoints:list": () => ok({ endpoints: [] }),
    "engine:status": () => ok(readyEngine(family)),
    "datasets:list": () => ok({ datasets: [dataset()], demos: [], failedImports: [] }),
    "runs:list": () => ok({ runs }),
    "runs:start": () => ok({ jobId: "job-9", runId: 9 }),
  });
  test.store.getState().start();
  await settle();
  renderWithStore(test.store, <RunsScreen />);
  return test;
}

const startRequests = (bridge: Awaited<ReturnType<typeof screenWith>>["bridge"]) => bridge.calls.filter((call) => call.channel === "runs:start").map((call) => call.request);

describe("Runs screen: family settings", () => {
  it("offers the loaded family's settings at their defaults and starts the run with every one of them", async () => {
    const { bridge } = await screenWith("qwen3guard");
    const form = screen.getByRole("group", { name: "Qwen3Guard-Gen settings" });
    const box = within(form).getByRole("checkbox", { name: LABEL }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await act(settle);
    fireEvent.click(box);
    expect(box.checked).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await act(settle);
    expect(startRequests(bridge)).toEqual([
      { datasetId: 1, settings: { threshold: 0.5, familySettings: { controversialIsUnsafe: false } } },
      { datasetId: 1, settings: { threshold: 0.5, familySettings: { controversialIsUnsafe: true } } },
    ]);
  });

  it("offers nothing for a family without settings, and sends none", async () => {
    const { bridge } = await screenWith("llama-guard-3-1b");
    expect(screen.queryByRole("checkbox", { name: LABEL })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await act(settle);
    expect(startRequests(bridge)).toEqual([{ datasetId: 1, settings: { threshold: 0.5 } }]);
  });

  it("shows each run's settings, an old run without them at the family's defaults", async () => {
    await screenWith("qwen3guard", [qwenRun(3, { controversialIsUnsafe: true }), qwenRun(2)]);
    const table = screen.getByRole("table", { name: "Run list" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).queryByText(new RegExp(`^${LABEL}: `))?.textContent)).toEqual([`${LABEL}: on`, `${LABEL}: off`]);
  });
});
