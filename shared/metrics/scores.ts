import type { SafetyLabel } from "../datasets/record.ts";
import type { ConfusionCounts } from "./rates.ts";

/** One classified, labeled item: its P(unsafe) (or any score where higher means "more likely unsafe") and its label. */
export interface ScoredItem {
  score: number;
  label: SafetyLabel;
}

/**
 * Throws a RangeError naming the first bad item. Scores must be finite so that sorting and comparing them means
 * something (NaN compares false with everything and would fall silently on the "not flagged" side); callers reading
 * untrusted files check first and report the line, this is the last line of defence.
 */
export function assertScoredItems(items: readonly ScoredItem[]): void {
  items.forEach((item, index) => {
    if (typeof item.score !== "number" || !Number.isFinite(item.score)) {
      throw new RangeError(`item ${index} has the score ${String(item.score)}; scores must be finite numbers`);
    }
    if (item.label !== "safe" && item.label !== "unsafe") {
      throw new RangeError(`item ${index} has the label ${JSON.stringify(item.label)}; labels must be "safe" or "unsafe"`);
    }
  });
}

export function assertThreshold(threshold: number): void {
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) throw new RangeError(`the threshold ${String(threshold)} is not a finite number`);
}

/** An item is flagged when its score is at or above the threshold, as `guardbench classify` and scikit-learn's curves decide. */
export function isFlagged(score: number, threshold: number): boolean {
  return score >= threshold;
}

export function confusionAt(items: readonly ScoredItem[], threshold: number): ConfusionCounts {
  assertScoredItems(items);
  assertThreshold(threshold);
  const counts: ConfusionCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const { score, label } of items) {
    const flagged = isFlagged(score, threshold);
    if (label === "unsafe") counts[flagged ? "tp" : "fn"]++;
    else counts[flagged ? "fp" : "tn"]++;
  }
  return counts;
}
