/**
 * The worker's token API (completion.ts): greedy raw completion of token ids with exact log-probabilities, vocabulary
 * facts, tokenising and detokenising, for `guardbench worker` and for remote engines that tokenise as this engine does.
 */
import type { Token } from "node-llama-cpp";
import { ExactDistribution } from "../distribution.ts";
import { EngineError } from "../errors.ts";
import type { CompleteTokensParams, CompletionStep, DescribedTokens, TokenCompletion, TokenLogprob, TokenizeTextsParams, VocabularyFacts } from "../completion.ts";
import type { ScorerParts } from "./classification.ts";
import type { ModelTokens } from "./modelTokens.ts";

/**
 * Greedy raw completion of a prompt given as token ids, with exact log-probabilities: what `guardbench worker` serves.
 * The tokens are used as given (no BOS added, no template), so a remote coordinator decides every prompt token.
 */
export async function completeTokens(
  { info, tokens: vocabulary, slots }: ScorerParts,
  { tokens, maxTokens, topK }: CompleteTokensParams,
  signal?: AbortSignal,
): Promise<TokenCompletion> {
  const prompt = vocabulary.checkedTokens(tokens);
  if (prompt.length === 0) throw new EngineError("prompt-invalid", "the prompt has no tokens", "Send at least one token (usually BOS first).");
  if (prompt.length + maxTokens > info.contextSize) {
    throw new EngineError(
      "prompt-too-long",
      `the prompt is ${prompt.length} tokens and ${maxTokens} more were asked for, but this model's context holds ${info.contextSize}`,
      "Send a shorter prompt, ask for fewer tokens, or start the worker with a larger --context.",
    );
  }
  const slot = slots.claim(prompt);
  try {
    await slots.prepare(slot, prompt);
    const steps: CompletionStep[] = [];
    const generated: Token[] = [];
    // No ContinuationQuery: its cache keeps every position's full distribution, too much for long completions.
    while (generated.length < maxTokens) {
      if (signal?.aborted) throw new EngineError("cancelled", "the completion was cancelled");
      const tokensSoFar = [...prompt, ...generated];
      const [logits] = await slots.evaluator.logitsAfter(slot.sequence, tokensSoFar, [tokensSoFar.length]);
      const distribution = ExactDistribution.fromPairs(logits!);
      const next = distribution.argmax() as Token;
      const top = distribution.top(topK).map(({ token }) => logprobOf(vocabulary, token as Token, distribution));
      steps.push({ ...logprobOf(vocabulary, next, distribution), top });
      if (vocabulary.model.isEogToken(next)) return { steps, finishReason: "stop", promptTokens: prompt.length };
      generated.push(next);
    }
    return { steps, finishReason: "length", promptTokens: prompt.length };
  } finally {
    slots.release(slot);
  }
}

/** What a remote coordinator needs to read a server's answer as this engine reads its own. */
export function vocabularyFacts(vocabulary: ModelTokens): VocabularyFacts {
  const endOfGenerationTokens: number[] = [];
  for (const token of vocabulary.model.iterateAllTokens()) if (vocabulary.model.isEogToken(token)) endOfGenerationTokens.push(token);
  const { decisionTokens } = vocabulary;
  return {
    size: vocabulary.vocabularySize(),
    decisionTokens: { safe: [...decisionTokens.safe], unsafe: [...decisionTokens.unsafe] },
    newlineTokens: [...vocabulary.newlineTokens],
    endOfGenerationTokens,
  };
}

export function tokenizeTexts(vocabulary: ModelTokens, { texts, parseSpecial, addBos }: TokenizeTextsParams): number[][] {
  const { model } = vocabulary;
  const bos = addBos && model.tokens.shouldPrependBosToken && model.tokens.bos != null ? [model.tokens.bos] : [];
  return texts.map((text) => [...bos, ...model.tokenize(text, parseSpecial)]);
}

export function describeTokens(vocabulary: ModelTokens, tokens: number[]): DescribedTokens {
  const checked = vocabulary.checkedTokens(tokens);
  return { pieces: checked.map((t) => vocabulary.pieceOf(t)), text: vocabulary.model.detokenize(checked, true) };
}

function logprobOf(vocabulary: ModelTokens, token: Token, distribution: ExactDistribution): TokenLogprob {
  return { id: token, piece: vocabulary.pieceOf(token), logprob: Math.log(distribution.probabilityOf(token)) };
}
