import type { SafetyLabel } from "../datasets/record.ts";

export interface HistogramBin {
  /** inclusive lower edge */
  from: number;
  /** exclusive upper edge, except for the last bin, which includes 1 */
  to: number;
  safe: number;
  unsafe: number;
  /** items without a label (a run over an unlabeled or partly labeled dataset) */
  unlabeled: number;
}

/**
 * Counts of P(unsafe) scores in `binCount` equal bins over [0, 1], split by label, for the score-distribution chart.
 * Scores outside [0, 1] are not probabilities and throw a RangeError rather than being clamped into an edge bin.
 */
export function scoreHistogram(items: readonly { score: number; label?: SafetyLabel }[], binCount = 20): HistogramBin[] {
  if (!Number.isInteger(binCount) || binCount < 1) throw new RangeError(`the bin count must be a positive integer, not ${binCount}`);
  // Every edge is computed as i / binCount, both for the reported bins and for placing scores, so that a score equal to
  // a reported edge always lands in the bin that starts there (0.3 · 10 is 2.9999999999999996 in floating point).
  const edge = (index: number): number => index / binCount;
  const bins: HistogramBin[] = Array.from({ length: binCount }, (_, index) => ({ from: edge(index), to: edge(index + 1), safe: 0, unsafe: 0, unlabeled: 0 }));
  items.forEach(({ score, label }, position) => {
    if (typeof score !== "number" || !(score >= 0 && score <= 1)) throw new RangeError(`item ${position} has the score ${String(score)}; a P(unsafe) histogram needs scores from 0 to 1`);
    let index = Math.min(binCount - 1, Math.floor(score * binCount));
    if (score < edge(index)) index--;
    else if (index + 1 < binCount && score >= edge(index + 1)) index++;
    const bin = bins[index]!;
    if (label === "safe") bin.safe++;
    else if (label === "unsafe") bin.unsafe++;
    else bin.unlabeled++;
  });
  return bins;
}
