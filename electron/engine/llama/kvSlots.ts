/**
 * The context's sequences (KV-cache slots) and prefix reuse: a classification claims the free slot that already holds
 * the longest part of its prompt, takes a longer evaluated prefix from another slot by copying its KV state, and every
 * evaluation goes through one SequenceEvaluator, which keeps what each sequence already evaluated and counts the work.
 */
import type { LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";
import { EngineError } from "../errors.ts";
import type { EngineWork, LoadedModelInfo } from "../engine.ts";
import { LockstepBatches } from "../lockstep.ts";
import type { LogitPairs } from "../distribution.ts";
import { logitPairsOf } from "./logitPairs.ts";

/** A sequence and whether a classification is using it right now. */
export interface Slot {
  sequence: LlamaContextSequence;
  busy: boolean;
}

/** Below this many tokens, evaluating them is about as quick as copying another sequence's state. */
const MIN_TOKENS_WORTH_COPYING = 16;

export class SequenceSlots {
  private readonly slots: Slot[];

  /**
   * @param context undefined when only the vocabulary is loaded: then there are no slots and claiming one fails
   * @param reusePrefix keep evaluated prefixes between claims (off only to measure what reuse saves)
   */
  constructor(
    context: LlamaContext | undefined,
    private readonly info: LoadedModelInfo,
    private readonly reusePrefix: boolean,
    readonly evaluator: SequenceEvaluator,
  ) {
    this.slots = context ? Array.from({ length: info.sequences }, () => ({ sequence: context.getSequence(), busy: false })) : [];
  }

  /** The free slot whose evaluated tokens share the longest prefix with this prompt (same policy and role label). */
  claim(promptTokens: Token[]): Slot {
    if (this.info.vocabOnly) {
      throw new EngineError("no-model-loaded", `${this.info.path} is loaded for its vocabulary only, which can tokenise but not evaluate`, "Load the model without vocabOnly to score with it.");
    }
    const free = this.slots.filter((s) => !s.busy);
    if (free.length === 0) throw new EngineError("engine-busy", "every sequence of this model is busy", "Wait for the running classifications to finish.");
    let best = free[0]!;
    let bestShared = -1;
    for (const slot of free) {
      const shared = commonPrefixLength(slot.sequence.contextTokens, promptTokens);
      if (shared > bestShared) [best, bestShared] = [slot, shared];
    }
    best.busy = true;
    this.evaluator.batches.begin();
    return best;
  }

  release(slot: Slot): void {
    slot.busy = false;
    this.evaluator.batches.end();
  }

  /**
   * Gives a claimed slot the longest evaluated prefix of this prompt any sequence holds. A sequence that never saw this
   * policy copies another's KV state (a cheap copy inside llama.cpp) instead of evaluating the policy prefix again.
   */
  async prepare(slot: Slot, promptTokens: Token[]): Promise<void> {
    if (!this.reusePrefix) {
      await slot.sequence.clearHistory();
      return;
    }
    const own = commonPrefixLength(slot.sequence.contextTokens, promptTokens);
    let donor: Slot | undefined;
    let donorShared = own;
    for (const other of this.slots) {
      // Never all of it: the last prompt token is evaluated again for its logits anyway.
      const shared = Math.min(commonPrefixLength(other.sequence.contextTokens, promptTokens), promptTokens.length - 1);
      if (other !== slot && shared > donorShared) [donor, donorShared] = [other, shared];
    }
    if (!donor || donorShared - own < MIN_TOKENS_WORTH_COPYING) return;
    if (!(await this.evaluator.copyPrefix(slot.sequence, donor.sequence, donorShared))) await slot.sequence.clearHistory();
  }
}

/**
 * What an evaluation reads after a position: the raw logits of the whole vocabulary (for an exact distribution), or
 * only the greedy next token, which llama.cpp picks itself without copying the logits out (temperature 0: its greedy
 * sampler, which like ExactDistribution.argmax gives ties to the lowest id).
 */
export type PositionRead = "distribution" | "next-token";

export type PositionOutput = { read: "distribution"; pairs: LogitPairs } | { read: "next-token"; token: Token };

type EvaluationInput = Token | [Token, { generateNext: { logits: true } | { token: true } }];

/** Every evaluation of every sequence of one context goes through here. */
export class SequenceEvaluator {
  readonly batches = new LockstepBatches();
  private counts = { tokensEvaluated: 0, promptTokensEvaluated: 0, distributions: 0, nextTokenReads: 0, prefixTokensCopied: 0 };

  work(): EngineWork {
    return { ...this.counts, ...this.batches.stats() };
  }

  /**
   * Evaluates `tokens` on the sequence, keeping the longest prefix its KV cache already holds, and returns the raw
   * logits after each of the first `n` tokens for every n in `after` (ascending).
   */
  async logitsAfter(sequence: LlamaContextSequence, tokens: Token[], after: number[]): Promise<LogitPairs[]> {
    const outputs = await this.evaluate(sequence, tokens, after.map((n) => ({ after: n, read: "distribution" as const })));
    return outputs.map((output) => (output as Extract<PositionOutput, { read: "distribution" }>).pairs);
  }

  /**
   * Evaluates `tokens` on the sequence, keeping the longest prefix its KV cache already holds, and reads after each of
   * the first `n` tokens what `reads` asks for that n (ascending). `promptLength`: how many of `tokens` are the prompt,
   * for the work counters.
   */
  async evaluate(sequence: LlamaContextSequence, tokens: Token[], reads: ReadonlyArray<{ after: number; read: PositionRead }>, promptLength = 0): Promise<PositionOutput[]> {
    const evaluated = sequence.contextTokens;
    // A position's logits exist only when its token is evaluated in this call.
    const keep = Math.min(commonPrefixLength(evaluated, tokens), reads[0]!.after - 1);
    if (keep < evaluated.length) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
    const readAfter = new Map(reads.map(({ after, read }) => [after, read]));
    const input = tokens.slice(keep).map((token, i): EvaluationInput => {
      const read = readAfter.get(keep + i + 1);
      return read === undefined ? token : [token, { generateNext: read === "distribution" ? { logits: true } : { token: true } }];
    });
    await this.batches.turn();
    this.counts.tokensEvaluated += input.length;
    this.counts.promptTokensEvaluated += Math.max(0, promptLength - keep);
    const results = await sequence.controlledEvaluate(input);
    return reads.map(({ after: n, read }) => {
      const next = results[n - 1 - keep]?.next;
      if (read === "distribution") {
        if (!next?.logits) throw new EngineError("engine-failed", `llama.cpp returned no logits for prompt position ${n}`);
        this.counts.distributions++;
        return { read, pairs: logitPairsOf(next.logits) };
      }
      if (next?.token == null) throw new EngineError("engine-failed", `llama.cpp returned no next token for prompt position ${n}`);
      this.counts.nextTokenReads++;
      return { read, token: next.token };
    });
  }

  /**
   * `target` takes `source`'s KV state for its first `upTo` tokens. node-llama-cpp has this only as an internal method
   * (it uses it for its own prefix sharing); false when it is missing or did not copy, and the caller evaluates instead.
   */
  async copyPrefix(target: LlamaContextSequence, source: LlamaContextSequence, upTo: number): Promise<boolean> {
    type WithCopy = { _copyStateFromOtherSequence?: (other: LlamaContextSequence, upToTokenIndex: number) => Promise<boolean> };
    const copy = (target as unknown as WithCopy)._copyStateFromOtherSequence;
    if (typeof copy !== "function") return false;
    try {
      const copied = (await copy.call(target, source, upTo)) && target.nextTokenIndex === upTo;
      if (copied) this.counts.prefixTokensCopied += upTo;
      return copied;
    } catch {
      return false;
    }
  }
}

/** How many leading tokens `a` and `b` share. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}
