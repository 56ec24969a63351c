/**
 * One classification on llama.cpp: the prompt evaluated on a claimed slot, the answer generated greedily, P(unsafe) and
 * P(safe) read at the decision position, and per-category scores along the forced `unsafe\n` path.
 *
 * An exact distribution needs the whole vocabulary's logits copied out of llama.cpp (128k of them for Llama 3), which
 * on a small model costs more than the forward pass. Every position reads one, unless `deferTokenDetails` (batch runs)
 * asks for them only where a stored number needs them: the decision position, and the positions along the forced
 * category path, which an `unsafe\n` answer shares with its generated tokens. Until the decision is found, positions
 * from the index where this model's previous answer decided (at first: after the whitespace its family opens with) are
 * read in full, as any may be the decision, the ones before it for their greedy token only; a decision that comes
 * earlier after all has its position read again. Elsewhere
 * llama.cpp picks the greedy next token itself, and the token's probability and alternatives wait until the result is
 * opened (tokenDetails), computed then on the same evaluation steps as while scoring.
 */
import type { Token } from "node-llama-cpp";
import type { ClassifyRequest } from "../../../shared/ipc/contract.ts";
import { presetPolicy, type Policy } from "../../../shared/taxonomy/index.ts";
import { parseVerdict } from "../../../shared/verdict/index.ts";
import {
  DEFAULT_CLASSIFY_OPTIONS,
  type CategoryScore,
  type ClassificationResult,
  type ClassifyOptions,
  type DetailedToken,
  type GeneratedToken,
} from "../../../shared/classify/result.ts";
import { buildClassificationPrompt } from "../classificationPrompt.ts";
import type { ExactDistribution } from "../distribution.ts";
import { EngineError } from "../errors.ts";
import type { LoadedModelInfo } from "../engine.ts";
import type { PositionRead, SequenceSlots } from "./kvSlots.ts";
import { ContinuationQuery, describe, promptTokensWithin } from "./continuation.ts";
import type { ModelTokens } from "./modelTokens.ts";

/** What a classification (and the token API) needs of the loaded scorer. */
export interface ScorerParts {
  info: LoadedModelInfo;
  tokens: ModelTokens;
  slots: SequenceSlots;
  answers: AnswerShape;
}

/**
 * What the loaded model's answers looked like so far. A model puts its decision at the same index answer after answer
 * (Llama Guard 3 after `\n\n`): positions before it need only their greedy token.
 */
export interface AnswerShape {
  /** undefined until an answer had a decision */
  lastDecisionIndex?: number;
}

