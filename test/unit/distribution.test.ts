/** ExactDistribution's top-k over the whole range the contract allows (0–50), on logits whose answer is known. */
import { describe, expect, it } from "vitest";
import { TOP_K_RANGE } from "../../shared/classify/result.ts";
import { ExactDistribution } from "../../electron/engine/distribution.ts";

const logits = new Map([
  [10, 2],
  [11, 5],
  [12, 5],
  [13, -1],
]);

describe("ExactDistribution.top", () => {
  it("gives no alternatives for k = 0 (and for nonsense k), instead of reading a k-th best that does not exist", () => {
    const distribution = ExactDistribution.fromLogits(logits);
    expect(distribution.top(TOP_K_RANGE.min)).toEqual([]);
    expect(distribution.top(-3)).toEqual([]);
    expect(distribution.top(Number.NaN)).toEqual([]);
  });

  it("ranks by logit, ties by lower id, and stops at the vocabulary's size", () => {
    const distribution = ExactDistribution.fromLogits(logits);
    expect(distribution.top(1).map((t) => t.token)).toEqual([11]);
    expect(distribution.top(2.7).map((t) => t.token)).toEqual([11, 12]);
    expect(distribution.top(TOP_K_RANGE.max).map((t) => t.token)).toEqual([11, 12, 10, 13]);
    const total = distribution.top(4).reduce((sum, t) => sum + t.p, 0);
    expect(total).toBeCloseTo(1, 12);
  });
});
