/**
 * One classification scored from the family's registry object (shared/families): the family builds the prompt (one,
 * or one per enabled category), its decision spec says which answer words at which position of the answer give
 * P(unsafe), and its parser reads the verdict. Nothing here names a family.
 *
 * Llama Guard 1–3 and the chat judge (`firstTokenDecision` families) take classification.ts's path instead, built for
 * batch runs: it predicts where the decision is and defers token details. This path reads every generated position's
 * full distribution, which the spec needs anyway when the decision follows text the model writes first (`Safety:`).
 *
 * Where a decision is read:
 * - `after: ""`: the answer's first token that is not whitespace;
 * - `after: "Safety:"` (any text): the first token after the model has written that text (and any whitespace), at
 *   the start of its answer or, with `afterAnyText`, anywhere in it;
 * - an answer that never writes it, or merges the decision word into the same token: with `forcible`, the text is
 *   appended to the prompt and the position after it is read; otherwise the point is reported as not read.
 */
import type { Token } from "node-llama-cpp";
import type { ClassifyRequest } from "../../../shared/ipc/contract.ts";
import { DEFAULT_CLASSIFY_OPTIONS, type CategoryScore, type ClassificationResult, type ClassifyOptions, type DecisionPointScores, type DetailedToken } from "../../../shared/classify/result.ts";
import { effectiveSettings, primaryPoint, resolveDecision, scoreDecision, type DecisionScores, type ResolvedPoint } from "../../../shared/families/decision.ts";
import { promptsOf } from "../../../shared/families/common.ts";
import { combineCategoryVerdicts } from "../../../shared/families/perCategory.ts";
import { guardFamilyOf } from "../../../shared/families/registry.ts";
import type { FamilyPolicy, FamilySettings, FamilyVerdict, GuardFamily } from "../../../shared/families/types.ts";
import { promptTextOf, type BuiltPrompt } from "../../../shared/prompts/index.ts";
import { presetPolicy } from "../../../shared/taxonomy/index.ts";
import { buildFamilyPrompts } from "../classificationPrompt.ts";
import { EngineError } from "../errors.ts";
import { describe, onPrompt, promptTokensWithin, type ContinuationQuery } from "./continuation.ts";
import type { ScorerParts } from "./classification.ts";
import type { ModelTokens } from "./modelTokens.ts";

/** A decision point as read in one answer. */
interface PointReading {
  point: ResolvedPoint;
  scores: DecisionScores;
  /** index of the decision token in the answer; -1 when it was read on a forced path or not at all */
  tokenIndex: number;
  /** tokens from the end of the prompt to the decision position (the answer's, or the forced text's) */
  pathToDecision: Token[];
  /** the probability of each of the point's answer tokens at the decision position */
  probabilityOf: (token: number) => number;
  read: "generated" | "forced" | "not-read";
}

/** One prompt's answer and what was read in it. */
interface PromptAnswer {
  code?: string;
  prompt: BuiltPrompt<string>;
  promptTokenCount: number;
  tokens: DetailedToken[];
  outputText: string;
  readings: PointReading[];
  categoryScores: CategoryScore[];
  verdict: FamilyVerdict;
  timings: { prompt: number; generation: number; categories: number };
}

