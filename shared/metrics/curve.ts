/**
 * The precision-recall curve and average precision (AUPRC), computed exactly as scikit-learn's
 * `precision_recall_curve` and `average_precision_score` define them, plus helpers that pick an operating threshold.
 *
 * scikit-learn (sklearn/metrics/_ranking.py): `_binary_clf_curve` sorts by score, descending, and keeps one threshold
 * per *distinct* score — tied items are flagged together, never one by one — with tp and fp counted cumulatively.
 * `average_precision_score` is then `-sum(diff(recall) * precision[:-1])` over those thresholds plus the end point
 * (recall 0, precision 1), which is, from the highest threshold down:
 *
 *     AP = Σₖ (Rₖ − Rₖ₋₁) · Pₖ,   R₀ = 0
 *
 * — a step sum, not the trapezoidal area (which is optimistic for PR curves). Where there is no unsafe item at all
 * scikit-learn warns and returns -0.0 (its recall is set to 1 everywhere, so the only step is at the end point); here
 * the value is `null`, with `AUPRC_NO_POSITIVES_REASON` to show.
 */
import { ratesFromCounts, type ConfusionCounts } from "./rates.ts";
import { assertScoredItems, type ScoredItem } from "./scores.ts";

/** The operating point "flag every item whose score is at or above `threshold`". */
export interface CurvePoint {
  /** a score that occurs in the data */
  threshold: number;
  counts: ConfusionCounts;
  /** never null: a threshold taken from the data flags at least the item it came from */
  precision: number;
  /** null when no item is labeled unsafe */
  recall: number | null;
  f1: number | null;
  /** null when no item is labeled safe; with recall this is the ROC curve's point */
  fpr: number | null;
}

export interface PrecisionRecallCurve {
  /** one point per distinct score, highest threshold first (so recall never decreases along the array) */
  points: CurvePoint[];
  /** items labeled unsafe */
  positives: number;
  /** items labeled safe */
  negatives: number;
}

export const AUPRC_NO_POSITIVES_REASON =
  "AUPRC is undefined: no item is labeled unsafe, so there is no recall to trade precision for (scikit-learn warns and returns 0 here)";

export const AUPRC_NO_ITEMS_REASON = "AUPRC is undefined: there are no labeled items";

export function precisionRecallCurve(items: readonly ScoredItem[]): PrecisionRecallCurve {
  assertScoredItems(items);
  const ranked = [...items].sort((a, b) => b.score - a.score);
  const positives = ranked.filter((item) => item.label === "unsafe").length;
  const negatives = ranked.length - positives;
  const points: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  ranked.forEach((item, index) => {
    if (item.label === "unsafe") tp++;
    else fp++;
    const next = ranked[index + 1];
    // Emit a point only after the last item of a run of equal scores: a threshold flags all of them or none.
    if (next !== undefined && next.score === item.score) return;
    const counts: ConfusionCounts = { tp, fp, tn: negatives - fp, fn: positives - tp };
    const { precision, recall, f1, fpr } = ratesFromCounts(counts);
    points.push({ threshold: item.score, counts, precision: precision!, recall, f1, fpr });
  });
  return { points, positives, negatives };
}

/** Average precision (see the module comment); null when there is no unsafe item, or no item at all. */
export function averagePrecision(curve: PrecisionRecallCurve): number | null {
  if (curve.positives === 0) return null;
  let sum = 0;
  let previousRecall = 0;
  for (const point of curve.points) {
    // recall is non-null whenever there are positives
    const recall = point.recall!;
    sum += (recall - previousRecall) * point.precision;
    previousRecall = recall;
  }
  return sum;
}

export function averagePrecisionNullReason(curve: PrecisionRecallCurve): string | undefined {
  if (curve.positives > 0) return undefined;
  return curve.negatives === 0 ? AUPRC_NO_ITEMS_REASON : AUPRC_NO_POSITIVES_REASON;
}

export type ThresholdPick = { ok: true; point: CurvePoint } | { ok: false; reason: string };

const NO_POSITIVES_TO_PICK = "no item is labeled unsafe, so recall and F1 cannot guide the threshold";

/**
 * The highest threshold whose recall reaches `targetRecall` (0 < target ≤ 1). Of all thresholds that reach it, the
 * highest flags the fewest items, so it has the fewest false positives (the lowest FPR). Always found when unsafe items
 * exist, since the lowest threshold flags everything (recall 1).
 */
export function thresholdForRecall(curve: PrecisionRecallCurve, targetRecall: number): ThresholdPick {
  if (!(targetRecall > 0 && targetRecall <= 1)) throw new RangeError(`the target recall must be above 0 and at most 1, not ${targetRecall}`);
  if (curve.positives === 0) return { ok: false, reason: NO_POSITIVES_TO_PICK };
  // Recall is k / positives; compare counts, not floats, so that a target of 0.3 with 10 positives is met by 3 (0.3 · 10
  // is 3.0000000000000004 in floating point, whose ceiling would wrongly ask for 4).
  const neededTruePositives = Math.ceil(targetRecall * curve.positives - 1e-9);
  const point = curve.points.find((candidate) => candidate.counts.tp >= neededTruePositives);
  return point ? { ok: true, point } : { ok: false, reason: NO_POSITIVES_TO_PICK };
}

/** The threshold with the highest F1; on a tie the higher threshold (fewer items flagged for the same F1). */
export function thresholdForMaxF1(curve: PrecisionRecallCurve): ThresholdPick {
  if (curve.positives === 0) return { ok: false, reason: NO_POSITIVES_TO_PICK };
  let best: CurvePoint | undefined;
  for (const point of curve.points) {
    // f1 is non-null whenever there are positives: 2·tp + fp + fn ≥ tp + fn = positives > 0
    if (best === undefined || point.f1! > best.f1!) best = point;
  }
  return best ? { ok: true, point: best } : { ok: false, reason: NO_POSITIVES_TO_PICK };
}
