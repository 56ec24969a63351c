import type { AppState } from "../../store/types.ts";

export const evaluationSelectors = {
  runId: (s: AppState) => s.evaluation.runId,
  metrics: (s: AppState) => s.evaluation.metrics,
  loading: (s: AppState) => s.evaluation.loading,
  error: (s: AppState) => s.evaluation.error,
  compare: (s: AppState) => s.evaluation.compare,
  sideBySide: (s: AppState) => s.evaluation.sideBySide,
  detail: (s: AppState) => s.evaluation.detail,
  detailLoading: (s: AppState) => s.evaluation.detailLoading,
  detailError: (s: AppState) => s.evaluation.detailError,
};