export async function classifyWithFamily(parts: ScorerParts, request: ClassifyRequest, options: ClassifyOptions = {}, signal?: AbortSignal): Promise<ClassificationResult> {
  const { info, tokens: vocabulary } = parts;
  const family = guardFamilyOf(info);
  const settings = { ...DEFAULT_CLASSIFY_OPTIONS, ...(family.answerTokens !== undefined && { maxTokens: family.answerTokens }), ...options };
  const started = performance.now();
  const policy = request.policy ?? presetPolicy(info.family);
  const familySettings = effectiveSettings(family.settings, settings.familySettings);
  const { prompt: built, target } = buildFamilyPrompts(info.family, { ...request, policy }, info);
  const resolved = resolveDecision(family.decision, (text) => vocabulary.continuationTokens(text), familySettings);
  const primaryId = primaryPoint(family.decision, target).id;
  const primaryUnreadable = resolved.find((point) => point.id === primaryId)!.problems;
  if (primaryUnreadable.length > 0) {
    throw new EngineError("prompt-family-mismatch", `this model's vocabulary cannot give ${family.displayName}'s decision: ${primaryUnreadable.join("; ")}`, "Check the family chosen for this model (--family).");
  }

  const answers: PromptAnswer[] = [];
  for (const { code, prompt } of promptsOf(built)) {
    answers.push(await answerOne(parts, family, { code, prompt, policy, resolved, judged: target, familySettings }, settings, signal));
  }

  const primaryOf = (answer: PromptAnswer) => answer.readings.find((reading) => reading.point.id === primaryId)!;
  const perCategory = built.scoring === "per-category";
  // Per-category families: the category scored highest speaks for the conversation (its answer, its numbers).
  const shown = answers.reduce((best, answer) => (primaryOf(answer).scores.score > primaryOf(best).scores.score ? answer : best));
  const primary = primaryOf(shown);
  const verdict = perCategory ? combineCategoryVerdicts(answers.map((answer) => ({ code: answer.code!, verdict: answer.verdict }))) : shown.verdict;
  const categoryScores = perCategory
    ? answers.map((answer) => ({ code: answer.code!, name: nameOf(policy, answer.code!), p: primaryOf(answer).scores.score }))
    : shown.categoryScores;
  const threshold = settings.threshold;
  const total = performance.now() - started;
  const sumOf = (key: keyof PromptAnswer["timings"]) => answers.reduce((sum, answer) => sum + answer.timings[key], 0);
  return {
    verdict: verdict.kind,
    categories: verdict.kind === "unsafe" ? verdict.categories : [],
    ...(verdict.kind === "unparseable" ? { unparseableReason: verdict.reason } : {}),
    ...(verdict.answers && verdict.answers.length > 0 ? { answers: verdict.answers } : {}),
    ...(verdict.reasoning !== undefined ? { reasoning: verdict.reasoning } : {}),
    pUnsafe: primary.scores.pUnsafe,
    pSafe: primary.scores.pSafe,
    pUnsafeNormalized: primary.scores.pUnsafeNormalized,
    score: primary.scores.score,
    threshold,
    flagged: primary.scores.score >= threshold,
    categoryScores,
    categoryScoresMethod: perCategory ? "per-category-prompt" : "forced-prefix",
    ...(family.decision.categories.kind === "none" ? { categoryScoresUnavailable: family.decision.categories.reason } : {}),
    decisionScores: shown.readings.map(({ point, scores }): DecisionPointScores => ({ point: point.id, label: point.label, answers: scores.answers })),
    probabilitySource: "exact",
    tokens: shown.tokens,
    decisionTokenIndex: primary.tokenIndex,
    outputText: perCategory ? verdict.raw : shown.outputText,
    target,
    // Every prompt the conversation was judged with (one per category for ShieldGemma), as the Prompt tab shows them.
    prompt: { text: promptTextOf(answers.map(({ code, prompt }) => ({ ...(code !== undefined && { code }), prompt }))), tokenCount: answers.reduce((sum, answer) => sum + answer.promptTokenCount, 0) },
    model: { path: info.path, family: info.family },
    timingsMs: { prompt: sumOf("prompt"), generation: sumOf("generation"), categories: sumOf("categories"), total },
  };
}

const nameOf = (policy: FamilyPolicy, code: string) => policy.categories.find((category) => category.code === code)?.name.trim() ?? code;

interface AnswerTask {
  code: string | undefined;
  prompt: BuiltPrompt<string>;
  policy: FamilyPolicy;
  resolved: ResolvedPoint[];
  judged: "prompt" | "response";
  familySettings: FamilySettings;
}

/** Evaluates one prompt, generates its answer greedily reading each position's distribution, reads its decisions. */
async function answerOne(
  { info, tokens: vocabulary, slots }: ScorerParts,
  family: GuardFamily<string>,
  task: AnswerTask,
  settings: Required<ClassifyOptions>,
  signal: AbortSignal | undefined,
): Promise<PromptAnswer> {
  const { model } = vocabulary;
  const started = performance.now();
  const promptTokens = promptTokensWithin(vocabulary, task.prompt, info.contextSize, settings.maxTokens);
  return onPrompt(slots, promptTokens, signal, async (query) => {
    const generated: Token[] = [];
    const tokens: DetailedToken[] = [];
    // Of each position's distribution only what a decision may read is kept: its answer tokens' probabilities.
    const answerTokens = [...new Set(task.resolved.flatMap((point) => point.answers.flatMap((answer) => answer.tokens)))];
    /** answerProbabilities[i]: those probabilities after the answer's first i tokens */
    const answerProbabilities: Map<number, number>[] = [];
    const promptDone = performance.now();
    for (;;) {
      const { next, distribution } = await query.after(generated, "distribution");
      answerProbabilities.push(new Map(answerTokens.map((token) => [token, distribution!.probabilityOf(token)])));
      if (model.isEogToken(next)) break;
      tokens.push(describe(vocabulary, next, distribution!, settings.topK));
      generated.push(next);
      if (generated.length >= settings.maxTokens) break;
    }
    const generationDone = performance.now();

    const texts = new Map<number, string>();
    const answer: GeneratedAnswer = {
      tokens: generated,
      answerProbabilities,
      textOf(n) {
        let text = texts.get(n);
        if (text === undefined) texts.set(n, (text = model.detokenize(generated.slice(0, n), true)));
        return text;
      },
    };
    const outputText = answer.textOf(generated.length);
    const readings: PointReading[] = [];
    for (const point of task.resolved) readings.push(await readPoint(vocabulary, query, point, family, answer));
    const categoryScores = await forcedCategoryScores(vocabulary, query, family, task.policy, readings);
    const verdict = family.parseVerdict(outputText, { policy: task.policy, judged: task.judged, settings: task.familySettings, ...(task.code !== undefined && { code: task.code }) });
    return {
      ...(task.code !== undefined && { code: task.code }),
      prompt: task.prompt,
      promptTokenCount: promptTokens.length,
      tokens,
      outputText,
      readings,
      categoryScores,
      verdict,
      timings: { prompt: promptDone - started, generation: generationDone - promptDone, categories: performance.now() - generationDone },
    };
  }, { retainDistributions: false });
}

