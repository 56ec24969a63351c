/**
 * One classification on llama.cpp: the prompt evaluated on a claimed slot, the answer generated greedily with every
 * position's exact distribution, P(unsafe) and P(safe) read at the decision position, and per-category scores along the
 * forced `unsafe\n` path.
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { ClassifyRequest } from "../../../shared/ipc/contract.ts";
import { presetPolicy, type Policy } from "../../../shared/taxonomy/index.ts";
import { parseVerdict } from "../../../shared/verdict/index.ts";
import { DEFAULT_CLASSIFY_OPTIONS, type CategoryScore, type ClassificationResult, type ClassifyOptions, type GeneratedToken } from "../../../shared/classify/result.ts";
import { buildClassificationPrompt } from "../classificationPrompt.ts";
import { ExactDistribution } from "../distribution.ts";
import { EngineError } from "../errors.ts";
import type { LoadedModelInfo } from "../engine.ts";
import type { SequenceEvaluator, SequenceSlots } from "./kvSlots.ts";
import type { ModelTokens } from "./modelTokens.ts";

/** What a classification (and the token API) needs of the loaded scorer. */
export interface ScorerParts {
  info: LoadedModelInfo;
  tokens: ModelTokens;
  slots: SequenceSlots;
}

export async function classifyConversation(
  { info, tokens: vocabulary, slots }: ScorerParts,
  request: ClassifyRequest,
  options: ClassifyOptions = {},
  signal?: AbortSignal,
): Promise<ClassificationResult> {
  const settings = { ...DEFAULT_CLASSIFY_OPTIONS, ...options };
  const { model } = vocabulary;
  const started = performance.now();
  const policy = request.policy ?? presetPolicy(info.family);
  const { prompt, target } = buildClassificationPrompt(info.family, { ...request, policy });
  const promptTokens = vocabulary.tokenizePrompt(prompt);
  const room = info.contextSize - settings.maxTokens - 8;
  if (promptTokens.length > room) {
    throw new EngineError(
      "prompt-too-long",
      `the prompt is ${promptTokens.length} tokens but this model's context holds ${info.contextSize} (with room for the answer: ${room})`,
      "Shorten the conversation or load the model with a larger context size.",
    );
  }

  const slot = slots.claim(promptTokens);
  try {
    await slots.prepare(slot, promptTokens);
    const query = new ContinuationQuery(slot.sequence, promptTokens, slots.evaluator, signal);
    const first = await query.after([]);
    const promptDone = performance.now();

    const tokens: GeneratedToken[] = [];
    const generated: Token[] = [];
    let decisionTokenIndex = -1;
    for (let distribution = first; ; ) {
      const next = distribution.argmax() as Token;
      if (model.isEogToken(next)) break;
      tokens.push(describe(vocabulary, next, distribution, settings.topK));
      generated.push(next);
      if (decisionTokenIndex === -1 && vocabulary.pieceOf(next).trim() !== "") decisionTokenIndex = tokens.length - 1;
      // The position after the last allowed token would only say what comes next, which nobody reads.
      if (generated.length >= settings.maxTokens) break;
      distribution = await query.after(generated);
    }
    const generationDone = performance.now();

    // The decision is the first non-whitespace position: LG3 emits `\n\n` first (prompt-formats/outputs.md §2).
    const decisionAt = decisionTokenIndex === -1 ? generated.length : decisionTokenIndex;
    const leadingWhitespace = generated.slice(0, decisionAt);
    const decision = await query.after(leadingWhitespace);
    const { decisionTokens } = vocabulary;
    const pUnsafe = sum(decisionTokens.unsafe.map((t) => decision.probabilityOf(t)));
    const pSafe = sum(decisionTokens.safe.map((t) => decision.probabilityOf(t)));

    const likeliestUnsafe = decisionTokens.unsafe.reduce((a, b) => (decision.probabilityOf(b) > decision.probabilityOf(a) ? b : a));
    const categoryScores = await scoreCategories(vocabulary, query, [...leadingWhitespace, likeliestUnsafe, ...vocabulary.newlineTokens], policy);
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

/**
 * P(code) = product of the code's token probabilities after `unsafe\n`. Codes that share leading tokens (every `S…`
 * code starts with the token `S`) share those evaluations, so the whole taxonomy costs about two extra positions.
 */
async function scoreCategories(vocabulary: ModelTokens, query: ContinuationQuery, forcedPrefix: Token[], policy: Policy): Promise<CategoryScore[]> {
  const scores: CategoryScore[] = [];
  for (const category of policy.categories.filter((c) => c.enabled)) {
    const path = vocabulary.model.tokenize(category.code, false);
    // One evaluation gives the forced prefix and every position along the code (`unsafe`, `\n`, `S` in one batch).
    const along = await query.along([...forcedPrefix, ...path.slice(0, -1)], forcedPrefix.length);
    const p = path.reduce((product, token, i) => product * along[i]!.probabilityOf(token), 1);
    scores.push({ code: category.code, name: category.name.trim(), p });
  }
  return scores;
}

function describe(vocabulary: ModelTokens, token: Token, distribution: ExactDistribution, topK: number): GeneratedToken {
  return {
    id: token,
    text: vocabulary.pieceOf(token),
    p: distribution.probabilityOf(token),
    top: distribution.top(topK).map(({ token: id, p }) => ({ id, text: vocabulary.pieceOf(id as Token), p })),
  };
}

/**
 * Answers "what comes next after the prompt plus these tokens?" on one sequence, reusing the longest common prefix
 * already in its KV cache: the policy prefix across conversations, the generated answer across positions.
 */
class ContinuationQuery {
  private readonly cache = new Map<string, ExactDistribution>();

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly promptTokens: Token[],
    private readonly evaluator: SequenceEvaluator,
    private readonly signal?: AbortSignal,
  ) {}

  async after(continuation: Token[]): Promise<ExactDistribution> {
    return (await this.along(continuation, continuation.length))[0]!;
  }

  /**
   * The distributions after `path.slice(0, n)` for every n from `from` to `path.length`, evaluated in one batch: a
   * forced path costs one decode however many of its positions are read.
   */
  async along(path: Token[], from: number): Promise<ExactDistribution[]> {
    const keyOf = (n: number) => path.slice(0, n).join(",");
    const lengths = Array.from({ length: path.length - from + 1 }, (_, i) => from + i);
    const missing = lengths.filter((n) => !this.cache.has(keyOf(n)));
    if (missing.length > 0) {
      if (this.signal?.aborted) throw new EngineError("cancelled", "the classification was cancelled");
      const tokens = [...this.promptTokens, ...path.slice(0, missing.at(-1))];
      const logits = await this.evaluator.logitsAfter(this.sequence, tokens, missing.map((n) => this.promptTokens.length + n));
      missing.forEach((n, i) => this.cache.set(keyOf(n), ExactDistribution.fromLogits(logits[i]!)));
    }
    return lengths.map((n) => this.cache.get(keyOf(n))!);
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
