/**
 * What a classification answers, declared as schemas because results are read back from SQLite (the history, a run's
 * results) and parsed there with these, not cast.
 */
import { z } from "zod";
import { CLASSIFICATION_TARGETS } from "../conversation/types.ts";
import { ANSWER_MEANINGS, verdictAnswerSchema } from "../families/types.ts";
import { PROMPT_FAMILIES } from "../taxonomy/index.ts";

export const tokenAlternativeSchema = z.object({
  /** the token id; -1 when a remote server in text mode named the token only by its text */
  id: z.number(),
  text: z.string(),
  /**
   * exact probability: float64 softmax over the raw logits of the whole vocabulary (local engine); from a remote server,
   * the probability it returned (see ClassificationResult.probabilitySource)
   */
  p: z.number(),
});

export type TokenAlternative = z.output<typeof tokenAlternativeSchema>;

/**
 * A generated token. `p` and `top` are absent while its details are deferred: a batch run computes the exact
 * distribution only where a stored number needs it (the decision position, the category positions) and the other
 * tokens' details when the result is first opened (results:get), which stores them; see {@link hasTokenDetails}.
 */
export const generatedTokenSchema = tokenAlternativeSchema.extend({
  p: z.number().optional(),
  /** the most likely tokens at this position, most likely first (the generated token is among them when it ranks in the top k) */
  top: z.array(tokenAlternativeSchema).optional(),
});

export type GeneratedToken = z.output<typeof generatedTokenSchema>;

/** A generated token whose probability and alternatives are computed. */
export type DetailedToken = GeneratedToken & { p: number; top: TokenAlternative[] };

export function hasTokenDetails(token: GeneratedToken): token is DetailedToken {
  return token.p !== undefined && token.top !== undefined;
}

export const categoryScoreSchema = z.object({
  code: z.string(),
  name: z.string(),
  /**
   * `forced-prefix`: P(the model names this code first | it answered `unsafe\n`), the product of the code's token
   * probabilities after the forced prefix; derived, not a calibrated per-category classifier (ARCHITECTURE.md,
   * "Per-category scores"). `per-category-prompt` (ShieldGemma, Granite Guardian): the category's own P(violation) from
   * its own prompt, a real per-category probability.
   */
  p: z.number(),
  /** per-category-prompt families: the threshold this category's score is compared with */
  threshold: z.number().optional(),
  /** set when `p` is an upper bound: a remote server's top-k list left out a token of the code */
  bound: z.literal("upper-bound").optional(),
});

export type CategoryScore = z.output<typeof categoryScoreSchema>;

/**
 * Which values are bounds rather than exact. A remote server returns only its top-k alternatives per position; a
 * decision token missing from them has a probability of at most min(smallest returned, 1 − sum returned), and that bound
 * is what is reported.
 */
export const partialValuesSchema = z.object({
  pUnsafe: z.literal("upper-bound").optional(),
  pSafe: z.literal("upper-bound").optional(),
  /** the ratio of a bound and an exact value (or of two bounds) is neither exact nor a bound */
  pUnsafeNormalized: z.literal("approximate").optional(),
});

export type PartialValues = z.output<typeof partialValuesSchema>;

/** How a remote server was asked (absent for the local engine). */
export const remoteScoringSchema = z.object({
  /** the endpoint's name (RemoteEndpoint.name) */
  endpoint: z.string(),
  /** the served model name */
  model: z.string(),
  /**
   * `token-ids`: the prompt was tokenised here with the model's vocabulary, exactly as the local engine does, and sent
   * as ids. `text`: the server tokenised the prompt text itself (no local copy of the model); user content containing
   * special-token text is refused in this mode, and per-category scores are not derived.
   */
  promptEncoding: z.enum(["token-ids", "text"]),
});

export type RemoteScoring = z.output<typeof remoteScoringSchema>;

export const VERDICT_KINDS = ["safe", "unsafe", "unparseable"] as const;
export type VerdictKind = (typeof VERDICT_KINDS)[number];

export const decisionPointScoresSchema = z.object({
  /** DecisionPoint.id of the family's spec */
  point: z.string(),
  label: z.string(),
  answers: z.array(z.object({ key: z.string(), meaning: z.enum(ANSWER_MEANINGS), p: z.number() })),
});

export type DecisionPointScores = z.output<typeof decisionPointScoresSchema>;

