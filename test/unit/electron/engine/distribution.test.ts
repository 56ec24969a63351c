/**
 * ExactDistribution reads the maximum, the greedy token and the top k off the front of logits that come sorted (as
 * node-llama-cpp hands them over); the same logits in id order must give the very same numbers.
 */
import { describe, expect, it } from "vitest";
import { TOP_K_RANGE } from "../../../../shared/classify/result.ts";
import { ExactDistribution } from "../../../../electron/engine/distribution.ts";

/** A deterministic vocabulary with ties: many tokens share a few logit values, the highest value among them. */
function logitsInIdOrder(size: number): Map<number, number> {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return new Map(Array.from({ length: size }, (_, token) => [token, next() < 0.3 ? Math.floor(next() * 4) : next() * 3 - 1]));
}

/** Highest first, ties in an order that is not by id (std::sort is not stable): what node-llama-cpp may hand over. */
function sortedHighestFirst(logits: Map<number, number>): Map<number, number> {
  return new Map([...logits].sort((a, b) => b[1] - a[1] || b[0] - a[0]));
}

describe("ExactDistribution", () => {
  const inIdOrder = logitsInIdOrder(5000);
  const sorted = sortedHighestFirst(inIdOrder);
  const a = ExactDistribution.fromLogits(inIdOrder);
  const b = ExactDistribution.fromLogits(sorted);

  it("gives every token the same probability from sorted and unsorted logits", () => {
    for (const token of [0, 1, 17, 999, 4999]) expect(b.probabilityOf(token)).toBeCloseTo(a.probabilityOf(token), 15);
    const total = [...inIdOrder.keys()].reduce((sum, token) => sum + b.probabilityOf(token), 0);
    expect(total).toBeCloseTo(1, 12);
  });

  it("breaks ties at the maximum and at the k-th place by the lowest id, in either order", () => {
    const maxLogit = Math.max(...inIdOrder.values());
    const tiedAtMax = [...inIdOrder].filter(([, logit]) => logit === maxLogit).map(([token]) => token);
    expect(tiedAtMax.length).toBeGreaterThan(1);
    expect(b.argmax()).toBe(Math.min(...tiedAtMax));
    expect(a.argmax()).toBe(b.argmax());
    for (const k of [1, 3, tiedAtMax.length, tiedAtMax.length + 2, 50]) {
      // The same tokens in the same order; the probabilities differ only by the order the normaliser was summed in.
      expect(b.top(k).map(({ token }) => token)).toEqual(a.top(k).map(({ token }) => token));
      b.top(k).forEach(({ p }, i) => expect(p).toBeCloseTo(a.top(k)[i]!.p, 15));
      expect(b.top(k).map(({ token }) => token).slice(0, Math.min(k, tiedAtMax.length))).toEqual([...tiedAtMax].sort((x, y) => x - y).slice(0, k));
    }
    expect(b.top(0)).toEqual([]);
  });
});

/* The whole range the contract allows for top-k (0–50), on logits whose answer is known. */
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
