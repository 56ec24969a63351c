/**
 * Evaluation: one run's metrics at a chosen threshold (eval:metrics), two runs compared (eval:compare), and one item
 * of a run opened in full (results:get).
 */
import type { CategoryMapping, ComparedItem, RunsChanged, ItemResultDetail, ResultError, RunComparisonReport, RunMetrics, SavedComparison, SideBySideReport } from "../../../../shared/ipc/index.ts";
import { serializeSvg, svgToPng } from "./chartExport.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";

export interface EvaluationState {
  runId?: number;
  /** the threshold asked for; undefined = the run's own */
  threshold?: number;
  metrics?: RunMetrics;
  loading: boolean;
  error?: ResultError;
  compare: CompareState;
  sideBySide: SideBySideState;
  detail?: ItemResultDetail;
  detailLoading: boolean;
  detailError?: ResultError;
  /** labels or results changed while the screen was not shown: read again when it is */
  stale?: boolean;
}

export interface CompareState {
  baselineRunId?: number;
  candidateRunId?: number;
  /** one threshold for both runs; undefined: each run's own */
  threshold?: number;
  report?: RunComparisonReport;
  loading: boolean;
  error?: ResultError;
  /** a flipped item opened side by side, while it loads (`itemLoading`) or once it has (`item`) */
  item?: ComparedItem;
  itemLoading?: string;
  itemError?: ResultError;
}

/** Several runs of one dataset at once (eval:side-by-side). */
export interface SideBySideState {
  /** the runs chosen, in the order they were ticked */
  runIds: number[];
  /** one threshold for every run; undefined: each run's own */
  threshold?: number;
  /** each run's codes onto the dataset's, where the user changed the default */
  categoryMapping: CategoryMapping;
  report?: SideBySideReport;
  loading: boolean;
  error?: ResultError;
  saved: SavedComparison[];
  saveError?: ResultError;
}

export interface EvaluationSlice {
  evaluation: EvaluationState;
  openEvaluation(runId: number): Promise<void>;
  selectEvaluationRun(runId: number | undefined): Promise<void>;
  setEvaluationThreshold(threshold: number): Promise<void>;
  setCompareRuns(baselineRunId: number | undefined, candidateRunId: number | undefined): void;
  compareSelectedRuns(): Promise<void>;
  /** the comparison's threshold for both runs (undefined: each run's own); compares again when a report is shown */
  setCompareThreshold(threshold: number | undefined): Promise<void>;
  openComparedItem(itemId: string): Promise<void>;
  /** Evaluation with these runs side by side, compared at once (a multi-run's runs) */
  openSideBySide(runIds: readonly number[]): Promise<void>;
  /** ticks or unticks a run for the side-by-side view */
  toggleSideBySideRun(runId: number): void;
  compareSideBySide(): Promise<void>;
  /** one threshold for every run side by side (undefined: each run's own); compares again when a report is shown */
  setSideBySideThreshold(threshold: number | undefined): Promise<void>;
  /** counts a run's category code as a shared one ("" as none), and compares again */
  mapSideBySideCategory(runId: number, code: string, shared: string): Promise<void>;
  /** keeps the side by side shown under a name (its runs, threshold and mapping) */
  saveComparison(name: string): Promise<boolean>;
  refreshComparisons(): Promise<void>;
  openComparison(comparison: SavedComparison): Promise<void>;
  deleteComparison(id: number): Promise<void>;
  closeComparedItem(): void;
  /** labels:changed: metrics and the comparison of that dataset are computed again */
  evaluationLabelsChanged(datasetId: number): Promise<void>;
  /** the screen is shown: what went stale meanwhile is read again */
  refreshStaleEvaluation(): Promise<void>;
  /** runs:changed: the metrics of a run whose results changed are computed again; a removed run is let go */
  evaluationRunChanged(change: RunsChanged): Promise<void>;
  openResult(runId: number, itemId: string): Promise<void>;
  closeResult(): void;
  /** downloads a chart as SVG, or as PNG drawn from the SVG */
  exportChart(svg: SVGSVGElement, baseName: string, format: "svg" | "png"): Promise<void>;
}

/** The category mapping of the runs ticked: a run unticked keeps its choices for when it is ticked again. */
function mappingOfTickedRuns({ runIds, categoryMapping }: SideBySideState): CategoryMapping {
  return Object.fromEntries(Object.entries(categoryMapping).filter(([runId]) => runIds.includes(Number(runId))));
}

export const initialEvaluationState: EvaluationState = { loading: false, compare: { loading: false }, sideBySide: { runIds: [], categoryMapping: {}, loading: false, saved: [] }, detailLoading: false };

