// @vitest-environment jsdom
/**
 * The renderer's side of the evaluation loop (#13.2, #13.4, #13.9): a labels:changed event makes Evaluation read the
 * metrics again without re-selecting the run; two runs that differ only by policy version read differently in the
 * picker; a run is renamed in place; Delete asks first, and Cancel keeps the run; category names that differ between
 * the dataset and the policy are warned about (#13.11).
 */
import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ok, type RunMetrics, type RunSummary } from "../../../../../shared/ipc/index.ts";
import { EvaluationScreen } from "../../../../../renderer/src/features/evaluation/EvaluationScreen.tsx";
import { RunsScreen } from "../../../../../renderer/src/features/runs/RunsScreen.tsx";
import { createTestStore, emptyMachineHandlers, settle } from "../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../support/renderer/render.tsx";

afterEach(cleanup);

const run = (id: number, policyVersion: number, name?: string): RunSummary => ({
  id,
  datasetId: 5,
  datasetName: "xstest",
  model: { path: "/models/Llama-Guard-3-1B-Q8_0.gguf", sha256: "a".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" },
  policyName: "Acme",
  policyVersion,
  settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1 },
  state: "done",
  counts: { items: 10, scored: 10, failed: 0, pending: 0 },
  origin: "app",
  createdAt: "2026-12-02T10:00:00Z",
  ...(name ? { name } : {}),
});

function metrics(tp: number): RunMetrics {
  const counts = { tp, fp: 8 - tp, tn: 1, fn: 1, total: 10 };
  return {
    runId: 1,
    datasetId: 5,
    threshold: 0.5,
    evaluation: { counts, precision: tp / 8, recall: tp / (tp + 1), f1: 0.5, fpr: 0.5, auprc: 0.5, nullReasons: {} },
    curve: { points: [], positives: tp + 1, negatives: 9 - tp },
    histogram: [],
    perCategory: { categories: [], unknownHazardItems: 0 },
    categoryNames: { categories: [], mismatches: [] },
    coverage: { items: 10, evaluated: 10, unlabeled: 0, failed: 0, unscored: 0 },
  } as unknown as RunMetrics;
}

function machine(state: { runs: RunSummary[]; tp: number }) {
  return {
    ...emptyMachineHandlers(),
    "runs:list": () => ok({ runs: state.runs }),
    "eval:metrics": () => ok(metrics(state.tp)),
    "runs:update": ({ runId, name }: { runId: number; name?: string }) => {
      state.runs = state.runs.map((r) => (r.id === runId ? { ...r, ...(name ? { name } : {}) } : r));
      return ok(state.runs.find((r) => r.id === runId)!);
    },
    "runs:delete": ({ runId }: { runId: number }) => {
      state.runs = state.runs.filter((r) => r.id !== runId);
      return ok({ runId, results: 10 });
    },
  } as Parameters<typeof createTestStore>[0];
}

