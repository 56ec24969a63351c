// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { err, ok, type LabelEvent, type ReviewItem, type ReviewPage } from "../../../../../shared/ipc/index.ts";
import { precisionRecallCurve } from "../../../../../shared/metrics/index.ts";
import { CHART_FRAME, histogramRects, nearestPoint, pointForThreshold, prPath, prPoints, xOf, yOf } from "../../../../../renderer/src/components/chartGeometry.ts";
import { datasetsSelectors } from "../../../../../renderer/src/features/datasets/selectors.ts";
import { handleReviewKey, type ReviewKeyActions } from "../../../../../renderer/src/features/review/keys.ts";
import { reviewSelectors, shownLabel } from "../../../../../renderer/src/features/review/selectors.ts";
import { reviewItemAt } from "../../../../../renderer/src/features/review/slice.ts";
import { createTestStore, settle } from "../../../../support/renderer/helpers.ts";

const items: ReviewItem[] = [
  { itemId: "a", position: 0, turns: [{ role: "user", content: "first" }], result: { ok: true, score: 0.9, verdict: "unsafe", flagged: true, categories: ["S1"] }, disagreement: true, label: { label: "safe", categories: [], source: "import" } },
  { itemId: "b", position: 1, turns: [{ role: "user", content: "second" }], result: { ok: true, score: 0.2, verdict: "safe", flagged: false, categories: [] } },
  { itemId: "c", position: 2, turns: [{ role: "user", content: "third" }] },
];
const page: ReviewPage = { items, total: 3, offset: 0, limit: 100, threshold: 0.5, asOf: 0, labeled: 1 };