export const createEvaluationSlice: SliceCreator<EvaluationSlice> = (set, get, { bridge, saveBlob }) => {
  const patch = (changes: Partial<EvaluationState> | ((current: EvaluationState) => Partial<EvaluationState>)) => patchSlice(set, "evaluation", changes);
  const patchCompare = (changes: Partial<CompareState>) => patch((state) => ({ compare: { ...state.compare, ...changes } }));
  const patchSideBySide = (changes: Partial<SideBySideState>) => patch((state) => ({ sideBySide: { ...state.sideBySide, ...changes } }));
  let sideBySideSeq = 0;
  let requestSeq = 0;

  async function loadMetrics() {
    const { runId, threshold } = get().evaluation;
    if (runId === undefined) return;
    const seq = ++requestSeq;
    patch({ loading: true, error: undefined });
    const metrics = await bridge.invoke("eval:metrics", { runId, ...(threshold !== undefined && { threshold }) });
    // A later request (the user kept moving the threshold) wins over an earlier answer arriving late.
    if (seq !== requestSeq) return;
    patch(metrics.ok ? { loading: false, metrics: metrics.value } : { loading: false, error: metrics.error });
  }

  return {
    evaluation: initialEvaluationState,

    async openEvaluation(runId) {
      get().navigate("evaluation");
      await get().selectEvaluationRun(runId);
    },

    async selectEvaluationRun(runId) {
      patch({ runId, threshold: undefined, metrics: undefined, error: undefined });
      await loadMetrics();
    },

    async setEvaluationThreshold(threshold) {
      patch({ threshold: Math.min(1, Math.max(0, threshold)) });
      await loadMetrics();
    },

    setCompareRuns(baselineRunId, candidateRunId) {
      patch((state) => ({ compare: { ...state.compare, baselineRunId, candidateRunId } }));
    },

    async compareSelectedRuns() {
      const { baselineRunId, candidateRunId, threshold } = get().evaluation.compare;
      if (baselineRunId === undefined || candidateRunId === undefined) return;
      patchCompare({ loading: true, error: undefined });
      const report = await bridge.invoke("eval:compare", { baselineRunId, candidateRunId, ...(threshold !== undefined && { threshold }) });
      patchCompare(report.ok ? { loading: false, report: report.value } : { loading: false, error: report.error, report: undefined });
    },

    async setCompareThreshold(threshold) {
      patchCompare({ threshold: threshold === undefined ? undefined : Math.min(1, Math.max(0, threshold)) });
      if (get().evaluation.compare.report) await get().compareSelectedRuns();
    },

    async openComparedItem(itemId) {
      const { report, threshold } = get().evaluation.compare;
      if (!report) return;
      patchCompare({ itemLoading: itemId, itemError: undefined });
      const opened = await bridge.invoke("eval:compare-item", {
        baselineRunId: report.baselineRunId,
        candidateRunId: report.candidateRunId,
        itemId,
        ...(threshold !== undefined && { threshold }),
      });
      // Another item asked for meanwhile wins.
      if (get().evaluation.compare.itemLoading !== itemId) return;
      patchCompare(opened.ok ? { itemLoading: undefined, item: opened.value } : { itemLoading: undefined, itemError: opened.error, item: undefined });
    },

    closeComparedItem: () => patchCompare({ item: undefined, itemError: undefined, itemLoading: undefined }),

    async mapSideBySideCategory(runId, code, shared) {
      const { categoryMapping } = get().evaluation.sideBySide;
      patchSideBySide({ categoryMapping: { ...categoryMapping, [String(runId)]: { ...categoryMapping[String(runId)], [code]: shared } } });
      await get().compareSideBySide();
    },

    async saveComparison(name) {
      const { runIds, threshold } = get().evaluation.sideBySide;
      const mapping = mappingOfTickedRuns(get().evaluation.sideBySide);
      const saved = await bridge.invoke("eval:save-comparison", { name, runIds, ...(threshold !== undefined && { threshold }), categoryMapping: mapping });
      if (!saved.ok) {
        patchSideBySide({ saveError: saved.error });
        return false;
      }
      patchSideBySide({ saveError: undefined });
      get().notify({ kind: "info", message: `Saved the comparison "${saved.value.name}".` });
      await get().refreshComparisons();
      return true;
    },

    async refreshComparisons() {
      const listed = await bridge.invoke("eval:comparisons", {});
      if (listed.ok) patchSideBySide({ saved: listed.value.comparisons });
    },

    async openComparison({ runIds, threshold, categoryMapping }) {
      patchSideBySide({ runIds: [...runIds], threshold, categoryMapping, report: undefined, error: undefined });
      await get().compareSideBySide();
    },

    async deleteComparison(id) {
      const deleted = await bridge.invoke("eval:delete-comparison", { id });
      if (!deleted.ok) return void get().notify({ kind: "error", message: deleted.error.message, hint: deleted.error.hint });
      await get().refreshComparisons();
    },

    async openSideBySide(runIds) {
      get().navigate("evaluation");
      patchSideBySide({ runIds: [...runIds], report: undefined, error: undefined });
      await get().compareSideBySide();
    },

    toggleSideBySideRun(runId) {
      const { runIds } = get().evaluation.sideBySide;
      patchSideBySide({ runIds: runIds.includes(runId) ? runIds.filter((id) => id !== runId) : [...runIds, runId] });
    },

    async compareSideBySide() {
      const { runIds, threshold } = get().evaluation.sideBySide;
      if (runIds.length < 2) return;
      const seq = ++sideBySideSeq;
      patchSideBySide({ loading: true, error: undefined });
      const mapping = mappingOfTickedRuns(get().evaluation.sideBySide);
      const report = await bridge.invoke("eval:side-by-side", { runIds, ...(threshold !== undefined && { threshold }), ...(Object.keys(mapping).length > 0 && { categoryMapping: mapping }) });
      // Runs ticked or a threshold typed meanwhile: the newest request wins.
      if (seq !== sideBySideSeq) return;
      patchSideBySide(report.ok ? { loading: false, report: report.value } : { loading: false, error: report.error, report: undefined });
    },

    async setSideBySideThreshold(threshold) {
      patchSideBySide({ threshold: threshold === undefined ? undefined : Math.min(1, Math.max(0, threshold)) });
      if (get().evaluation.sideBySide.report) await get().compareSideBySide();
    },

    async evaluationLabelsChanged(datasetId) {
      const { metrics, compare, sideBySide } = get().evaluation;
      if (metrics?.datasetId !== datasetId && compare.report?.datasetId !== datasetId && sideBySide.report?.datasetId !== datasetId) return;
      // While another screen is shown (Review, labelling item after item), recomputing 100,000-item metrics per label
      // would be wasted: they are read once the screen opens.
      if (get().app.screen !== "evaluation") return patch({ stale: true });
      await Promise.all([
        metrics?.datasetId === datasetId ? loadMetrics() : undefined,
        compare.report?.datasetId === datasetId ? get().compareSelectedRuns() : undefined,
        sideBySide.report?.datasetId === datasetId ? get().compareSideBySide() : undefined,
      ]);
    },

    async refreshStaleEvaluation() {
      if (!get().evaluation.stale) return;
      patch({ stale: false });
      const { compare, sideBySide } = get().evaluation;
      await Promise.all([loadMetrics(), compare.report ? get().compareSelectedRuns() : undefined, sideBySide.report ? get().compareSideBySide() : undefined]);
    },

    async evaluationRunChanged({ runId, changes }) {
      const { runId: shown, compare, sideBySide } = get().evaluation;
      const sideBySideHere = sideBySide.runIds.includes(runId);
      if (changes.includes("removed")) {
        if (sideBySideHere) patchSideBySide({ runIds: sideBySide.runIds.filter((id) => id !== runId), report: undefined });
        if (shown === runId) patch({ runId: undefined, metrics: undefined, threshold: undefined, error: undefined });
        if (compare.baselineRunId === runId || compare.candidateRunId === runId) {
          patchCompare({ report: undefined, item: undefined, ...(compare.baselineRunId === runId ? { baselineRunId: undefined } : {}), ...(compare.candidateRunId === runId ? { candidateRunId: undefined } : {}) });
        }
        return;
      }
      if (!changes.includes("results")) return;
      const comparedHere = compare.report && (compare.report.baselineRunId === runId || compare.report.candidateRunId === runId);
      const shownSideBySide = sideBySideHere && sideBySide.report !== undefined;
      if ((shown === runId || comparedHere || shownSideBySide) && get().app.screen !== "evaluation") return patch({ stale: true });
      await Promise.all([shown === runId ? loadMetrics() : undefined, comparedHere ? get().compareSelectedRuns() : undefined, shownSideBySide ? get().compareSideBySide() : undefined]);
    },

    async openResult(runId, itemId) {
      patch({ detailLoading: true, detailError: undefined });
      // Flagged at the threshold Evaluation shows for that run, when it shows one other than the run's own.
      const { runId: shownRunId, threshold } = get().evaluation;
      const detail = await bridge.invoke("results:get", { runId, itemId, ...(shownRunId === runId && threshold !== undefined && { threshold }) });
      patch(detail.ok ? { detailLoading: false, detail: detail.value } : { detailLoading: false, detailError: detail.error, detail: undefined });
    },

    closeResult: () => patch({ detail: undefined, detailError: undefined }),

    async exportChart(svg, baseName, format) {
      const markup = serializeSvg(svg);
      try {
        const blob = format === "svg" ? new Blob([markup], { type: "image/svg+xml" }) : await svgToPng(markup, svg.width.baseVal.value, svg.height.baseVal.value);
        saveBlob(`${baseName}.${format}`, blob);
      } catch (error) {
        get().notify({ kind: "error", message: `Could not export the chart: ${error instanceof Error ? error.message : String(error)}` });
      }
    },
  };
};
