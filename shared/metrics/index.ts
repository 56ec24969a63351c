export { THRESHOLD_WORDING, ratesFromCounts, type ConfusionCounts, type RateName, type RateWording, type Rates } from "./rates.ts";
export { assertScoredItems, confusionAt, isFlagged, type ScoredItem } from "./scores.ts";
export {
  AUPRC_NO_ITEMS_REASON,
  AUPRC_NO_POSITIVES_REASON,
  averagePrecision,
  averagePrecisionNullReason,
  precisionRecallCurve,
  thresholdForMaxF1,
  thresholdForRecall,
  type CurvePoint,
  type PrecisionRecallCurve,
  type ThresholdPick,
} from "./curve.ts";
export { METRIC_NAMES, evaluateScores, type MetricName, type ScoreEvaluation } from "./evaluate.ts";
export { scoreHistogram, type HistogramBin } from "./histogram.ts";
export { perCategoryMetrics, type CategorizedItem, type CategoryMetrics, type PerCategoryReport } from "./categories.ts";
export { compareRuns, type CompareOptions, type FlipDirection, type FlipKind, type RunComparison, type RunItem, type VerdictFlip } from "./compare.ts";
export { mlcommonsCategoryNames, nameCategories, namesOfCategory, sameCategoryName, type CategoryNameMismatch, type CategoryNaming, type DatasetCategoryName, type NamedCategory } from "./categoryNames.ts";
export { runAgreement, type AgreementRun, type Disagreement, type PairAgreement, type RunAgreement } from "./agreement.ts";
