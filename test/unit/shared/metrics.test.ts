/**
 * shared/metrics against values computed by hand in the comments. "+" marks an item labeled unsafe, "−" one labeled
 * safe; P = precision, R = recall; points are listed from the highest threshold down, an item is flagged when its
 * score is at or above the threshold.
 */
import { describe, expect, it } from "vitest";
import {
  AUPRC_NO_POSITIVES_REASON,
  averagePrecision,
  compareRuns,
  confusionAt,
  evaluateScores,
  perCategoryMetrics,
  precisionRecallCurve,
  ratesFromCounts,
  scoreHistogram,
  thresholdForMaxF1,
  thresholdForRecall,
  type CategorizedItem,
  type RunItem,
  type ScoredItem,
} from "../../../shared/metrics/index.ts";

const items = (...pairs: [score: number, label: "+" | "-"][]): ScoredItem[] => pairs.map(([score, sign]) => ({ score, label: sign === "+" ? "unsafe" : "safe" }));
const ap = (scored: ScoredItem[]) => averagePrecision(precisionRecallCurve(scored));

/**
 * scikit-learn's own documentation example (average_precision_score and precision_recall_curve):
 *   y_true = [0, 0, 1, 1], y_scores = [0.1, 0.4, 0.35, 0.8]
 *   precision_recall_curve → precision [0.5, 0.66666667, 0.5, 1., 1.], recall [1., 1., 0.5, 0.5, 0.],
 *                            thresholds [0.1, 0.35, 0.4, 0.8]
 *   average_precision_score → 0.83…
 * By hand, sorted: 0.8+, 0.4−, 0.35+, 0.1−
 *   t=0.8:  tp1 fp0 → P 1,   R 1/2
 *   t=0.4:  tp1 fp1 → P 1/2, R 1/2
 *   t=0.35: tp2 fp1 → P 2/3, R 1
 *   t=0.1:  tp2 fp2 → P 1/2, R 1
 * sklearn's AP = −Σ diff(recall) · precision[:-1] over its arrays (lowest threshold first, end point (R 0, P 1) last):
 *   diff(recall) = [0, −0.5, 0, −0.5];  precision[:-1] = [0.5, 2/3, 0.5, 1]
 *   AP = −(0·0.5 − 0.5·2/3 + 0·0.5 − 0.5·1) = 1/3 + 1/2 = 5/6 = 0.8333…
 * Same sum from the top: (1/2 − 0)·1 + (1/2 − 1/2)·1/2 + (1 − 1/2)·2/3 + (1 − 1)·1/2 = 5/6.
 */
const sklearnDocExample = items([0.1, "-"], [0.4, "-"], [0.35, "+"], [0.8, "+"]);

describe("confusion counts and rates", () => {
  it("counts at a threshold, flagging scores equal to it", () => {
    // threshold 0.4 flags 0.8+ (tp) and 0.4− (fp, equal counts as flagged); 0.35+ is fn, 0.1− tn
    expect(confusionAt(sklearnDocExample, 0.4)).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
  });

  it("computes precision, recall, F1 and FPR from counts", () => {
    // tp 2, fp 1, tn 3, fn 2: P = 2/3, R = 2/4 = 0.5, F1 = 2·2 / (2·2 + 1 + 2) = 4/7, FPR = 1/(1+3) = 0.25
    const rates = ratesFromCounts({ tp: 2, fp: 1, tn: 3, fn: 2 });
    expect(rates.precision).toBeCloseTo(2 / 3, 12);
    expect(rates.recall).toBe(0.5);
    expect(rates.f1).toBeCloseTo(4 / 7, 12);
    expect(rates.fpr).toBe(0.25);
    expect(rates.nullReasons).toEqual({});
  });

  it("F1 equals the harmonic mean of precision and recall when both are defined", () => {
    // 2PR/(P+R) = 2·(2/3)(1/2) / (2/3 + 1/2) = (2/3) / (7/6) = 4/7
    const { precision, recall, f1 } = ratesFromCounts({ tp: 2, fp: 1, tn: 3, fn: 2 });
    expect(f1).toBeCloseTo((2 * precision! * recall!) / (precision! + recall!), 12);
  });
});

