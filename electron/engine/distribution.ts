/**
 * Exact next-token probabilities from raw logits.
 *
 * node-llama-cpp's own `probabilities` normalise with a float32 running sum over the whole vocabulary, which drifts
 * (0.80086 measured for a true 0.80000 on a 128k vocabulary). Here the softmax is done in float64 over every raw logit.
 * Its filtered logits path (`logits: {filter: {tokens, includeTop}}` with `totalLogitWeight`) copies far less but
 * normalises with the same float32 sum: 4.7e-5 off the float64 value on the random 1B bench model, against the 1e-6
 * this needs (`npm run bench` measures it), so every exact distribution here is made from the whole vocabulary.
 *
 * node-llama-cpp hands the logits over sorted, highest first (documented on `controlledEvaluate`); the maximum, the
 * greedy token and the top k are then read off the front. Logits that are not in that order are handled by full scans.
 * They are read as the addon's flat pairs (llama/logitPairs.ts says why), a Map only where one is at hand.
 */
export interface TokenProbability {
  token: number;
  p: number;
}

/**
 * A position's logits as node-llama-cpp's native addon builds them: one flat array, token id and logit alternating
 * (`[token, logit, token, logit, …]`), highest logit first.
 */
export type LogitPairs = readonly number[];

/** A Map of token → logit as pairs, in the Map's order (what node-llama-cpp's public API returns, and tests build). */
export function logitPairsOfMap(logits: ReadonlyMap<number, number>): LogitPairs {
  const pairs = new Array<number>(logits.size * 2);
  let at = 0;
  for (const [token, logit] of logits) {
    pairs[at++] = token;
    pairs[at++] = logit;
  }
  return pairs;
}

export class ExactDistribution {
  /** where each token id's pair starts (-1: absent), built on the first lookup by id */
  private positionOfToken?: Int32Array;

  private constructor(
    private readonly pairs: LogitPairs,
    private readonly maxLogit: number,
    private readonly logNormaliser: number,
    /** the logits come highest first */
    private readonly sorted: boolean,
  ) {}

  static fromLogits(logits: ReadonlyMap<number, number>): ExactDistribution {
    return ExactDistribution.fromPairs(logitPairsOfMap(logits));
  }

  static fromPairs(pairs: LogitPairs): ExactDistribution {
    // One pass when the first logit is the highest (sorted input): the sum is the same, term by term, as two passes'.
    let max = pairs.length > 1 ? pairs[1]! : -Infinity;
    let sorted = true;
    let previous = Infinity;
    let sum = 0;
    for (let i = 1; i < pairs.length; i += 2) {
      const logit = pairs[i]!;
      if (logit > previous) sorted = false;
      previous = logit;
      sum += Math.exp(logit - max);
    }
    if (!sorted) {
      max = -Infinity;
      for (let i = 1; i < pairs.length; i += 2) if (pairs[i]! > max) max = pairs[i]!;
      sum = 0;
      for (let i = 1; i < pairs.length; i += 2) sum += Math.exp(pairs[i]! - max);
    }
    return new ExactDistribution(pairs, max, Math.log(sum), sorted);
  }

  probabilityOf(token: number): number {
    const at = this.pairIndexOf(token);
    return at < 0 ? 0 : Math.exp(this.pairs[at + 1]! - this.maxLogit - this.logNormaliser);
  }

  /** Greedy choice; ties go to the lowest token id, as llama.cpp's greedy sampler scans in id order. */
  argmax(): number {
    let best = -1;
    let bestLogit = -Infinity;
    for (let i = 0; i < this.pairs.length; i += 2) {
      const token = this.pairs[i]!;
      const logit = this.pairs[i + 1]!;
      // Sorted: the first logit below the maximum ends the tied front.
      if (this.sorted && logit < bestLogit) break;
      if (logit > bestLogit || (logit === bestLogit && token < best)) {
        best = token;
        bestLogit = logit;
      }
    }
    return best;
  }

  /** The k most likely tokens, most likely first, found in one pass without sorting the vocabulary; none for k ≤ 0. */
  top(k: number): TokenProbability[] {
    const best: Array<{ token: number; logit: number }> = [];
    const limit = Math.floor(k);
    // The scan below compares against the limit-th best so far, which does not exist for k = 0.
    if (!(limit >= 1)) return [];
    for (let i = 0; i < this.pairs.length; i += 2) {
      const token = this.pairs[i]!;
      const logit = this.pairs[i + 1]!;
      // Sorted: once k are held, a logit below the k-th can neither enter nor be followed by one that does.
      if (this.sorted && best.length === limit && logit < best[limit - 1]!.logit) break;
      if (best.length === limit && !ranksAbove(token, logit, best[limit - 1]!)) continue;
      let at = best.length;
      while (at > 0 && ranksAbove(token, logit, best[at - 1]!)) at--;
      best.splice(at, 0, { token, logit });
      if (best.length > limit) best.pop();
    }
    return best.map(({ token }) => ({ token, p: this.probabilityOf(token) }));
  }

  private pairIndexOf(token: number): number {
    if (!this.positionOfToken) {
      let highestId = -1;
      for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i]! > highestId) highestId = this.pairs[i]!;
      const positions = new Int32Array(highestId + 1).fill(-1);
      for (let i = 0; i < this.pairs.length; i += 2) positions[this.pairs[i]!] = i;
      this.positionOfToken = positions;
    }
    return Number.isInteger(token) && token >= 0 && token < this.positionOfToken.length ? this.positionOfToken[token]! : -1;
  }
}

function ranksAbove(token: number, logit: number, other: { token: number; logit: number }): boolean {
  return logit > other.logit || (logit === other.logit && token < other.token);
}