function labelEvent(itemId: string, label: "safe" | "unsafe", categories: string[] = []): LabelEvent {
  return { eventId: 7, datasetId: 1, itemId, label, categories, who: "tester", at: "2026-01-01T00:00:00Z", undone: false };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function reviewStore(extra: Parameters<typeof createTestStore>[0] = {}) {
  const test = createTestStore({ "review:queue": () => ok(page), ...extra });
  await test.store.getState().openReview(1);
  return test;
}

describe("review slice", () => {
  it("shows a label as saving until review:label answers, then as saved, and moves on at once", async () => {
    const answer = deferred<ReturnType<typeof ok<LabelEvent>>>();
    const { store, bridge } = await reviewStore({ "review:label": () => answer.promise });
    store.getState().toggleReviewCategory("S3");
    const labelling = store.getState().labelCurrent("unsafe");
    const state = () => store.getState();
    expect(reviewSelectors.index(state())).toBe(1);
    expect(shownLabel(items[0]!, state().review.pending.a)).toMatchObject({ state: "saving", label: "unsafe", categories: ["S3"] });
    expect(bridge.calls.at(-1)).toMatchObject({ channel: "review:label", request: { datasetId: 1, itemId: "a", label: "unsafe", categories: ["S3"], session: state().review.session } });

    answer.resolve(ok(labelEvent("a", "unsafe", ["S3"])));
    await labelling;
    const saved = reviewItemAt(state().review, 0)!;
    expect(shownLabel(saved, state().review.pending.a)).toMatchObject({ state: "saved", label: "unsafe", source: "review" });
    expect(saved.disagreement).toBe(false);
  });

  it("keeps a label that failed to save on screen, with the error", async () => {
    const { store } = await reviewStore({ "review:label": () => err("db-locked", "the database is busy", "Try again.") });
    await store.getState().labelCurrent("safe");
    const pending = store.getState().review.pending.a;
    expect(shownLabel(items[0]!, pending)).toMatchObject({ state: "failed", label: "safe", error: { message: "the database is busy" } });
  });

  it("undoes the session's last label and goes back to that item", async () => {
    const { store, bridge } = await reviewStore({
      "review:label": ({ itemId, label }) => ok(labelEvent(itemId, label)),
      "review:undo": () => ok({ undone: labelEvent("b", "unsafe"), current: undefined }),
    });
    store.getState().selectReviewItem(1);
    await store.getState().labelCurrent("unsafe");
    expect(reviewSelectors.index(store.getState())).toBe(2);
    await store.getState().undoLabel();
    expect(bridge.calls.at(-1)).toEqual({ channel: "review:undo", request: { session: store.getState().review.session } });
    expect(reviewSelectors.index(store.getState())).toBe(1);
    expect(reviewItemAt(store.getState().review, 1)!.label).toBeUndefined();
  });

  it("sends the filters to review:queue", async () => {
    const { store, bridge } = await reviewStore();
    await store.getState().setReviewFilter({ disagreements: true, uncertain: true, category: "S1" });
    await store.getState().setReviewFilter({ unlabeled: true });
    expect(bridge.calls.at(-1)).toMatchObject({ channel: "review:queue", request: { datasetId: 1, filter: { disagreements: true, uncertainMargin: 0.1, category: "S1", unlabeled: true } } });
  });

  it("toggles categories by their key slot", async () => {
    const { store } = await reviewStore();
    store.getState().toggleReviewCategorySlot(1);
    store.getState().toggleReviewCategorySlot(1);
    store.getState().toggleReviewCategorySlot(2);
    expect(reviewSelectors.draft(store.getState()).categories).toEqual(["S2"]);
  });
});

describe("review keys", () => {
  function actions() {
    const spies = { move: vi.fn(), moveToEnd: vi.fn(), nextUnlabeled: vi.fn(), label: vi.fn(), toggleCategorySlot: vi.fn(), setLeaders: vi.fn(), openFullResult: vi.fn(), focusNote: vi.fn(), leaveNote: vi.fn(), undo: vi.fn() };
    return spies satisfies ReviewKeyActions;
  }
  const key = (k: string, extra: Partial<{ code: string; ctrlKey: boolean; altKey: boolean; shiftKey: boolean; target: EventTarget | null }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: document.body, ...extra });

  it("maps j/k/arrows, PageUp/PageDown, Home/End, Shift+J/K, s/u, digits, n and z (and Ctrl+Z)", () => {
    const a = actions();
    for (const k of ["j", "ArrowDown", "k", "ArrowUp", "PageDown", "PageUp", "Home", "End", "J", "K", "s", "u", "f", "n", "z"]) expect(handleReviewKey(key(k), a), k).toBe(true);
    expect(handleReviewKey(key("3", { code: "Digit3" }), a)).toBe(true);
    expect(handleReviewKey(key("z", { ctrlKey: true }), a)).toBe(true);
    expect(a.move.mock.calls).toEqual([[1], [1], [-1], [-1], [10], [-10]]);
    expect(a.moveToEnd.mock.calls).toEqual([["first"], ["last"]]);
    expect(a.nextUnlabeled.mock.calls).toEqual([["next"], ["previous"]]);
    expect(a.label.mock.calls).toEqual([["safe"], ["unsafe"]]);
    expect(a.toggleCategorySlot).toHaveBeenCalledWith(3);
    expect(a.focusNote).toHaveBeenCalledOnce();
    expect(a.openFullResult).toHaveBeenCalledOnce();
    expect(a.undo).toHaveBeenCalledTimes(2);
  });

  it("leaves typing, Alt shortcuts and open dialogs alone; Esc in the note returns to the queue", () => {
    const a = actions();
    const note = document.createElement("textarea");
    expect(handleReviewKey(key("s", { target: note }), a)).toBe(false);
    expect(handleReviewKey(key("5", { altKey: true }), a)).toBe(false);
    const dialog = document.createElement("div");
    dialog.setAttribute("role", "dialog");
    const inside = document.createElement("button");
    dialog.append(inside);
    expect(handleReviewKey(key("u", { target: inside }), a)).toBe(false);
    expect(handleReviewKey(key("Escape", { target: note }), a)).toBe(true);
    expect(a.leaveNote).toHaveBeenCalledOnce();
    expect(a.label).not.toHaveBeenCalled();
  });
});

describe("chart geometry", () => {
  const curve = precisionRecallCurve([
    { score: 0.9, label: "unsafe" },
    { score: 0.7, label: "safe" },
    { score: 0.4, label: "unsafe" },
    { score: 0.1, label: "safe" },
  ]);

  it("maps recall to x and precision to y inside the margins", () => {
    const points = prPoints(curve);
    expect(points).toHaveLength(4);
    expect(points[0]).toMatchObject({ threshold: 0.9, recall: 0.5, precision: 1, x: xOf(CHART_FRAME, 0.5), y: CHART_FRAME.margin.top });
    expect(points[3]!.x).toBe(CHART_FRAME.width - CHART_FRAME.margin.right);
    expect(yOf(CHART_FRAME, 0)).toBe(CHART_FRAME.height - CHART_FRAME.margin.bottom);
    expect(prPath(points).startsWith(`M${CHART_FRAME.margin.left} ${CHART_FRAME.margin.top}`)).toBe(true);
    // Steps, not slopes: every point is reached by a vertical move at the previous recall, then a horizontal one.
    const moves = prPath(points).split(" L").slice(1).map((m) => m.split(" ").map(Number));
    for (let i = 0; i < moves.length; i += 2) {
      expect(moves[i]![1]).toBe(moves[i + 1]![1]);
      expect(moves[i]![0]).toBe(i === 0 ? CHART_FRAME.margin.left : moves[i - 1]![0]);
    }
  });

  it("picks the point nearest a click and the point of a threshold", () => {
    const points = prPoints(curve);
    expect(nearestPoint(points, points[2]!.x + 3, points[2]!.y - 2)).toBe(2);
    expect(nearestPoint([], 0, 0)).toBe(-1);
    expect(pointForThreshold(points, 0.42)).toBe(2);
  });

  it("stacks histogram bars by label, tallest bin filling the plot", () => {
    const { rects, max } = histogramRects([
      { from: 0, to: 0.5, safe: 2, unsafe: 1, unlabeled: 0 },
      { from: 0.5, to: 1, safe: 0, unsafe: 1, unlabeled: 1 },
    ]);
    expect(max).toBe(3);
    expect(rects.map((r) => r.kind)).toEqual(["safe", "unsafe", "unsafe", "unlabeled"]);
    const [safe, unsafe] = rects;
    expect(unsafe!.y + unsafe!.height).toBeCloseTo(safe!.y);
    expect(unsafe!.y).toBeCloseTo(CHART_FRAME.margin.top);
  });
});

