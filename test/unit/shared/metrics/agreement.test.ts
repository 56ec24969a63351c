// Several runs side by side: the items they flag differently, and each pair's agreement and Cohen's kappa, by hand.
import { describe, expect, it } from "vitest";
import { runAgreement, type AgreementRun } from "../../../../shared/metrics/index.ts";

const run = (runId: number, threshold: number, scores: Record<string, number>): AgreementRun => ({ runId, threshold, scores: new Map(Object.entries(scores)) });
const ids = Array.from({ length: 10 }, (_, i) => `item-${i + 1}`);
/** flags the items whose 1-based number is in `flagged` (score 0.9), the others not (0.1) */
const flagging = (runId: number, flagged: number[]) => run(runId, 0.5, Object.fromEntries(ids.map((id, i) => [id, flagged.includes(i + 1) ? 0.9 : 0.1])));

describe("runAgreement", () => {
  it("counts each pair's agreement and kappa: 8 of 10 alike with each run flagging half is kappa 0.6", () => {
    const a = flagging(1, [1, 2, 3, 4, 5]);
    const b = flagging(2, [1, 2, 3, 4, 6]);
    const report = runAgreement([a, b], new Map([["item-5", "unsafe"]]));
    expect(report).toMatchObject({ compared: 10, unanimous: 8 });
    const [pair] = report.pairs;
    expect(pair).toMatchObject({ runIds: [1, 2], compared: 10, agreed: 8, share: 0.8 });
    // observed 0.8, chance 0.5·0.5 + 0.5·0.5 = 0.5: (0.8 − 0.5) / (1 − 0.5)
    expect(pair!.kappa).toBeCloseTo(0.6, 12);
    expect(report.disagreements).toEqual([
      { itemId: "item-5", label: "unsafe", flagged: [true, false], scores: [0.9, 0.1] },
      { itemId: "item-6", flagged: [false, true], scores: [0.1, 0.9] },
    ]);
  });

  it("compares only the items every run scored, each at its own threshold, and every pair of three runs", () => {
    const a = run(1, 0.5, { x: 0.6, y: 0.2, z: 0.7 });
    const b = run(2, 0.65, { x: 0.6, y: 0.2 });
    const c = run(3, 0.1, { x: 0.6, y: 0.2, w: 0.9 });
    const report = runAgreement([a, b, c], new Map());
    expect(report.compared).toBe(2);
    // x: flagged by a (0.6 ≥ 0.5) and c, not by b (0.6 < 0.65); y: flagged only by c (0.2 ≥ 0.1).
    expect(report.disagreements.map((d) => [d.itemId, d.flagged])).toEqual([
      ["x", [true, false, true]],
      ["y", [false, false, true]],
    ]);
    expect(report.unanimous).toBe(0);
    expect(report.pairs.map((pair) => [pair.runIds, pair.compared, pair.agreed])).toEqual([
      [[1, 2], 2, 1],
      [[1, 3], 2, 1],
      [[2, 3], 2, 0],
    ]);
  });

  it("gives no kappa where chance agreement is certain, and nothing to compare without runs or shared items", () => {
    const allFlagged = runAgreement([flagging(1, ids.map((_, i) => i + 1)), flagging(2, ids.map((_, i) => i + 1))], new Map());
    expect(allFlagged.pairs[0]).toMatchObject({ share: 1, kappa: null });
    expect(runAgreement([], new Map())).toEqual({ compared: 0, unanimous: 0, pairs: [], disagreements: [] });
    expect(runAgreement([run(1, 0.5, { a: 0.1 }), run(2, 0.5, { b: 0.1 })], new Map()).pairs[0]).toMatchObject({ compared: 0, share: null, kappa: null });
    expect(() => runAgreement([run(1, Number.NaN, {})], new Map())).toThrow(RangeError);
  });
});
