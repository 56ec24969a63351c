// @vitest-environment jsdom
/** A dataset row's Run button preselects that dataset; Review and Evaluation keep their selection across a reload. */
import { cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { err, ok, type DatasetSummary, type ReviewItem, type RunSummary } from "../../../../../../shared/ipc/index.ts";
import { DatasetsScreen } from "../../../../../../renderer/src/features/datasets/DatasetsScreen.tsx";
import { RunsScreen } from "../../../../../../renderer/src/features/runs/RunsScreen.tsx";
import type { SelectionStorage } from "../../../../../../renderer/src/features/app/rememberedSelection.ts";
import { createTestStore, emptyMachineHandlers, runSummary, settle } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

const dataset = (id: number, name: string): DatasetSummary => ({ id, name, sourcePath: `/data/${name}.jsonl`, format: "jsonl", importedAt: "2026-01-01T00:00:00Z", items: 300, badRows: 0, labels: { safe: 0, unsafe: 0, unlabeled: 300, reviewed: 0 } });
const run = (id: number, datasetId: number): RunSummary => runSummary({ id, datasetId, datasetName: "older", counts: { items: 300, scored: 300, failed: 0, pending: 0 } });
const DATASETS = [dataset(7, "newest"), dataset(5, "older")];
const RUNS = [run(3, 5)];

function machine() {
  const items: ReviewItem[] = Array.from({ length: 300 }, (_, index) => ({ itemId: `i${index}`, position: index, turns: [{ role: "user", content: `q${index}` }] }));
  return {
    ...emptyMachineHandlers(),
    "datasets:list": () => ok({ datasets: DATASETS, demos: [], failedImports: [] }),
    "runs:list": () => ok({ runs: RUNS }),
    "runs:get": () => err("not-found", "not needed here"),
    "review:queue": ({ offset = 0, limit = 50 }) => ok({ items: items.slice(offset, offset + limit), total: items.length, offset, limit, asOf: 0, labeled: 0 }),
    "eval:metrics": () => err("not-needed", "metrics are not part of this test"),
  } satisfies Parameters<typeof createTestStore>[0];
}

function memoryStorage(): SelectionStorage & { data: Map<string, string>; getItem(key: string): string | null } {
  const data = new Map<string, string>();
  return { data, getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value), removeItem: (key: string) => void data.delete(key) };
}

describe("the Run button of a dataset row", () => {
  it("opens the Runs screen with that dataset chosen, not the newest", async () => {
    const { store } = createTestStore(machine());
    store.getState().start();
    await settle();
    renderWithStore(store, <DatasetsScreen />);
    fireEvent.click(screen.getByRole("button", { name: "Run a policy on older" }));
    expect(store.getState().app.screen).toBe("runs");
    cleanup();
    renderWithStore(store, <RunsScreen />);
    expect((screen.getByLabelText("Dataset") as HTMLSelectElement).value).toBe("5");
  });
});

describe("selections across a reload", () => {
  it("restores Review's dataset, run, filters and item, and Evaluation's run, in a new page with the same storage", async () => {
    const storage = memoryStorage();
    const first = createTestStore(machine(), storage).store;
    first.getState().start();
    await settle();
    await first.getState().openReview(5, 3);
    await first.getState().setReviewFilter({ unlabeled: true });
    first.getState().selectReviewItem(212);
    await first.getState().selectEvaluationRun(3);
    await settle();
    expect(JSON.parse(storage.data.get("guardbench.selection.v1")!)).toEqual({
      review: { datasetId: 5, runId: 3, filter: { disagreements: false, uncertain: false, unlabeled: true }, index: 212 },
      evaluation: { runId: 3 },
    });

    // The reload: a new store on the same storage, which stays on the screen it starts on.
    const { store, bridge } = createTestStore(machine(), storage);
    store.getState().start();
    await settle();
    await settle();
    const { review } = store.getState();
    expect(review).toMatchObject({ datasetId: 5, runId: 3, filter: { unlabeled: true }, index: 212 });
    expect(store.getState().evaluation.runId).toBe(3);
    expect(store.getState().app.screen).toBe("classify");
    expect(bridge.calls.find((call) => call.channel === "review:queue")?.request).toMatchObject({ datasetId: 5, runId: 3, filter: { unlabeled: true }, offset: 200 });
  });

  it("restores nothing that no longer exists, and never overrides a choice made before the lists arrived", async () => {
    const storage = memoryStorage();
    storage.setItem("guardbench.selection.v1", JSON.stringify({ review: { datasetId: 99, filter: { disagreements: false, uncertain: false, unlabeled: false }, index: 0 }, evaluation: { runId: 42 } }));
    const { store } = createTestStore(machine(), storage);
    store.getState().start();
    await settle();
    expect(store.getState().review.datasetId).toBeUndefined();
    expect(store.getState().evaluation.runId).toBeUndefined();
    storage.setItem("guardbench.selection.v1", "not json");
    const again = createTestStore(machine(), storage).store;
    again.getState().start();
    await settle();
    expect(again.getState().review.datasetId).toBeUndefined();
  });
});