export async function classifyConversation(
  { info, tokens: vocabulary, slots, answers }: ScorerParts,
  request: ClassifyRequest,
  options: ClassifyOptions = {},
  signal?: AbortSignal,
): Promise<ClassificationResult> {
  const settings = { ...DEFAULT_CLASSIFY_OPTIONS, ...options };
  const { model } = vocabulary;
  const started = performance.now();
  const policy = request.policy ?? presetPolicy(info.family);
  const { prompt, target } = buildClassificationPrompt(info.family, { ...request, policy });
  const promptTokens = promptTokensWithin(vocabulary, prompt, info.contextSize, settings.maxTokens);
  const slot = slots.claim(promptTokens);
  try {
    await slots.prepare(slot, promptTokens);
    const query = new ContinuationQuery(slot.sequence, promptTokens, slots.evaluator, signal);
    const defer = settings.deferTokenDetails;
    /** the forced path's positions, once the decision (and with it the likeliest `unsafe` token) is known */
    let categoryPositions: ReadonlySet<string> | undefined;
    // Until the decision is found, every position from the one where this model's last answer decided may be it (the
    // first answer: after the whitespace the family's answers open with, LG3's `\n\n`).
    const expectedDecisionIndex = answers.lastDecisionIndex ?? openingWhitespaceTokens(vocabulary, prompt.decisionPrefix);
    const readAfter = (continuation: Token[]): PositionRead => {
      if (!defer) return "distribution";
      if (!categoryPositions) return continuation.length >= expectedDecisionIndex ? "distribution" : "next-token";
      return categoryPositions.has(continuation.join(",")) ? "distribution" : "next-token";
    };
    const first = await query.after([], readAfter([]));
    const promptDone = performance.now();

    const tokens: GeneratedToken[] = [];
    const generated: Token[] = [];
    let decisionTokenIndex = -1;
    for (let position = first; ; ) {
      if (decisionTokenIndex === -1 && !position.distribution && !model.isEogToken(position.next) && !isWhitespace(vocabulary, position.next)) {
        // The decision came earlier than this model's last one: read this position's distribution after all.
        position = await query.after(generated, "distribution");
      }
      const next = position.next;
      if (model.isEogToken(next)) break;
      tokens.push(position.distribution ? describe(vocabulary, next, position.distribution, settings.topK) : { id: next, text: vocabulary.pieceOf(next) });
      generated.push(next);
      if (decisionTokenIndex === -1 && !isWhitespace(vocabulary, next)) {
        decisionTokenIndex = tokens.length - 1;
        answers.lastDecisionIndex = decisionTokenIndex;
        const forcedPrefix = forcedCategoryPrefix(vocabulary, generated.slice(0, -1), position.distribution!);
        categoryPositions = new Set(categoryPaths(vocabulary, policy).flatMap((path) => path.map((_, i) => [...forcedPrefix, ...path.slice(0, i)].join(","))));
      }
      // The position after the last allowed token would only say what comes next, which nobody reads.
      if (generated.length >= settings.maxTokens) break;
      position = await query.after(generated, readAfter(generated));
    }
    const generationDone = performance.now();

    // The decision is the first non-whitespace position: LG3 emits `\n\n` first (prompt-formats/outputs.md §2).
    const decisionAt = decisionTokenIndex === -1 ? generated.length : decisionTokenIndex;
    const leadingWhitespace = generated.slice(0, decisionAt);
    const decision = (await query.after(leadingWhitespace, "distribution")).distribution!;
    const { decisionTokens } = vocabulary;
    const pUnsafe = sum(decisionTokens.unsafe.map((t) => decision.probabilityOf(t)));
    const pSafe = sum(decisionTokens.safe.map((t) => decision.probabilityOf(t)));

    const categoryScores = await scoreCategories(vocabulary, query, forcedCategoryPrefix(vocabulary, leadingWhitespace, decision), policy);
    const categoriesDone = performance.now();

    const outputText = model.detokenize(generated, true);
    const verdict = parseVerdict(outputText, policy);
    const threshold = settings.threshold;
    return {
      verdict: verdict.kind,
      categories: verdict.kind === "unsafe" ? verdict.categories : [],
      ...(verdict.kind === "unparseable" ? { unparseableReason: verdict.reason } : {}),
      pUnsafe,
      pSafe,
      pUnsafeNormalized: pUnsafe + pSafe > 0 ? pUnsafe / (pUnsafe + pSafe) : 0,
      score: pUnsafe,
      threshold,
      flagged: pUnsafe >= threshold,
      categoryScores,
      categoryScoresMethod: "forced-prefix",
      tokens,
      decisionTokenIndex: decisionTokenIndex,
      outputText,
      target,
      prompt: { text: prompt.text, tokenCount: promptTokens.length },
      model: { path: info.path, family: info.family },
      timingsMs: {
        prompt: promptDone - started,
        generation: generationDone - promptDone,
        categories: categoriesDone - generationDone,
        total: categoriesDone - started,
      },
    };
  } finally {
    slots.release(slot);
  }
}

/** How many tokens the whitespace a family's answer opens with takes (LG3: `\n\n`, one token); 0 for anything else. */
function openingWhitespaceTokens(vocabulary: ModelTokens, decisionPrefix: string): number {
  return decisionPrefix !== "" && decisionPrefix.trim() === "" ? vocabulary.continuationTokens(decisionPrefix).length : 0;
}

