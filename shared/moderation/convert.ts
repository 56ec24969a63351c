/**
 * A Guardbench classification as an OpenAI moderation result: the converter behind `/v1/moderations` and the Classify
 * panel's "Copy as OpenAI moderation". Pure, so the API and the export cannot drift apart.
 *
 * - `flagged` is the result's own decision (its score against its threshold), exactly what the workbench shows.
 * - `categories[key]` is true when the result is flagged and the model named a category that feeds `key`. A flagged
 *   result whose answer named no category (a threshold below 0.5 flagging a `safe` answer, an unparseable one) uses the
 *   category the model names first after a forced `unsafe`: what it would have named (`categories_from` says which).
 * - `category_scores[key]`: for Llama Guard–style families (`forced-prefix`), P(unsafe) × the summed probability that
 *   the model names one of the key's categories first — the probability of an answer "unsafe, <one of them>", since
 *   the first named category is one outcome of one distribution. For per-category-prompt families, the largest of the
 *   key's categories' own probabilities. Keys without a source: `false`, `0`, and `[]` applied input types.
 */
import type { ClassificationResult } from "../classify/result.ts";
import { sameCode, type Policy } from "../taxonomy/policy.ts";
import type { GuardbenchModerationExtension, ModerationResult, PolicyCategoryReport } from "./api.ts";
import { OPENAI_MODERATION_CATEGORIES, type OpenAiMapping, type OpenAiModerationCategory } from "./categories.ts";
import { keysFedBy, resolveMapping } from "./mapping.ts";

export interface ModerationPolicy {
  policy: Policy<string> & { openaiMapping?: OpenAiMapping };
  /** the saved version it came from, when it did */
  version?: number;
}

type ScoredResult = Pick<ClassificationResult, "verdict" | "categories" | "score" | "threshold" | "flagged" | "categoryScores" | "categoryScoresMethod" | "prompt" | "unparseableReason">;

export function toModerationResult(result: ScoredResult, { policy, version }: ModerationPolicy): ModerationResult {
  const mapping = resolveMapping(policy);
  const forcedPrefix = result.categoryScoresMethod === "forced-prefix";
  const scoreOf = (code: string) => result.categoryScores.find((score) => sameCode(score.code, code))?.p ?? 0;
  const { named, from } = namedCategories(result);

  const policyCategories: PolicyCategoryReport[] = result.categoryScores.map((score) => ({
    code: score.code,
    name: score.name,
    score: clamp(forcedPrefix ? result.score * score.p : score.p),
    violated: result.categories.some((code) => sameCode(code, score.code)),
    openai_categories: keysFedBy(mapping, score.code),
  }));

  const categories = {} as Record<OpenAiModerationCategory, boolean>;
  const scores = {} as Record<OpenAiModerationCategory, number>;
  const applied = {} as Record<OpenAiModerationCategory, Array<"text" | "image">>;
  for (const key of OPENAI_MODERATION_CATEGORIES) {
    const sources = mapping.sources[key];
    categories[key] = result.flagged && sources.some((code) => named.some((n) => sameCode(n, code)));
    scores[key] = clamp(forcedPrefix ? result.score * Math.min(1, sum(sources.map(scoreOf))) : Math.max(0, ...sources.map(scoreOf)));
    applied[key] = sources.length > 0 ? ["text"] : [];
  }

  const guardbench: GuardbenchModerationExtension = {
    verdict: result.verdict,
    score: result.score,
    threshold: result.threshold,
    policy: { name: policy.name, family: policy.family, ...(version === undefined ? {} : { version }) },
    policy_categories: policyCategories,
    unmapped_openai_categories: mapping.unmapped,
    categories_from: from,
    prompt_tokens: result.prompt.tokenCount,
    ...(result.unparseableReason ? { unparseable_reason: result.unparseableReason } : {}),
  };
  return { flagged: result.flagged, categories, category_scores: scores, category_applied_input_types: applied, guardbench };
}

function namedCategories(result: ScoredResult): { named: string[]; from: GuardbenchModerationExtension["categories_from"] } {
  if (!result.flagged) return { named: [], from: "none" };
  if (result.categories.length > 0) return { named: result.categories, from: "verdict" };
  const likeliest = result.categoryScores.reduce<{ code: string; p: number } | undefined>((best, score) => (!best || score.p > best.p ? score : best), undefined);
  return likeliest ? { named: [likeliest.code], from: "likeliest-category" } : { named: [], from: "none" };
}

/**
 * The Classify panel's "Copy as OpenAI moderation": OpenAI's fields with `categories` and `category_scores` keyed by the
 * policy's codes, plus the OpenAI keys that have a source under the policy's mapping (a code spelt like an OpenAI key,
 * e.g. ShieldGemma's `hate`, takes the OpenAI key's value, which the mapping derives from that same code).
 */
export function toOpenAiModerationExport(result: ScoredResult, policy: ModerationPolicy): Record<string, unknown> {
  const moderation = toModerationResult(result, policy);
  const mapped = OPENAI_MODERATION_CATEGORIES.filter((key) => !moderation.guardbench.unmapped_openai_categories.includes(key));
  const categories: Record<string, boolean> = {};
  const scores: Record<string, number> = {};
  for (const category of moderation.guardbench.policy_categories) {
    categories[category.code] = category.violated;
    scores[category.code] = category.score;
  }
  for (const key of mapped) {
    categories[key] = moderation.categories[key];
    scores[key] = moderation.category_scores[key];
  }
  return { flagged: moderation.flagged, categories, category_scores: scores, guardbench: moderation.guardbench };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const clamp = (p: number) => (Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0);