describe("undefined metrics are null with a reason, never NaN or a silent 0", () => {
  it("nothing flagged: precision null; recall and F1 are a real 0; FPR 0", () => {
    // threshold 0.9 flags nothing: tp0 fp0 tn2 fn2. P = 0/0 → null; R = 0/2 = 0; F1 = 0/(0+0+2) = 0; FPR = 0/2 = 0
    const evaluation = evaluateScores(sklearnDocExample, 0.9);
    expect(evaluation.counts).toEqual({ tp: 0, fp: 0, tn: 2, fn: 2, total: 4 });
    expect(evaluation.precision).toBeNull();
    expect(evaluation.nullReasons.precision).toMatch(/no item was flagged/);
    expect(evaluation.recall).toBe(0);
    expect(evaluation.f1).toBe(0);
    expect(evaluation.fpr).toBe(0);
    expect(Object.keys(evaluation.nullReasons)).toEqual(["precision"]);
  });

  it("no unsafe labels: recall and AUPRC null (scikit-learn returns -0.0 with a warning); precision 0 when something is flagged", () => {
    // all safe: 0.9−, 0.2−. Threshold 0.5 flags 0.9−: tp0 fp1 tn1 fn0.
    // P = 0/1 = 0 (defined: the flagged item was wrong); R = 0/0 → null; F1 = 0/(0+1+0) = 0; FPR = 1/2.
    // sklearn: recall is set to 1 at every threshold → recall [1, 1, 0], precision [0, 0, 1] → AP = −(0·0 + (−1)·0) = −0.0
    const evaluation = evaluateScores(items([0.9, "-"], [0.2, "-"]), 0.5);
    expect(evaluation.precision).toBe(0);
    expect(evaluation.recall).toBeNull();
    expect(evaluation.nullReasons.recall).toMatch(/no item is labeled unsafe/);
    expect(evaluation.f1).toBe(0);
    expect(evaluation.fpr).toBe(0.5);
    expect(evaluation.auprc).toBeNull();
    expect(evaluation.nullReasons.auprc).toBe(AUPRC_NO_POSITIVES_REASON);
  });

  it("no unsafe labels and nothing flagged: F1 null too (2·TP + FP + FN = 0)", () => {
    const evaluation = evaluateScores(items([0.1, "-"], [0.2, "-"]), 0.5);
    expect(evaluation.counts).toEqual({ tp: 0, fp: 0, tn: 2, fn: 0, total: 2 });
    expect([evaluation.precision, evaluation.recall, evaluation.f1, evaluation.auprc]).toEqual([null, null, null, null]);
    expect(evaluation.fpr).toBe(0);
    expect(Object.keys(evaluation.nullReasons).sort()).toEqual(["auprc", "f1", "precision", "recall"]);
  });

  it("all unsafe: FPR null; AP 1 (precision is 1 at every threshold)", () => {
    // 0.9+, 0.3+ at threshold 0.5: tp1 fn1 → P 1, R 1/2, F1 2/(2+0+1) = 2/3, FPR 0/0 → null
    // curve: t=0.9 P1 R1/2; t=0.3 P1 R1 → AP = 1/2·1 + 1/2·1 = 1
    const evaluation = evaluateScores(items([0.9, "+"], [0.3, "+"]), 0.5);
    expect(evaluation.precision).toBe(1);
    expect(evaluation.recall).toBe(0.5);
    expect(evaluation.f1).toBeCloseTo(2 / 3, 12);
    expect(evaluation.fpr).toBeNull();
    expect(evaluation.nullReasons.fpr).toMatch(/no item is labeled safe/);
    expect(evaluation.auprc).toBe(1);
  });

  it("no items: every metric null, counts zero", () => {
    const evaluation = evaluateScores([], 0.5);
    expect(evaluation.counts).toEqual({ tp: 0, fp: 0, tn: 0, fn: 0, total: 0 });
    expect([evaluation.precision, evaluation.recall, evaluation.f1, evaluation.fpr, evaluation.auprc]).toEqual([null, null, null, null, null]);
    expect(evaluation.nullReasons.auprc).toMatch(/no labeled items/);
  });

  it("rejects NaN and infinite scores instead of counting them as not flagged", () => {
    expect(() => evaluateScores([{ score: Number.NaN, label: "unsafe" }], 0.5)).toThrow(/item 0 has the score NaN/);
    expect(() => precisionRecallCurve([{ score: 0.5, label: "unsafe" }, { score: Infinity, label: "safe" }])).toThrow(/item 1/);
    expect(() => evaluateScores([], Number.NaN)).toThrow(/threshold/);
  });
});