/** A token that is only whitespace (LG3's leading `\n\n`): the decision comes after it. */
function isWhitespace(vocabulary: ModelTokens, token: Token): boolean {
  return vocabulary.pieceOf(token).trim() === "";
}

/** The forced prefix of the category walk: the answer's leading whitespace, the likeliest `unsafe` token, `\n`. */
function forcedCategoryPrefix(vocabulary: ModelTokens, leadingWhitespace: Token[], decision: ExactDistribution): Token[] {
  const likeliestUnsafe = vocabulary.decisionTokens.unsafe.reduce((a, b) => (decision.probabilityOf(b) > decision.probabilityOf(a) ? b : a));
  return [...leadingWhitespace, likeliestUnsafe, ...vocabulary.newlineTokens];
}

/** Each enabled category's code as tokens, in policy order. */
function categoryPaths(vocabulary: ModelTokens, policy: Policy): Token[][] {
  return policy.categories.filter((c) => c.enabled).map((category) => vocabulary.continuationTokens(category.code));
}

/**
 * P(code) = product of the code's token probabilities after `unsafe\n`. Codes that share leading tokens (every `S…`
 * code starts with the token `S`) share those evaluations, so the whole taxonomy costs about two extra positions.
 */
async function scoreCategories(vocabulary: ModelTokens, query: ContinuationQuery, forcedPrefix: Token[], policy: Policy): Promise<CategoryScore[]> {
  const enabled = policy.categories.filter((c) => c.enabled);
  const paths = categoryPaths(vocabulary, policy);
  const scores: CategoryScore[] = [];
  for (const [index, category] of enabled.entries()) {
    const path = paths[index]!;
    // One evaluation gives the forced prefix and every position along the code (`unsafe`, `\n`, `S` in one batch).
    const along = await query.along([...forcedPrefix, ...path.slice(0, -1)], forcedPrefix.length);
    const p = path.reduce((product, token, i) => product * along[i]!.probabilityOf(token), 1);
    scores.push({ code: category.code, name: category.name.trim(), p });
  }
  return scores;
}

/**
 * The probability and alternatives of the answer's tokens at `positions` (indexes into `generated`), for a result
 * scored with `deferTokenDetails`. The answer is evaluated again one token at a time, as scoring evaluated it, so each
 * number is the one a full scoring would have stored.
 */
export async function tokenDetails(
  { info, tokens: vocabulary, slots }: ScorerParts,
  request: ClassifyRequest,
  generated: readonly number[],
  positions: readonly number[],
  topK: number,
  signal?: AbortSignal,
): Promise<DetailedToken[]> {
  const answer = vocabulary.checkedTokens(generated);
  const bad = positions.find((position) => !Number.isInteger(position) || position < 0 || position >= answer.length);
  if (bad !== undefined) throw new EngineError("prompt-invalid", `position ${bad} is not one of the answer's ${answer.length} tokens`);
  const policy = request.policy ?? presetPolicy(info.family);
  const { prompt } = buildClassificationPrompt(info.family, { ...request, policy });
  const promptTokens = vocabulary.tokenizePrompt(prompt);
  const wanted = new Set(positions);
  const last = Math.max(-1, ...positions);
  const slot = slots.claim(promptTokens);
  try {
    await slots.prepare(slot, promptTokens);
    const query = new ContinuationQuery(slot.sequence, promptTokens, slots.evaluator, signal);
    const details = new Map<number, DetailedToken>();
    for (let i = 0; i <= last; i++) {
      const position = await query.after(answer.slice(0, i), wanted.has(i) ? "distribution" : "next-token");
      if (position.distribution) details.set(i, describe(vocabulary, answer[i]!, position.distribution, topK));
    }
    return positions.map((position) => details.get(position)!);
  } finally {
    slots.release(slot);
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
