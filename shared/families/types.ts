/**
 * What a guard family is (ARCHITECTURE.md, "Guard families"): data plus three functions, registered in one table.
 *
 * - a prompt builder: conversation + policy → the exact prompt text the model was trained on (one prompt, or one per
 *   enabled category for families that judge one policy per call);
 * - a decision spec: which answer words, at which position of the model's output, give P(unsafe). It is declarative, so
 *   the engine resolves it against any model's vocabulary (`resolveDecision` in decision.ts);
 * - a verdict parser: the generated text → safe / unsafe / unparseable, the raw text always kept, with the family's
 *   extra answers (WildGuard's three lines, Qwen3Guard's Controversial, Granite's confidence and reasoning…).
 */
import { z } from "zod";
import type { Turn } from "../conversation/types.ts";
import type { BuiltPrompt, PromptError } from "../prompts/types.ts";
import type { Policy } from "../taxonomy/policy.ts";
import type { FamilyId } from "./ids.ts";

/** A policy of any registry family (or a custom guard). */
export type FamilyPolicy = Policy<string>;

/** Which turn is judged: the last user message (`prompt`) or the last assistant message (`response`). */
export type JudgedTurn = "prompt" | "response";

// ---------------------------------------------------------------------------------------------------------------------
// Provenance

export interface FamilySource {
  /**
   * What the builder reproduces:
   * - `official-jinja`: the model's own chat template (golden-tested byte for byte against @huggingface/jinja renders);
   * - `jinja-equivalent`: a Jinja template its authors showed to render identically to the model's own;
   * - `go-template`: the authors' Ollama Go template, transcribed (tested against real Go text/template renders);
   * - `rendered-sample`: prompts printed by the authors' or a third party's code, no template;
   * - `format-string`: the authors' Python format string;
   * - `embedded-template`: no public template; the prompt is rendered from the model file's own chat template;
   * - `guardbench-design`: Guardbench's own prompt for a model that takes a free-form policy.
   */
  kind: "official-jinja" | "jinja-equivalent" | "go-template" | "rendered-sample" | "format-string" | "embedded-template" | "guardbench-design";
  /** where it came from: repository, file, commit */
  reference: string;
  confidence: "high" | "medium" | "low";
  /** what is known not to be verified, in words a user can act on */
  caveats: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Taxonomy

export interface PresetCategory {
  code: string;
  /** prompt text, exactly as the template prints it */
  name: string;
  description: string;
  /** enabled in the preset policy (families scored once per category enable only their default ones) */
  enabled: boolean;
}

/** A category as the model card names and describes it, for display. */
export interface CardCategory {
  code: string;
  cardName: string;
  cardDescription: string;
}

export interface TaxonomyPreset {
  /** the preset policy's name */
  name: string;
  /** in prompt order */
  categories: readonly PresetCategory[];
  /** the model card's wording, for display; may differ from the prompt text */
  card: readonly CardCategory[];
  /** a user may add categories of their own (false: the template hard-codes the list) */
  customCategories: boolean;
  /** a user may switch preset categories off */
  exclusions: boolean;
}

// ---------------------------------------------------------------------------------------------------------------------
// Prompts

export interface FamilyPromptOptions {
  /** accept a policy saved for another family (its categories are printed in this family's layout) */
  allowPolicyOfOtherFamily?: boolean;
  /** the model file's `tokenizer.chat_template`: required by families that have no public template (Llama Guard 4) */
  embeddedTemplate?: string;
  /** the model's BOS / EOS token text, for rendering an embedded template (`<|begin_of_text|>`, `<bos>` …) */
  bosToken?: string;
  eosToken?: string;
  /**
   * Special-token text of the model's vocabulary, for prompts rendered from an embedded template: occurrences in the
   * template's own text become single special tokens (never in message content). Families with a builder know theirs.
   */
  specialTokens?: readonly string[];
  /** Granite Guardian 3.3: ask for a `<think>` reasoning block before the score */
  think?: boolean;
  /** gpt-oss-safeguard: the harmony `Reasoning:` level */
  reasoningEffort?: "low" | "medium" | "high";
  /** gpt-oss-safeguard: `Current date:` in the harmony system message (YYYY-MM-DD); defaults to today (local time, as the template's strftime_now) */
  currentDate?: string;
}

/** One prompt per enabled category, for families that judge one policy per call (ShieldGemma, Granite Guardian). */
export interface CategoryPrompt<F extends string = string> {
  code: string;
  prompt: BuiltPrompt<F>;
}

export type FamilyPrompt<F extends string = string> =
  | { scoring: "single"; prompt: BuiltPrompt<F> }
  | {
      scoring: "per-category";
      /** in policy order, enabled categories only */
      prompts: CategoryPrompt<F>[];
      /**
       * Characters at the start of `text` shared by every prompt of the list (the conversation part, for ShieldGemma):
       * evaluate them once and reuse the KV state for each category.
       */
      sharedPrefixLength: number;
    };

export type FamilyPromptResult<F extends string = string> = { ok: true; prompt: FamilyPrompt<F> } | { ok: false; error: PromptError };

/**
 * What rendering the model file's own chat template needs to reproduce a builder's prompt: the messages and the
 * template variables (ShieldGemma's `guideline`, Granite's `guardian_config`, Llama Guard 3 1B's `categories`…).
 */
export interface TemplateInput {
  /** for per-category families, the category this input renders */
  code?: string;
  messages: unknown[];
  /** extra template variables beside `messages`, `bos_token`, `eos_token` and `add_generation_prompt` */
  variables: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Decision

/** What an answer word means for the score. */
export const ANSWER_MEANINGS = ["unsafe", "safe", "other"] as const;
export type AnswerMeaning = (typeof ANSWER_MEANINGS)[number];

export interface DecisionAnswer {
  /** stable key in results (`unsafe`, `yes`, `controversial`, `n/a`) */
  key: string;
  /** the word as the model writes it at the decision position, without a leading space */
  text: string;
  meaning: AnswerMeaning;
  /** a family setting that, when on, counts this answer as unsafe (Qwen3Guard's Controversial) */
  unsafeWhenSetting?: string;
}

/**
 * Where the decision token is, relative to the end of the prompt. In every case whitespace-only tokens before the
 * decision token are skipped (Llama Guard 3 writes `\n\n` first; a Llama 2 chat model may open with a space).
 */
export interface DecisionPosition {
  /**
   * Text the model writes right before the decision token: "" when the decision is its first word, `Safety:` for
   * Qwen3Guard, `<score>` for Granite Guardian 3.3. The text must end at a token boundary of the family's tokenizer
   * (the answer's first token, often with a leading space, follows).
   */
  after: string;
  /** the model may write other text before `after` (a `<think>` block, earlier answer lines) */
  afterAnyText: boolean;
  /**
   * Whether the engine may append `after` to the prompt itself instead of generating up to it (forced path). False
   * when it follows free text the model must write first.
   */
  forcible: boolean;
  /** what the model writes first in practice, for display (`\n\n` for Llama Guard 3) */
  expectedLeadingText?: string;
}

export interface DecisionPoint {
  /** `decision` for one-answer families; `harmful_request` etc. for WildGuard */
  id: string;
  label: string;
  position: DecisionPosition;
  answers: readonly DecisionAnswer[];
  /** which judged turn this point gives P(unsafe) for; absent = both, empty = neither (a point only reported) */
  primaryFor?: readonly JudgedTurn[];
}

/** How per-category scores are obtained. */
export type CategoryScoring =
  /** no per-category probability (WildGuard has no categories; NemoGuard's are inside a JSON string) */
  | { kind: "none"; reason: string }
  /** one prompt per enabled category, each its own decision: real per-category probabilities */
  | { kind: "per-category-prompt" }
  /**
   * After the decision point, force `answerKey`'s word and then `separator`, and read the category's tokens: P(the model
   * names this category first | it answered unsafe). `spell`: the policy's `code` (S1) or its `name` without the
   * trailing period (Qwen3Guard's `Violent`); `leadingSpace`: the category is written after a space.
   */
  | { kind: "forced-continuation"; answerKey: string; separator: string; spell: "code" | "name"; leadingSpace: boolean };

export interface DecisionSpec {
  points: readonly DecisionPoint[];
  /**
   * How the engine turns an answer word into token ids: the first token of the word, bare and (when
   * `leadingSpaceVariants`) after a space; with `matchCase: "any"` also lower-case, upper-case and capitalised.
   */
  leadingSpaceVariants: boolean;
  matchCase: "exact" | "any";
  /**
   * The score compared with the threshold: `raw` = P(unsafe answers) at the decision position (the Llama Guard model
   * cards' rule); `normalised` = that divided by P(all answers) (ShieldGemma's softmax over Yes/No, IBM's Granite
   * cookbook). Both are reported.
   */
  score: "raw" | "normalised";
  categories: CategoryScoring;
  /**
   * How per-category prompts are combined (per-category families): flagged when any category's score is at or above
   * its threshold; the overall score is the largest category score.
   */
  combine?: "any-category";
}

// ---------------------------------------------------------------------------------------------------------------------
// Verdicts

/** One answer of the model's output, as written, for display and export (WildGuard's `Response refusal: n/a`). */
export const verdictAnswerSchema = z.object({ key: z.string(), label: z.string(), value: z.string() });
export type VerdictAnswer = z.output<typeof verdictAnswerSchema>;

export interface VerdictExtras {
  /** the family's answers beside safe/unsafe, in output order */
  answers?: VerdictAnswer[];
  /** reasoning the model wrote before its answer (Granite 3.3's `<think>`, gpt-oss's analysis channel) */
  reasoning?: string;
}

export type FamilyVerdict =
  | ({ kind: "safe"; raw: string } & VerdictExtras)
  | ({
      kind: "unsafe";
      /** violated codes as the policy spells them, in the model's order, without duplicates */
      categories: string[];
      raw: string;
      /** set when the answer is usable but not quite to format */
      note?: string;
    } & VerdictExtras)
  | ({
      kind: "unparseable";
      raw: string;
      reason: string;
      /** categories the policy does not have */
      unknownCodes?: string[];
      /** categories the policy excludes */
      disabledCodes?: string[];
    } & VerdictExtras);

/** Settings a family's verdict and score depend on (Qwen3Guard: does Controversial count as flagged?). */
export type FamilySettings = Readonly<Record<string, boolean>>;

export interface FamilySetting {
  id: string;
  label: string;
  description: string;
  default: boolean;
}

export interface ParseVerdictContext {
  policy: FamilyPolicy;
  /** which turn was judged (WildGuard and NemoGuard answer for both) */
  judged: JudgedTurn;
  settings?: FamilySettings;
  /** per-category families: the category whose prompt produced this output */
  code?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// The family

export interface GuardFamily<Id extends string = FamilyId> {
  id: Id;
  displayName: string;
  source: FamilySource;
  taxonomy: TaxonomyPreset;
  /**
   * True for the families the engine scores today (the contract's PROMPT_FAMILIES). The others are complete here but
   * wait for a fixture model of their vocabulary that proves the engine reads their decision spec right.
   */
  scorableToday: boolean;
  /**
   * The answer's first word is `safe`/`unsafe` and its categories follow `unsafe\n` as codes (Llama Guard 1–3, the chat
   * judge): the engine's batch path (electron/engine/llama/classification.ts) scores these, predicting where the
   * decision is and deferring token details. Every other family is scored from its decision spec
   * (electron/engine/llama/familyClassification.ts).
   */
  firstTokenDecision?: true;
  /**
   * How many tokens the model may generate when the request does not say (default: the classify options' 24): a
   * family that reasons before its label (gpt-oss-safeguard's analysis channel) needs room to reach it.
   */
  answerTokens?: number;
  /** families whose prompt needs the model file's chat template (Llama Guard 4) */
  needsEmbeddedTemplate: boolean;
  settings: readonly FamilySetting[];
  /** Turns: user/assistant, alternating, user first (as prepareForClassification leaves them); the last is judged. */
  buildPrompt(turns: readonly Turn[], policy: FamilyPolicy, options?: FamilyPromptOptions): FamilyPromptResult<Id>;
  /** what an embedded chat template needs to render the same prompt(s); undefined when the family has no such input */
  templateInputs?(turns: readonly Turn[], policy: FamilyPolicy, options?: FamilyPromptOptions): TemplateInput[];
  decision: DecisionSpec;
  parseVerdict(raw: string, context: ParseVerdictContext): FamilyVerdict;
}
