/**
 * Evaluation: one run's metrics at a chosen threshold (eval:metrics), two runs compared (eval:compare), and one item
 * of a run opened in full (results:get).
 */
import type { ItemResultDetail, ResultError, RunComparisonReport, RunMetrics } from "../../../../shared/ipc/index.ts";
import { serializeSvg, svgToPng } from "./chartExport.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";

export interface EvaluationState {
  runId?: number;
  /** the threshold asked for; undefined = the run's own */
  threshold?: number;
  metrics?: RunMetrics;
  loading: boolean;
  error?: ResultError;
  compare: { baselineRunId?: number; candidateRunId?: number; report?: RunComparisonReport; loading: boolean; error?: ResultError };
  detail?: ItemResultDetail;
  detailLoading: boolean;
  detailError?: ResultError;
}

export interface EvaluationSlice {
  evaluation: EvaluationState;
  openEvaluation(runId: number): Promise<void>;
  selectEvaluationRun(runId: number | undefined): Promise<void>;
  setEvaluationThreshold(threshold: number): Promise<void>;
  setCompareRuns(baselineRunId: number | undefined, candidateRunId: number | undefined): void;
  compareSelectedRuns(): Promise<void>;
  openResult(runId: number, itemId: string): Promise<void>;
  closeResult(): void;
  /** downloads a chart as SVG, or as PNG drawn from the SVG */
  exportChart(svg: SVGSVGElement, baseName: string, format: "svg" | "png"): Promise<void>;
}

export const initialEvaluationState: EvaluationState = { loading: false, compare: { loading: false }, detailLoading: false };

export const createEvaluationSlice: SliceCreator<EvaluationSlice> = (set, get, { bridge, saveBlob }) => {
  const patch = (changes: Partial<EvaluationState> | ((current: EvaluationState) => Partial<EvaluationState>)) => patchSlice(set, "evaluation", changes);
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
      const { baselineRunId, candidateRunId } = get().evaluation.compare;
      if (baselineRunId === undefined || candidateRunId === undefined) return;
      patch((state) => ({ compare: { ...state.compare, loading: true, error: undefined } }));
      const report = await bridge.invoke("eval:compare", { baselineRunId, candidateRunId });
      patch((state) => ({ compare: { ...state.compare, loading: false, ...(report.ok ? { report: report.value } : { error: report.error, report: undefined }) } }));
    },

    async openResult(runId, itemId) {
      patch({ detailLoading: true, detailError: undefined });
      const detail = await bridge.invoke("results:get", { runId, itemId });
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