describe("Evaluation after labels:changed", () => {
  it("shows the new counts without re-selecting the run", async () => {
    const state = { runs: [run(1, 1)], tp: 8 };
    const { store, bridge } = createTestStore(machine(state));
    store.getState().start();
    await settle();
    await store.getState().openEvaluation(1);
    renderWithStore(store, <EvaluationScreen />);
    expect(screen.getByText(/tp 8/)).toBeTruthy();
    state.tp = 7;
    bridge.emit("labels:changed", { datasetId: 5 });
    await settle();
    expect(screen.getByText(/tp 7/)).toBeTruthy();
    // Another dataset's labels leave these metrics alone.
    const before = bridge.calls.filter((call) => call.channel === "eval:metrics").length;
    bridge.emit("labels:changed", { datasetId: 99 });
    await settle();
    expect(bridge.calls.filter((call) => call.channel === "eval:metrics").length).toBe(before);
  });

  it("reads the metrics once the screen opens when the labels changed while another screen was shown", async () => {
    const state = { runs: [run(1, 1)], tp: 8 };
    const { store, bridge } = createTestStore(machine(state));
    store.getState().start();
    await settle();
    await store.getState().openEvaluation(1);
    store.getState().navigate("review");
    const asked = () => bridge.calls.filter((call) => call.channel === "eval:metrics").length;
    const before = asked();
    state.tp = 6;
    bridge.emit("labels:changed", { datasetId: 5 });
    bridge.emit("labels:changed", { datasetId: 5 });
    await settle();
    expect(asked()).toBe(before);
    store.getState().navigate("evaluation");
    renderWithStore(store, <EvaluationScreen />);
    await settle();
    expect(asked()).toBe(before + 1);
    expect(screen.getByText(/tp 6/)).toBeTruthy();
  });

  it("warns, with both names, when the dataset and the run's policy name a code differently (#13.11), and not otherwise", async () => {
    const state = { runs: [run(1, 1)], tp: 8 };
    const mismatch = { code: "S14", datasetName: "Code Interpreter Abuse", policyName: "Harassment" };
    let mismatches: (typeof mismatch)[] = [mismatch];
    const { store, bridge } = createTestStore({
      ...machine(state),
      "eval:metrics": () => ok({ ...metrics(state.tp), categoryNames: { categories: [], mismatches } } as RunMetrics),
    } as Parameters<typeof createTestStore>[0]);
    store.getState().start();
    await settle();
    await store.getState().openEvaluation(1);
    renderWithStore(store, <EvaluationScreen />);
    const warning = screen.getByRole("alert", { name: "Category names differ" });
    expect(warning.textContent).toContain("S14: “Code Interpreter Abuse” in the dataset, “Harassment” in the policy");
    mismatches = [];
    bridge.emit("labels:changed", { datasetId: 5 });
    await settle();
    expect(screen.queryByRole("alert", { name: "Category names differ" })).toBeNull();
  });

  it("names two runs that differ only by policy version apart in the picker", async () => {
    const { store } = createTestStore(machine({ runs: [run(2, 2), run(1, 1)], tp: 8 }));
    store.getState().start();
    await settle();
    renderWithStore(store, <EvaluationScreen />);
    const options = within(screen.getByLabelText("Run")).getAllByRole("option").map((option) => option.textContent);
    expect(options.find((text) => text?.startsWith("Run 1"))).toContain("Acme v1");
    expect(options.find((text) => text?.startsWith("Run 2"))).toContain("Acme v2");
  });
});

describe("the Runs screen", () => {
  it("renames a run in place (Enter saves) and asks before deleting one (Cancel keeps it)", async () => {
    const state = { runs: [run(1, 1)], tp: 8 };
    const { store, bridge } = createTestStore(machine(state));
    store.getState().start();
    await settle();
    renderWithStore(store, <RunsScreen />);
    fireEvent.click(screen.getByRole("button", { name: "Rename run 1" }));
    const field = screen.getByLabelText("Name of run 1");
    fireEvent.change(field, { target: { value: "Baseline" } });
    fireEvent.keyDown(field, { key: "Enter" });
    await settle();
    expect(screen.getByText("Run 1 · Baseline")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Delete run 1" }));
    const dialog = screen.getByRole("dialog", { name: "Delete run 1?" });
    expect(dialog.textContent).toContain("the dataset xstest and its labels stay");
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(bridge.calls.some((call) => call.channel === "runs:delete")).toBe(false);

    fireEvent.click(screen.getByRole("button", { name: "Delete run 1" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete run" }));
    await settle();
    expect(bridge.calls.filter((call) => call.channel === "runs:delete")).toEqual([{ channel: "runs:delete", request: { runId: 1 } }]);
    expect(screen.queryByText("Run 1 · Baseline")).toBeNull();
  });
});

describe("Review's threshold", () => {
  it("asks the queue for flags, disagreements and uncertain items at the threshold chosen, or the run's", async () => {
    const queued: unknown[] = [];
    const { store } = createTestStore({
      ...machine({ runs: [run(1, 1)], tp: 8 }),
      "review:queue": (request: { filter?: unknown; offset?: number; limit?: number }) => {
        queued.push(request.filter);
        return ok({ items: [], total: 0, offset: request.offset ?? 0, limit: request.limit ?? 50, asOf: 0, labeled: 0, threshold: 0.5 });
      },
    } as Parameters<typeof createTestStore>[0]);
    store.getState().start();
    await settle();
    await store.getState().openReview(5, 1, { navigate: false });
    await store.getState().setReviewFilter({ uncertain: true, threshold: 0.9 });
    await settle();
    expect(queued.at(-1)).toMatchObject({ uncertainMargin: expect.any(Number), threshold: 0.9 });
    await store.getState().setReviewFilter({ threshold: undefined });
    await settle();
    expect(queued.at(-1)).not.toHaveProperty("threshold");
  });
});
