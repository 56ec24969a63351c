import { averagePrecision, averagePrecisionNullReason, precisionRecallCurve } from "./curve.ts";
import { ratesFromCounts, type ConfusionCounts, type RateName } from "./rates.ts";
import { confusionAt, type ScoredItem } from "./scores.ts";

export type MetricName = RateName | "auprc";

export const METRIC_NAMES: readonly MetricName[] = ["precision", "recall", "f1", "fpr", "auprc"];

/** Everything the evaluation view and `guardbench eval` report for one run at one threshold. */
export interface ScoreEvaluation {
  threshold: number;
  counts: ConfusionCounts & { total: number };
  precision: number | null;
  recall: number | null;
  f1: number | null;
  fpr: number | null;
  /** average precision, scikit-learn's definition (curve.ts); threshold-free */
  auprc: number | null;
  /** for each metric that is null, why */
  nullReasons: Partial<Record<MetricName, string>>;
}

export function evaluateScores(items: readonly ScoredItem[], threshold: number): ScoreEvaluation {
  const counts = confusionAt(items, threshold);
  const { nullReasons: rateReasons, ...rates } = ratesFromCounts(counts);
  const curve = precisionRecallCurve(items);
  const auprcReason = averagePrecisionNullReason(curve);
  return {
    threshold,
    counts: { ...counts, total: items.length },
    ...rates,
    auprc: averagePrecision(curve),
    nullReasons: { ...rateReasons, ...(auprcReason ? { auprc: auprcReason } : {}) },
  };
}