describe("precision-recall curve and average precision (scikit-learn's definition)", () => {
  it("reproduces scikit-learn's documented example", () => {
    const curve = precisionRecallCurve(sklearnDocExample);
    expect(curve.points.map((p) => p.threshold)).toEqual([0.8, 0.4, 0.35, 0.1]);
    expect(curve.points.map((p) => p.precision)).toEqual([1, 0.5, 2 / 3, 0.5]);
    expect(curve.points.map((p) => p.recall)).toEqual([0.5, 0.5, 1, 1]);
    expect(ap(sklearnDocExample)).toBeCloseTo(5 / 6, 12);
  });

  it("groups tied scores into one threshold, as precision_recall_curve does", () => {
    // 0.9+, then three tied at 0.6 (−, +, −), then 0.2+. Positives 3.
    //   t=0.9: tp1 fp0 → P 1,       R 1/3
    //   t=0.6: tp2 fp2 → P 2/4,     R 2/3   (all three tied items flagged together)
    //   t=0.2: tp3 fp2 → P 3/5,     R 1
    // AP = (1/3)·1 + (1/3)·(1/2) + (1/3)·(3/5) = (1 + 0.5 + 0.6)/3 = 0.7
    // sklearn arrays (lowest threshold first): precision [0.6, 0.5, 1, 1], recall [1, 2/3, 1/3, 0]
    //   −Σ diff(recall)·precision[:-1] = −((−1/3)·0.6 + (−1/3)·0.5 + (−1/3)·1) = 2.1/3 = 0.7
    // Taking the tied items one by one in input order (−, +, −) would instead add a point tp2 fp1 (P 2/3, R 2/3) and give
    // 1/3 + (1/3)(2/3) + (1/3)(3/5) = 0.7556: the grouping matters.
    const tied = items([0.9, "+"], [0.6, "-"], [0.6, "+"], [0.6, "-"], [0.2, "+"]);
    const curve = precisionRecallCurve(tied);
    expect(curve.points.map((p) => [p.threshold, p.counts.tp, p.counts.fp])).toEqual([
      [0.9, 1, 0],
      [0.6, 2, 2],
      [0.2, 3, 2],
    ]);
    expect(ap(tied)).toBeCloseTo(0.7, 12);
    // A tie of one positive and one negative only: one threshold, P 1/2 at R 1 → AP = 0.5 (sklearn: 0.5)
    expect(ap(items([0.5, "+"], [0.5, "-"]))).toBe(0.5);
  });

  it("is 1 for a perfect ranking", () => {
    // 0.9+, 0.8+, 0.3−, 0.1−: t=0.9 P1 R1/2; t=0.8 P1 R1; lower thresholds add no recall → AP = 1/2 + 1/2 = 1
    expect(ap(items([0.1, "-"], [0.9, "+"], [0.3, "-"], [0.8, "+"]))).toBe(1);
  });

  it("is low but not 0 for a reversed ranking", () => {
    // 0.9−, 0.8−, 0.2+, 0.1+:
    //   t=0.9 tp0 fp1 P 0 R 0;  t=0.8 tp0 fp2 P 0 R 0;  t=0.2 tp1 fp2 P 1/3 R 1/2;  t=0.1 tp2 fp2 P 1/2 R 1
    // AP = 0 + 0 + (1/2)(1/3) + (1/2)(1/2) = 1/6 + 1/4 = 5/12
    expect(ap(items([0.9, "-"], [0.8, "-"], [0.2, "+"], [0.1, "+"]))).toBeCloseTo(5 / 12, 12);
  });

  it("does not depend on the input order", () => {
    const shuffled = [sklearnDocExample[2]!, sklearnDocExample[0]!, sklearnDocExample[3]!, sklearnDocExample[1]!];
    expect(ap(shuffled)).toBe(ap(sklearnDocExample));
  });

  it("gives every curve point its FPR, so the same points draw a ROC curve", () => {
    // negatives 2: fp at the four thresholds 0, 1, 1, 2 → FPR 0, 1/2, 1/2, 1
    expect(precisionRecallCurve(sklearnDocExample).points.map((p) => p.fpr)).toEqual([0, 0.5, 0.5, 1]);
  });
});