export const classificationResultSchema = z.object({
  verdict: z.enum(VERDICT_KINDS),
  /** violated category codes named by the model (empty unless unsafe) */
  categories: z.array(z.string()),
  /** why the output could not be parsed, when verdict is unparseable */
  unparseableReason: z.string().optional(),
  /** P(first decision token is `unsafe`) — the model cards' classifier score */
  pUnsafe: z.number(),
  pSafe: z.number(),
  /** pUnsafe / (pUnsafe + pSafe) */
  pUnsafeNormalized: z.number(),
  /** the score compared with the threshold: pUnsafe */
  score: z.number(),
  threshold: z.number(),
  flagged: z.boolean(),
  categoryScores: z.array(categoryScoreSchema),
  /** how categoryScores were obtained, for display (see CategoryScore.p) */
  categoryScoresMethod: z.enum(["forced-prefix", "per-category-prompt"]),
  /**
   * The family's answers beside safe/unsafe, as its verdict parser read them (WildGuard's three lines, Qwen3Guard's
   * `Safety: Controversial` and `Refusal:`, Granite's confidence, NemoGuard's JSON fields); absent for Llama Guard.
   */
  answers: z.array(verdictAnswerSchema).optional(),
  /** reasoning the model wrote before its answer (Granite Guardian 3.3's `<think>`, gpt-oss's analysis channel) */
  reasoning: z.string().optional(),
  /**
   * Probabilities at each decision point of the family's spec, per answer: WildGuard's harmful-request, refusal and
   * harmful-response lines; Qwen3Guard's P(Unsafe) beside P(Controversial). Absent when the only point is the one
   * pUnsafe/pSafe already report.
   */
  decisionScores: z.array(decisionPointScoresSchema).optional(),
  /** why categoryScores is empty, when it is empty on purpose (e.g. a remote server in text mode) */
  categoryScoresUnavailable: z.string().optional(),
  /** `exact` (the local engine; also when absent) or the top-k log-probabilities a remote server returned */
  probabilitySource: z.enum(["exact", "server-top-k"]).optional(),
  /** values that are bounds, not exact; absent when every value is exact for its source */
  partial: partialValuesSchema.optional(),
  /** set when a remote server scored the conversation */
  remote: remoteScoringSchema.optional(),
  /** every generated token, in order, up to and excluding the end-of-turn token */
  tokens: z.array(generatedTokenSchema),
  /** index in `tokens` of the position where the model decided safe/unsafe (after leading whitespace such as LG3's `\n\n`) */
  decisionTokenIndex: z.number(),
  /** the generated text that was parsed as the verdict */
  outputText: z.string(),
  /** which turn was assessed */
  target: z.enum(CLASSIFICATION_TARGETS),
  prompt: z.object({ text: z.string(), tokenCount: z.number() }),
  /** the model that produced it; `quant` and `sha256` as the app knew them at the time (absent from the CLI and older entries) */
  model: z.object({ path: z.string(), family: z.enum(PROMPT_FAMILIES), quant: z.string().optional(), sha256: z.string().optional() }),
  timingsMs: z.object({ prompt: z.number(), generation: z.number(), categories: z.number(), total: z.number() }),
});

export type ClassificationResult = z.output<typeof classificationResultSchema>;

/** The decision thresholds every face accepts (the contract, the CLI's `--threshold`, the renderer's fields). */
export const THRESHOLD_RANGE = { min: 0, max: 1 } as const;
/** The one range of top-k every face accepts (the contract, the CLI's `--top-k`): 0 records no alternatives. */
export const TOP_K_RANGE = { min: 0, max: 50 } as const;

export const thresholdSchema = z.number().min(THRESHOLD_RANGE.min).max(THRESHOLD_RANGE.max);
export const topKSchema = z.number().int().min(TOP_K_RANGE.min).max(TOP_K_RANGE.max);
/** A family's own settings by id (Qwen3Guard's `controversialIsUnsafe`), as a classify or a run takes them. */
export const familySettingsSchema = z.record(z.string(), z.boolean());

export const classifyOptionsSchema = z.strictObject({
  /** decision threshold on pUnsafe; 0.5 as in the model cards */
  threshold: thresholdSchema.optional(),
  /** alternatives recorded per generated token, within {@link TOP_K_RANGE}; 0 records none */
  topK: topKSchema.optional(),
  /** stop generating after this many tokens even without an end-of-turn token */
  maxTokens: z.number().int().min(1).max(512).optional(),
  /**
   * compute each generated token's probability and alternatives only where a stored number needs that position's full
   * distribution (the decision and the category positions), leaving the others for when the result is opened: what
   * batch runs do, since copying a whole vocabulary's logits is most of a small model's cost per position
   */
  deferTokenDetails: z.boolean().optional(),
  /** the family's own settings by id (Qwen3Guard's `controversialIsUnsafe`); a family's default for any left out */
  familySettings: familySettingsSchema.optional(),
});

export type ClassifyOptions = z.output<typeof classifyOptionsSchema>;

export const DEFAULT_CLASSIFY_OPTIONS: Required<ClassifyOptions> = { threshold: 0.5, topK: 5, maxTokens: 24, deferTokenDetails: false, familySettings: {} };
