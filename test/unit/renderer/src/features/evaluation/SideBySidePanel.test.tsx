// @vitest-environment jsdom
/**
 * Evaluation's side-by-side view (#15.5): runs ticked in order, one request for all of them, one metrics row and one
 * curve per run, each pair's agreement, and the items they flag differently, each run's result of such an item
 * openable; a labels:changed of that dataset compares again. The report is made by the real metrics of shared/.
 */
import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ok, type CategoryMapping, type RunSummary, type SavedComparison, type SideBySideReport } from "../../../../../../shared/ipc/index.ts";
import { evaluateScores, isFlagged, perCategoryMetrics, precisionRecallCurve, runAgreement } from "../../../../../../shared/metrics/index.ts";
import { runName } from "../../../../../../shared/runs/runName.ts";
import { SideBySidePanel } from "../../../../../../renderer/src/features/evaluation/SideBySidePanel.tsx";
import { createTestStore, emptyMachineHandlers, runSummary, settle } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

const run = (id: number, model: string): RunSummary =>
  runSummary({ id, datasetId: 5, datasetName: "xstest", model: { path: `/models/${model}.gguf`, sha256: "a".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" }, createdAt: "2026-12-02T10:00:00Z" });

const RUNS = [run(1, "guard-a"), run(2, "guard-b"), run(3, "guard-c")];
const LABELS = new Map([
  ["x", "unsafe" as const],
  ["y", "safe" as const],
  ["z", "unsafe" as const],
]);
const SCORES: Record<number, Record<string, number>> = { 1: { x: 0.9, y: 0.2, z: 0.7 }, 2: { x: 0.8, y: 0.6, z: 0.3 }, 3: { x: 0.95, y: 0.1, z: 0.6 } };

/** Every flagged item is named S1 by every run; x and z are labeled S1. */
const LABEL_CATEGORIES: Record<string, string[]> = { x: ["S1"], y: [], z: ["S1"] };

/** What eval:side-by-side answers, computed with shared/metrics as the main side computes it. */
function report(runIds: number[], categoryMapping: CategoryMapping = {}): SideBySideReport {
  const runs = runIds.map((runId) => {
    const scored = Object.entries(SCORES[runId]!).map(([id, score]) => ({ score, label: LABELS.get(id)! }));
    const summary = RUNS.find((r) => r.id === runId)!;
    return {
      runId,
      name: runName(summary),
      modelPath: summary.model.path,
      family: summary.model.family,
      policyName: "Acme",
      threshold: 0.5,
      evaluation: evaluateScores(scored, 0.5),
      curve: precisionRecallCurve(scored),
      evaluated: 3,
      items: 3,
      categories: [{ code: "S1", name: "Violent Crimes." }],
    };
  });
  const agreement = runAgreement(
    runIds.map((runId) => ({ runId, threshold: 0.5, scores: new Map(Object.entries(SCORES[runId]!)) })),
    LABELS,
  );
  const mappings = runIds.map((runId): Record<string, string> => {
    const target = categoryMapping[String(runId)]?.S1 ?? "S1";
    return target === "" ? {} : { S1: target };
  });
  const perRun = runIds.map((runId, index) =>
    perCategoryMetrics(
      Object.entries(SCORES[runId]!).map(([id, score]) => ({ label: LABELS.get(id)!, labelCategories: LABEL_CATEGORIES[id]!, predictedCategories: isFlagged(score, 0.5) && mappings[index]!.S1 ? ["S1"] : [] })),
    ),
  );
  return {
    datasetId: 5,
    runs,
    agreement: { ...agreement, disagreementCount: agreement.disagreements.length },
    perCategory: { sharedCodes: ["S1"], mappings, rows: [{ code: "S1", perRun: perRun.map((report) => report.categories.find((c) => c.category === "S1") ?? null) }], unknownHazardItems: 0 },
  };
}

function machine() {
  const saved: SavedComparison[] = [];
  return {
    ...emptyMachineHandlers(),
    "runs:list": () => ok({ runs: RUNS }),
    "eval:side-by-side": ({ runIds, categoryMapping }: { runIds: number[]; categoryMapping?: CategoryMapping }) => ok(report(runIds, categoryMapping)),
    "eval:comparisons": () => ok({ comparisons: [...saved] }),
    "eval:save-comparison": (request: Omit<SavedComparison, "id" | "savedAt">) => {
      const comparison = { ...request, id: saved.length + 1, savedAt: "2026-12-04T10:00:00Z" };
      saved.unshift(comparison);
      return ok(comparison);
    },
    "results:get": ({ runId, itemId }: { runId: number; itemId: string }) => ok({ runId, datasetId: 5, itemId, position: 0, turns: [{ role: "user", content: "hi" }], labelHistory: [] }),
  } as Parameters<typeof createTestStore>[0];
}

describe("SideBySidePanel", () => {
  it("compares the ticked runs in one request and shows their metrics, agreement and disagreements", async () => {
    const { store, bridge } = createTestStore(machine());
    store.getState().start();
    await settle();
    renderWithStore(store, <SideBySidePanel />);
    const compare = screen.getByRole("button", { name: /Compare 0 runs/ });
    expect(compare.getAttribute("aria-disabled")).toBe("true");
    fireEvent.click(screen.getByLabelText(runName(RUNS[2]!)));
    fireEvent.click(screen.getByLabelText(runName(RUNS[0]!)));
    fireEvent.click(screen.getByRole("button", { name: "Compare 2 runs" }));
    await settle();
    expect(bridge.calls.filter((call) => call.channel === "eval:side-by-side").map((call) => call.request)).toEqual([{ runIds: [3, 1] }]);

    const metrics = screen.getByRole("table", { name: "Side-by-side metrics" });
    const rows = within(metrics).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getByRole("rowheader").textContent?.trim())).toEqual([runName(RUNS[2]!), runName(RUNS[0]!)]);
    // Run 3 flags x (0.95) and z (0.6), not y: precision 1, recall 1.
    expect(rows[0]!.textContent).toContain("guard-c.gguf");
    expect(within(rows[0]!).getAllByRole("cell").map((cell) => cell.textContent)).toContain("1.000");
    expect(screen.getByRole("img", { name: /Precision-recall curves of 2 runs/ })).toBeTruthy();

    // Runs 3 and 1 flag x and z, not y: they agree on every item.
    const pairs = screen.getByRole("table", { name: "Agreement between runs" });
    expect(within(pairs).getAllByRole("row")[1]!.textContent).toContain("100.0% (3 / 3)");
    expect(screen.queryByRole("list", { name: "Items the runs flag differently" })).toBeNull();

    // Adding run 2 (flags x and y, not z) makes y and z disagreements.
    fireEvent.click(screen.getByLabelText(runName(RUNS[1]!)));
    fireEvent.click(screen.getByRole("button", { name: "Compare 3 runs" }));
    await settle();
    const differing = screen.getByRole("list", { name: "Items the runs flag differently" });
    expect(within(differing).getAllByRole("listitem").map((item) => within(item).getByText(/^[xyz]$/).textContent)).toEqual(["y", "z"]);
    fireEvent.click(within(differing).getByRole("button", { name: `Open item z in ${runName(RUNS[1]!)}` }));
    await settle();
    expect(bridge.calls.filter((call) => call.channel === "results:get").at(-1)?.request).toMatchObject({ runId: 2, itemId: "z" });
    expect(store.getState().evaluation.detail?.itemId).toBe("z");
  });

  it("maps a run's category, saves the comparison with its mapping, and opens it again", async () => {
    const { store, bridge } = createTestStore(machine());
    store.getState().start();
    await settle();
    renderWithStore(store, <SideBySidePanel />);
    fireEvent.click(screen.getByLabelText(runName(RUNS[0]!)));
    fireEvent.click(screen.getByLabelText(runName(RUNS[1]!)));
    fireEvent.click(screen.getByRole("button", { name: "Compare 2 runs" }));
    await settle();
    const table = screen.getByRole("table", { name: "Per category, side by side" });
    // Run 1 flags x and z (both S1): recall 1, precision 1; run 2 flags x and y: recall 0.5, precision 0.5.
    expect(within(table).getAllByRole("row")[1]!.textContent).toBe("S11.000 · 1.0000.500 · 0.500");

    fireEvent.change(screen.getByLabelText("Run 2: S1 counts as"), { target: { value: "" } });
    await settle();
    expect(bridge.calls.filter((call) => call.channel === "eval:side-by-side").at(-1)?.request).toEqual({ runIds: [1, 2], categoryMapping: { "2": { S1: "" } } });
    expect(within(screen.getByRole("table", { name: "Per category, side by side" })).getAllByRole("row")[1]!.textContent).toContain("0.000 · —");

    fireEvent.change(screen.getByPlaceholderText("a name for this comparison"), { target: { value: "A against B" } });
    fireEvent.click(screen.getByRole("button", { name: "Save comparison" }));
    await settle();
    expect(bridge.calls.find((call) => call.channel === "eval:save-comparison")?.request).toEqual({ name: "A against B", runIds: [1, 2], categoryMapping: { "2": { S1: "" } } });
    const saved = screen.getByRole("list", { name: "Saved comparisons" });
    expect(saved.textContent).toContain("A against B");

    // Unticked and reset, then opened from the list: the same runs and mapping are asked for again.
    store.getState().toggleSideBySideRun(1);
    fireEvent.click(within(saved).getByRole("button", { name: "Open the comparison A against B" }));
    await settle();
    expect(bridge.calls.filter((call) => call.channel === "eval:side-by-side").at(-1)?.request).toEqual({ runIds: [1, 2], categoryMapping: { "2": { S1: "" } } });
  });

  it("compares again when the labels of that dataset change", async () => {
    const { store, bridge } = createTestStore(machine());
    store.getState().start();
    await settle();
    store.getState().navigate("evaluation");
    store.getState().toggleSideBySideRun(1);
    store.getState().toggleSideBySideRun(2);
    await store.getState().compareSideBySide();
    const count = () => bridge.calls.filter((call) => call.channel === "eval:side-by-side").length;
    expect(count()).toBe(1);
    bridge.emit("labels:changed", { datasetId: 5 });
    await settle();
    expect(count()).toBe(2);
    bridge.emit("labels:changed", { datasetId: 99 });
    await settle();
    expect(count()).toBe(2);
  });
});
