/**
 * The whole vocabulary's logits as node-llama-cpp's native addon builds them, without the Map its JavaScript side
 * makes of them.
 *
 * For `generateNext: {logits: true}` the addon's `sampleToken` answers a flat array, token id and logit alternating,
 * highest first, and `controlledEvaluate` revives it into a `Map` of every token (reviveTokenValuePair): 128k `set`s
 * a position for Llama 3, which cost 11–17 ms on the development machine against 23–27 ms for the addon's own copy
 * (`npm run bench` measures both side by side). The addon exposes no typed-array logits, so the copy itself stays.
 *
 * passLogitPairsThrough wraps the context's `sampleToken` so that such an array reaches the Map as its one value under
 * a key no token has; logitPairsOf takes it out again. The numbers are the addon's, in its order, so every
 * distribution is the same bit for bit. On a node-llama-cpp where the wrapper cannot be installed (or answers
 * differently), the Map arrives as before and logitPairsOf flattens it, with the same numbers, only slower.
 */
import type { LlamaContext, Token } from "node-llama-cpp";
import { logitPairsOfMap, type LogitPairs } from "../distribution.ts";

/** The Map key the whole array travels under: no token has a negative id. */
const PAIRS_KEY = -1;
const wrapped = new WeakSet<object>();

type SampleToken = (batchLogitIndex: unknown, sampler: unknown, probabilities?: boolean, confidence?: boolean, logits?: unknown, totalLogitWeight?: boolean) => Promise<unknown>;

/** True when the context's positions now come as pairs (installed now or before). */
export function passLogitPairsThrough(context: LlamaContext): boolean {
  const addonContext = (context as unknown as { _ctx?: { sampleToken?: SampleToken } })._ctx;
  if (!addonContext || typeof addonContext.sampleToken !== "function") return false;
  if (wrapped.has(addonContext)) return true;
  const sampleToken = addonContext.sampleToken.bind(addonContext) as SampleToken;
  const passThrough: SampleToken = async (...args) => {
    const result = await sampleToken(...args);
    // Only the whole-vocabulary read: filtered logits and every other caller of sampleToken keep their own answer.
    if (args[4] === true && Array.isArray(result) && Array.isArray(result[3])) result[3] = [PAIRS_KEY, result[3]];
    return result;
  };
  try {
    // The addon's method is read-only on its prototype; an own property of the instance shadows it.
    Object.defineProperty(addonContext, "sampleToken", { value: passThrough, configurable: true, writable: true });
  } catch {
    return false;
  }
  wrapped.add(addonContext);
  return true;
}

/** A position's logits as pairs, whichever way they arrived. */
export function logitPairsOf(logits: Map<Token, number>): LogitPairs {
  if (logits.size === 1) {
    const passed = (logits as unknown as Map<number, unknown>).get(PAIRS_KEY);
    if (Array.isArray(passed)) return passed as LogitPairs;
  }
  return logitPairsOfMap(logits);
}