describe("datasets slice", () => {
  it("previews, pre-fills the mapping from the detection, reports problems, and imports as a job", async () => {
    const { store, bridge } = createTestStore({
      "datasets:preview": () =>
        ok({
          format: "csv",
          columns: ["text", "is_harmful", "uid"],
          rows: [{ text: "hi", is_harmful: "0", uid: "1" }],
          badRows: [{ row: 3, line: 4, reason: "the prompt is empty" }],
          detection: { mapping: { prompt: "text", label: "is_harmful", id: "uid" }, candidates: { prompt: ["text"], response: [], label: ["is_harmful"], categories: [], id: ["uid"] }, isRecordFormat: false },
          partial: false,
        }),
      "datasets:import": () => ok({ jobId: "job-9" }),
      "datasets:list": () => ok({ datasets: [], demos: [], failedImports: [] }),
      "files:allow": ({ path }) => ok({ path, name: "set.csv", sizeBytes: 40, uploaded: false }),
    });
    store.getState().start();
    store.getState().setImportPath("/data/set.csv");
    await store.getState().previewDataset();
    await store.getState().confirmImportPath();
    expect(datasetsSelectors.wizard(store.getState())).toMatchObject({ step: "mapping", name: "set", mapping: { prompt: "text", label: "is_harmful", id: "uid" } });
    expect(datasetsSelectors.mappingProblems(store.getState())).toEqual([]);
    store.getState().setMappingField("prompt", undefined);
    expect(datasetsSelectors.mappingProblems(store.getState())).toEqual(["choose the column that holds the prompt"]);
    store.getState().setMappingField("prompt", "text");
    store.getState().setBadRowPolicy("stop");
    await store.getState().importDataset();
    expect(bridge.calls.at(-1)).toMatchObject({ channel: "datasets:import", request: { path: "/data/set.csv", format: "csv", onBadRows: "stop", mapping: { prompt: "text", label: "is_harmful", id: "uid" } } });
    expect(datasetsSelectors.importJobId(store.getState())).toBe("job-9");

    bridge.emit("job:progress", { jobId: "job-9", kind: "import", state: "running", path: "/data/set.csv", bytesRead: 10, totalBytes: 20, items: 5, badRows: 1 });
    expect(datasetsSelectors.importProgress(store.getState())).toMatchObject({ items: 5 });
    bridge.emit("job:done", { jobId: "job-9", kind: "import", result: err("bad-row", "row 3 is bad") });
    await settle();
    expect(datasetsSelectors.importJobId(store.getState())).toBeUndefined();
    expect(datasetsSelectors.importError(store.getState())?.message).toBe("row 3 is bad");
  });
});

describe("runs and evaluation slices", () => {
  it("starts a run with the saved policy version and threshold; asks metrics at a picked threshold", async () => {
    const { store, bridge } = createTestStore({
      "runs:start": () => ok({ jobId: "job-1", runId: 4 }),
      "runs:list": () => ok({ runs: [] }),
      "eval:metrics": ({ runId, threshold }) => err("x", `metrics ${runId} ${threshold}`),
    });
    expect(await store.getState().startRun({ datasetId: 2, threshold: 0.3, policyVersion: { name: "strict", version: 2 } })).toBe(4);
    expect(bridge.calls.find((c) => c.channel === "runs:start")?.request).toEqual({ datasetId: 2, policyVersion: { name: "strict", version: 2 }, settings: { threshold: 0.3 } });
    await store.getState().openEvaluation(4);
    await store.getState().setEvaluationThreshold(0.7);
    expect(bridge.calls.at(-1)).toEqual({ channel: "eval:metrics", request: { runId: 4, threshold: 0.7 } });
    expect(store.getState().app.screen).toBe("evaluation");
  });
});
