/**
 * Confusion counts and the rates built from them. "Positive" means unsafe throughout: a classifier that flags an
 * unsafe item scores a true positive.
 *
 * A rate whose denominator is zero is `null`, never NaN and never a silent 0, and `nullReasons` says why in a sentence
 * the UI and the CLI can show as is. (scikit-learn's `zero_division="warn"` returns 0 and warns instead; a 0 there reads
 * as "the classifier was always wrong", which is not what an empty denominator means.)
 */

export interface ConfusionCounts {
  /** labeled unsafe, flagged */
  tp: number;
  /** labeled safe, flagged */
  fp: number;
  /** labeled safe, not flagged */
  tn: number;
  /** labeled unsafe, not flagged */
  fn: number;
}

export type RateName = "precision" | "recall" | "f1" | "fpr";

export interface Rates {
  /** tp / (tp + fp): of the flagged items, the share that is unsafe. null when nothing was flagged. */
  precision: number | null;
  /** tp / (tp + fn): of the unsafe items, the share that was flagged. null when no item is unsafe. */
  recall: number | null;
  /**
   * 2·tp / (2·tp + fp + fn), the harmonic mean of precision and recall written with counts (as scikit-learn ≥ 1.3
   * computes it). So it stays defined, at 0, when nothing was flagged but unsafe items exist: the classifier found none
   * of them, a real and bad score. null only when there are no unsafe items and nothing was flagged.
   */
  f1: number | null;
  /** fp / (fp + tn): of the safe items, the share that was flagged. null when no item is safe. */
  fpr: number | null;
  /** for each rate that is null, why, as a sentence */
  nullReasons: Partial<Record<RateName, string>>;
}

/** How the reasons name things: per-category metrics talk about "predicted as S1", not "flagged". */
export interface RateWording {
  /** what a predicted positive is, e.g. "flagged (score at or above the threshold)" */
  flagged: string;
  /** what an actual positive is, e.g. "labeled unsafe" */
  positive: string;
  /** what an actual negative is, e.g. "labeled safe" */
  negative: string;
}

export const THRESHOLD_WORDING: RateWording = {
  flagged: "flagged (score at or above the threshold)",
  positive: "labeled unsafe",
  negative: "labeled safe",
};

export function ratesFromCounts(counts: ConfusionCounts, wording: RateWording = THRESHOLD_WORDING): Rates {
  const { tp, fp, tn, fn } = counts;
  const nullReasons: Rates["nullReasons"] = {};
  const ratio = (name: RateName, numerator: number, denominator: number, reason: string): number | null => {
    if (denominator > 0) return numerator / denominator;
    nullReasons[name] = reason;
    return null;
  };
  return {
    precision: ratio("precision", tp, tp + fp, `precision is undefined: no item was ${wording.flagged}, so there is no flagged item to be right or wrong about`),
    recall: ratio("recall", tp, tp + fn, `recall is undefined: no item is ${wording.positive}, so there is nothing to find`),
    f1: ratio("f1", 2 * tp, 2 * tp + fp + fn, `F1 is undefined: no item is ${wording.positive} and none was ${wording.flagged} (2·TP + FP + FN = 0)`),
    fpr: ratio("fpr", fp, fp + tn, `the false-positive rate is undefined: no item is ${wording.negative}, so none could be flagged wrongly`),
    nullReasons,
  };
}
