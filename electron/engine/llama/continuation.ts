/**
 * Questions about one prompt's continuations on a claimed sequence: "what comes next after the prompt plus these
 * tokens?", with the KV cache reused across questions. Every classification path asks through it.
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { ExactDistribution } from "../distribution.ts";
import { EngineError } from "../errors.ts";
import type { DetailedToken } from "../../../shared/classify/result.ts";
import type { PositionOutput, PositionRead, SequenceEvaluator, SequenceSlots } from "./kvSlots.ts";
import type { BuiltPrompt } from "../../../shared/prompts/index.ts";
import type { ModelTokens } from "./modelTokens.ts";

export function describe(vocabulary: ModelTokens, token: Token, distribution: ExactDistribution, topK: number): DetailedToken {
  return {
    id: token,
    text: vocabulary.pieceOf(token),
    p: distribution.probabilityOf(token),
    top: distribution.top(topK).map(({ token: id, p }) => ({ id, text: vocabulary.pieceOf(id as Token), p })),
  };
}

/** What the query knows after a continuation: the greedy next token, and the exact distribution where it was read. */
export interface Position {
  next: Token;
  distribution?: ExactDistribution;
}

/**
 * Answers "what comes next after the prompt plus these tokens?" on one sequence, reusing the longest common prefix
 * already in its KV cache: the policy prefix across conversations, the generated answer across positions. A position
 * read for its next token only is read again when its distribution is asked for.
 */
export class ContinuationQuery {
  private readonly cache = new Map<string, Position>();

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly promptTokens: Token[],
    private readonly evaluator: SequenceEvaluator,
    private readonly signal?: AbortSignal,
    /**
     * Keep each distribution read, to answer a later question about the same position without evaluating it again.
     * Off, only the next token is kept: a whole vocabulary per position (200k for gpt-oss) over a long answer would
     * not fit in memory, so the caller keeps what it needs of each distribution instead.
     */
    private readonly retainDistributions = true,
  ) {}

  async after(continuation: Token[], read: PositionRead): Promise<Position> {
    return (await this.positions(continuation, continuation.length, read))[0]!;
  }

  /**
   * The distributions after `path.slice(0, n)` for every n from `from` to `path.length`, evaluated in one batch: a
   * forced path costs one decode however many of its positions are read.
   */
  async along(path: Token[], from: number): Promise<ExactDistribution[]> {
    return (await this.positions(path, from, "distribution")).map((position) => position.distribution!);
  }

  private async positions(path: Token[], from: number, read: PositionRead): Promise<Position[]> {
    const keyOf = (n: number) => path.slice(0, n).join(",");
    const lengths = Array.from({ length: path.length - from + 1 }, (_, i) => from + i);
    const known = (n: number) => {
      const position = this.cache.get(keyOf(n));
      return position !== undefined && (read === "next-token" || position.distribution !== undefined);
    };
    const missing = lengths.filter((n) => !known(n));
    if (missing.length > 0) {
      if (this.signal?.aborted) throw new EngineError("cancelled", "the classification was cancelled");
      const tokens = [...this.promptTokens, ...path.slice(0, missing.at(-1))];
      const reads = missing.map((n) => ({ after: this.promptTokens.length + n, read }));
      const outputs = await this.evaluator.evaluate(this.sequence, tokens, reads, this.promptTokens.length);
      const fresh = new Map(missing.map((n, i) => [n, positionOf(outputs[i]!)]));
      for (const [n, position] of fresh) this.cache.set(keyOf(n), this.retainDistributions ? position : { next: position.next });
      return lengths.map((n) => fresh.get(n) ?? this.cache.get(keyOf(n))!);
    }
    return lengths.map((n) => this.cache.get(keyOf(n))!);
  }
}

function positionOf(output: PositionOutput): Position {
  if (output.read === "next-token") return { next: output.token };
  const distribution = ExactDistribution.fromPairs(output.pairs);
  return { next: distribution.argmax() as Token, distribution };
}


/** The prompt's token ids, refused when the context cannot hold them with room for an answer of `maxTokens`. */
export function promptTokensWithin(vocabulary: ModelTokens, prompt: BuiltPrompt<string>, contextSize: number, maxTokens: number): Token[] {
  const promptTokens = vocabulary.tokenizePrompt(prompt);
  const room = contextSize - maxTokens - 8;
  if (promptTokens.length > room) {
    throw new EngineError(
      "prompt-too-long",
      `the prompt is ${promptTokens.length} tokens but this model's context holds ${contextSize} (with room for the answer: ${room})`,
      "Shorten the conversation or load the model with a larger context size.",
    );
  }
  return promptTokens;
}

/**
 * Claims a sequence, evaluates the prompt on it (reusing what the sequence, or another, already holds of it: prompts
 * sharing a policy prefix, or ShieldGemma's conversation before its guideline), and asks `use` its questions.
 */
export async function onPrompt<T>(
  slots: SequenceSlots,
  promptTokens: Token[],
  signal: AbortSignal | undefined,
  use: (query: ContinuationQuery) => Promise<T>,
  options: { retainDistributions?: boolean } = {},
): Promise<T> {
  const slot = slots.claim(promptTokens);
  try {
    await slots.prepare(slot, promptTokens);
    return await use(new ContinuationQuery(slot.sequence, promptTokens, slots.evaluator, signal, options.retainDistributions));
  } finally {
    slots.release(slot);
  }
}