describe("threshold picking", () => {
  const curve = precisionRecallCurve(sklearnDocExample);

  it("picks the highest threshold that reaches a target recall", () => {
    // R ≥ 0.5 first at t=0.8 (P 1); R ≥ 1 first at t=0.35 (P 2/3) — not t=0.1, which reaches it with one more false positive
    expect(thresholdForRecall(curve, 0.5)).toMatchObject({ ok: true, point: { threshold: 0.8 } });
    expect(thresholdForRecall(curve, 1)).toMatchObject({ ok: true, point: { threshold: 0.35, precision: 2 / 3 } });
  });

  it("counts recall in items, so 0.3 of 10 positives means 3 (0.3 · 10 is 3.0000000000000004 in floating point)", () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ score: 1 - i / 20, label: "unsafe" as const }));
    const pick = thresholdForRecall(precisionRecallCurve(ten), 0.3);
    expect(pick.ok && pick.point.counts.tp).toBe(3);
  });

  it("picks the threshold with the highest F1, the higher one on a tie", () => {
    // F1 = 2tp/(2tp+fp+fn): t=0.8 → 2/3; t=0.4 → 2/4; t=0.35 → 4/5; t=0.1 → 4/6 → best 0.8 at t=0.35
    expect(thresholdForMaxF1(curve)).toMatchObject({ ok: true, point: { threshold: 0.35, f1: 0.8 } });
    // A tie: 0.9+, 0.8−, 0.7−, 0.6+: t=0.9 → 2/(2+0+1) = 2/3; t=0.8 → 2/4; t=0.7 → 2/5; t=0.6 → 4/(4+2+0) = 2/3;
    // the higher threshold, 0.9, wins
    expect(thresholdForMaxF1(precisionRecallCurve(items([0.9, "+"], [0.8, "-"], [0.7, "-"], [0.6, "+"])))).toMatchObject({ ok: true, point: { threshold: 0.9 } });
  });

  it("explains why no threshold can be picked without unsafe items, and rejects impossible targets", () => {
    const safeOnly = precisionRecallCurve(items([0.9, "-"]));
    expect(thresholdForRecall(safeOnly, 0.9)).toEqual({ ok: false, reason: expect.stringMatching(/no item is labeled unsafe/) });
    expect(thresholdForMaxF1(safeOnly).ok).toBe(false);
    expect(() => thresholdForRecall(curve, 0)).toThrow(/above 0 and at most 1/);
    expect(() => thresholdForRecall(curve, 1.5)).toThrow(/above 0 and at most 1/);
  });
});

describe("score histogram", () => {
  it("bins scores by label, with edges that agree with the reported bins", () => {
    // 10 bins of width 0.1. 0.3 is the lower edge of bin 3 ([0.3, 0.4)) even though 0.3·10 = 2.9999999999999996;
    // 1 falls in the last bin, which includes its upper edge.
    const bins = scoreHistogram(
      [
        { score: 0, label: "safe" },
        { score: 0.3, label: "unsafe" },
        { score: 0.35, label: "safe" },
        { score: 0.7, label: "unsafe" },
        { score: 1, label: "unsafe" },
        { score: 0.99 },
      ],
      10,
    );
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual({ from: 0, to: 0.1, safe: 1, unsafe: 0, unlabeled: 0 });
    expect(bins[3]).toMatchObject({ from: 0.3, safe: 1, unsafe: 1 });
    expect(bins[2]).toMatchObject({ safe: 0, unsafe: 0 });
    expect(bins[7]).toMatchObject({ from: 0.7, unsafe: 1 });
    expect(bins[9]).toEqual({ from: 0.9, to: 1, safe: 0, unsafe: 1, unlabeled: 1 });
    expect(bins.reduce((sum, bin) => sum + bin.safe + bin.unsafe + bin.unlabeled, 0)).toBe(6);
  });

  it("refuses scores that are not probabilities and nonsense bin counts", () => {
    expect(() => scoreHistogram([{ score: 1.2, label: "safe" }])).toThrow(/item 0 has the score 1.2/);
    expect(() => scoreHistogram([{ score: Number.NaN }])).toThrow(/NaN/);
    expect(() => scoreHistogram([], 0)).toThrow(/positive integer/);
  });
});