const isWhitespace = (vocabulary: ModelTokens, token: Token) => vocabulary.pieceOf(token).trim() === "";

/** How many leading whitespace-only tokens the engine follows on a forced path before the decision word. */
const MAX_FORCED_WHITESPACE = 4;

/** A generated answer as the decision points read it. */
interface GeneratedAnswer {
  tokens: Token[];
  /** after the first i tokens: the probabilities of every decision point's answer tokens */
  answerProbabilities: Map<number, number>[];
  /** the text of the first n tokens, detokenised once whichever point asks */
  textOf(n: number): string;
}

async function readPoint(vocabulary: ModelTokens, query: ContinuationQuery, point: ResolvedPoint, family: GuardFamily<string>, answer: GeneratedAnswer): Promise<PointReading> {
  const reading = (probabilityOf: (token: number) => number) => ({ point, scores: scoreDecision(point, family.decision, probabilityOf), probabilityOf });
  const generated = answer.tokens;
  const index = decisionIndexIn(vocabulary, point, answer);
  const atIndex = index === undefined ? undefined : answer.answerProbabilities[index];
  if (index !== undefined && atIndex) {
    return { ...reading((token) => atIndex.get(token) ?? 0), tokenIndex: index < generated.length ? index : -1, pathToDecision: generated.slice(0, index), read: "generated" };
  }
  if (point.forcible) {
    const path: Token[] = [...vocabulary.continuationTokens(point.after)];
    let position = await query.after(path, "distribution");
    for (let skipped = 0; skipped < MAX_FORCED_WHITESPACE && !vocabulary.model.isEogToken(position.next) && isWhitespace(vocabulary, position.next); skipped++) {
      path.push(position.next);
      position = await query.after(path, "distribution");
    }
    const forced = position.distribution!;
    return { ...reading((token) => forced.probabilityOf(token)), tokenIndex: -1, pathToDecision: path, read: "forced" };
  }
  return { ...reading(() => 0), tokenIndex: -1, pathToDecision: [], read: "not-read" };
}

/**
 * The index in the answer of the token that carries this point's decision, or undefined when the answer never wrote
 * the text the decision follows (or wrote the decision word inside the same token as that text). May equal the
 * answer's length: the decision would have been the next token (the model ended there).
 */
function decisionIndexIn(vocabulary: ModelTokens, point: ResolvedPoint, answer: GeneratedAnswer): number | undefined {
  const generated = answer.tokens;
  const skipWhitespace = (from: number) => {
    let index = from;
    while (index < generated.length && isWhitespace(vocabulary, generated[index]!)) index++;
    return index;
  };
  if (point.after === "") return skipWhitespace(0);
  for (let consumed = 1; consumed <= generated.length; consumed++) {
    const text = answer.textOf(consumed);
    const at = point.afterAnyText ? text.indexOf(point.after) : text.trimStart().startsWith(point.after) ? text.length - text.trimStart().length : -1;
    if (at === -1) continue;
    // The decision word must start a token of its own: text after `after` in the same token means it merged.
    if (text.slice(at + point.after.length).trim() !== "") return undefined;
    return skipWhitespace(consumed);
  }
  return undefined;
}

/**
 * `forced-continuation` categories: after the decision position, the likeliest token of the answer that names
 * categories, then the separator, then each enabled category as the spec spells it; P = the product of its tokens'
 * probabilities along that path (one batched evaluation per category).
 */
async function forcedCategoryScores(
  vocabulary: ModelTokens,
  query: ContinuationQuery,
  family: GuardFamily<string>,
  policy: FamilyPolicy,
  readings: PointReading[],
): Promise<CategoryScore[]> {
  const scoring = family.decision.categories;
  if (scoring.kind !== "forced-continuation") return [];
  const reading = readings.find((candidate) => candidate.point.answers.some((answer) => answer.key === scoring.answerKey) && candidate.read !== "not-read");
  if (!reading) return [];
  const answerTokens = reading.point.answers.find((answer) => answer.key === scoring.answerKey)!.tokens;
  const likeliest = answerTokens.reduce((a, b) => (reading.probabilityOf(b) > reading.probabilityOf(a) ? b : a)) as Token;
  const prefix = [...reading.pathToDecision, likeliest, ...vocabulary.continuationTokens(scoring.separator)];
  const scores: CategoryScore[] = [];
  for (const category of policy.categories.filter((candidate) => candidate.enabled)) {
    const spelled = scoring.spell === "code" ? category.code : category.name.trim().replace(/\.$/, "");
    const path = vocabulary.continuationTokens(`${scoring.leadingSpace ? " " : ""}${spelled}`);
    const along = await query.along([...prefix, ...path.slice(0, -1)], prefix.length);
    scores.push({ code: category.code, name: category.name.trim(), p: path.reduce((product, token, i) => product * along[i]!.probabilityOf(token), 1) });
  }
  return scores;
}