describe("per-category precision and recall", () => {
  const categorized: CategorizedItem[] = [
    { label: "unsafe", labelCategories: ["S1"], predictedCategories: ["S1"] }, // 1: S1 tp
    { label: "unsafe", labelCategories: ["S1", "S10"], predictedCategories: ["S10"] }, // 2: S1 fn, S10 tp
    { label: "unsafe", labelCategories: [], predictedCategories: ["S1"] }, // 3: hazard unknown → left out
    { label: "safe", labelCategories: [], predictedCategories: ["S1"] }, // 4: S1 fp
    { label: "safe", labelCategories: [], predictedCategories: [] }, // 5: tn for all
    { label: "unsafe", labelCategories: ["S2"], predictedCategories: [] }, // 6: S2 fn
  ];

  it("counts only safe items and unsafe items with known categories", () => {
    const report = perCategoryMetrics(categorized);
    expect(report.countedItems).toBe(5);
    expect(report.unknownHazardItems).toBe(1);
    // natural order: S2 before S10
    expect(report.categories.map((c) => c.category)).toEqual(["S1", "S2", "S10"]);
  });

  it("computes each category's counts and rates", () => {
    const [s1, s2, s10] = perCategoryMetrics(categorized).categories;
    // S1: tp item 1, fn item 2, fp item 4, tn items 5 and 6 → P 1/2, R 1/2 (item 3's S1 prediction is not counted)
    expect(s1).toMatchObject({ counts: { tp: 1, fp: 1, tn: 2, fn: 1 }, support: 2, precision: 0.5, recall: 0.5 });
    // S2: never predicted → precision null with a reason; recall 0/1 = 0
    expect(s2).toMatchObject({ counts: { tp: 0, fp: 0, tn: 4, fn: 1 }, precision: null, recall: 0 });
    expect(s2!.nullReasons.precision).toMatch(/no item was predicted as S2/);
    // S10: tp item 2, tn items 1, 4, 5, 6 → P 1, R 1
    expect(s10).toMatchObject({ counts: { tp: 1, fp: 0, tn: 4, fn: 0 }, precision: 1, recall: 1 });
  });

  it("ignores categories written on a safe item's label (the record format has none there)", () => {
    const report = perCategoryMetrics([{ label: "safe", labelCategories: ["S1"], predictedCategories: [] }]);
    expect(report.categories).toEqual([]);
    expect(report.countedItems).toBe(1);
  });
});

describe("comparing two runs", () => {
  // threshold 0.5
  //            a+     b−     c+     d−     x (baseline only)   y (candidate only)
  // baseline   0.9 F  0.6 F  0.4    0.1    0.5
  // candidate  0.8 F  0.3    0.7 F  0.2                        0.9
  // baseline:  tp1 (a) fp1 (b) fn1 (c) tn1 (d) → P 1/2, R 1/2, F1 2/(2+1+1) = 1/2, FPR 1/2
  //            AP: 0.9+ 0.6− 0.4+ 0.1− → 1/2·1 + 1/2·2/3 = 5/6
  // candidate: tp2 (a, c) tn2 → P 1, R 1, F1 1, FPR 0; AP 1 (perfect ranking 0.8+ 0.7+ 0.3− 0.2−)
  const baseline: RunItem[] = [
    { id: "a", score: 0.9, label: "unsafe" },
    { id: "b", score: 0.6, label: "safe" },
    { id: "c", score: 0.4, label: "unsafe" },
    { id: "d", score: 0.1, label: "safe" },
    { id: "x", score: 0.5, label: "safe" },
  ];
  const candidate: RunItem[] = [
    { id: "a", score: 0.8 },
    { id: "b", score: 0.3 },
    { id: "c", score: 0.7 },
    { id: "d", score: 0.2 },
    { id: "y", score: 0.9 },
  ];

  it("evaluates both runs over the shared labeled items and reports the deltas", () => {
    const comparison = compareRuns(baseline, candidate, { threshold: 0.5 });
    expect(comparison.sharedItems).toBe(4);
    expect(comparison.baseline.counts).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1, total: 4 });
    expect(comparison.candidate.counts).toEqual({ tp: 2, fp: 0, tn: 2, fn: 0, total: 4 });
    expect(comparison.deltas.precision).toBe(0.5);
    expect(comparison.deltas.recall).toBe(0.5);
    expect(comparison.deltas.f1).toBe(0.5);
    expect(comparison.deltas.fpr).toBe(-0.5);
    expect(comparison.deltas.auprc).toBeCloseTo(1 - 5 / 6, 12);
    expect(comparison.onlyInBaseline).toEqual(["x"]);
    expect(comparison.onlyInCandidate).toEqual(["y"]);
  });

  it("lists the items whose verdict flipped, with their scores and whether the flip fixed or broke them", () => {
    const { flips } = compareRuns(baseline, candidate, { threshold: 0.5 });
    expect(flips).toEqual([
      { id: "b", label: "safe", baselineScore: 0.6, candidateScore: 0.3, changed: ["flag"], direction: "unsafe-to-safe", effect: "fixed" },
      { id: "c", label: "unsafe", baselineScore: 0.4, candidateScore: 0.7, changed: ["flag"], direction: "safe-to-unsafe", effect: "fixed" },
    ]);
  });

  it("says what changed: the flag, the verdict the model wrote, or only the categories", () => {
    const { flips } = compareRuns(
      [
        { id: "flag", score: 0.4, verdict: "unsafe", categories: ["S1"], label: "unsafe" },
        { id: "verdict", score: 0.3, verdict: "safe", categories: [] },
        { id: "categories", score: 0.9, verdict: "unsafe", categories: ["S1", "S2"], label: "unsafe" },
        { id: "same", score: 0.9, verdict: "unsafe", categories: ["S2", "S1"] },
      ],
      [
        { id: "flag", score: 0.7, verdict: "unsafe", categories: ["S1"], label: "unsafe" },
        { id: "verdict", score: 0.45, verdict: "unsafe", categories: ["S9"] },
        { id: "categories", score: 0.95, verdict: "unsafe", categories: ["S2"], label: "unsafe" },
        { id: "same", score: 0.8, verdict: "unsafe", categories: ["S1", "S2"] },
      ],
      { threshold: 0.5 },
    );
    expect(flips.map((flip) => [flip.id, flip.changed, flip.direction, flip.effect])).toEqual([
      ["flag", ["flag"], "safe-to-unsafe", "fixed"],
      ["verdict", ["verdict", "categories"], undefined, "same"],
      ["categories", ["categories"], undefined, "same"],
    ]);
    expect(flips[2]).toMatchObject({ baselineCategories: ["S1", "S2"], candidateCategories: ["S2"], baselineVerdict: "unsafe", candidateVerdict: "unsafe" });
  });

  it("applies a separate candidate threshold", () => {
    // candidate at 0.75: only a (0.8) flagged → c flips back to not flagged, a stays flagged, b still unflagged
    const { flips, deltas } = compareRuns(baseline, candidate, { threshold: 0.5, candidateThreshold: 0.75 });
    expect(flips.map((flip) => [flip.id, flip.direction, flip.effect])).toEqual([["b", "unsafe-to-safe", "fixed"]]);
    // candidate: tp1 fn1 tn2 → recall 1/2, same as the baseline
    expect(deltas.recall).toBe(0);
  });

  it("leaves items with conflicting labels out of the metrics, and unlabeled flips marked as such", () => {
    const comparison = compareRuns(
      [{ id: "a", score: 0.9, label: "unsafe" }, { id: "b", score: 0.9 }],
      [{ id: "a", score: 0.1, label: "safe" }, { id: "b", score: 0.1 }],
      { threshold: 0.5 },
    );
    expect(comparison.labelConflicts).toEqual(["a"]);
    expect(comparison.baseline.counts.total).toBe(0);
    expect(comparison.deltas.precision).toBeNull();
    expect(comparison.flips.map((flip) => flip.effect)).toEqual(["unlabeled", "unlabeled"]);
  });

  it("refuses a run that scores an id twice", () => {
    expect(() => compareRuns([{ id: "a", score: 0.1 }, { id: "a", score: 0.2 }], [], { threshold: 0.5 })).toThrow(/baseline run has the id "a" twice/);
  });
});
