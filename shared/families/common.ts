/** What every family's builder does before and after the family-specific part. */
import type { Turn } from "../conversation/types.ts";
import { checkTurns } from "../prompts/conversation.ts";
import { joinParts, withoutLeadingBos, type PromptPartsBuilder } from "../prompts/parts.ts";
import type { BuiltPrompt, CheckedRole, PromptError } from "../prompts/types.ts";
import { validatePolicy, type Policy, type PolicyCategory } from "../taxonomy/policy.ts";
import type { CategoryPrompt, FamilyPolicy, FamilyPrompt, FamilyPromptOptions, FamilyPromptResult, JudgedTurn, TaxonomyPreset } from "./types.ts";

/** The family's default policy, as a fresh object (callers may keep or edit it). */
export function presetPolicyFrom<F extends string>(family: F, taxonomy: TaxonomyPreset): Policy<F> {
  return { name: taxonomy.name, family, categories: taxonomy.categories.map((category) => ({ ...category })) };
}

function sameCategories(a: readonly PolicyCategory[], b: readonly PolicyCategory[]): boolean {
  return (
    a.length === b.length &&
    a.every((category, i) => {
      const other = b[i]!;
      return category.code === other.code && category.name === other.name && category.description === other.description && category.enabled === other.enabled;
    })
  );
}

/**
 * The checks every builder makes, as the templates' raise_exception would, plus the taxonomy rules: a family whose
 * template hard-codes its categories accepts only its preset, since anything else would be printed nowhere and the
 * model would still judge by the fixed list.
 */
export function checkFamilyInputs(
  family: { id: string; displayName: string; taxonomy: TaxonomyPreset },
  turns: readonly Turn[],
  policy: FamilyPolicy,
  options: FamilyPromptOptions = {},
): PromptError | undefined {
  if (policy.family !== family.id && !options.allowPolicyOfOtherFamily)
    return {
      code: "policy_family_mismatch",
      message: `Policy "${policy.name}" was written for ${policy.family}, not ${family.id}; its categories would be printed in a layout the model was not trained on.`,
    };
  const policyError = validatePolicy(policy);
  if (policyError) return policyError;
  const turnError = checkTurns(turns);
  if (turnError) return turnError;
  const { taxonomy } = family;
  if (!taxonomy.customCategories && !taxonomy.exclusions && !sameCategories(policy.categories, taxonomy.categories))
    return {
      code: "fixed_taxonomy",
      message: `${family.displayName} judges by a fixed list of categories that its prompt hard-codes; a policy cannot add, change or exclude categories. Use the preset "${taxonomy.name}".`,
    };
  if (!taxonomy.customCategories) {
    const unknown = policy.categories.filter((category) => !taxonomy.categories.some((preset) => preset.code === category.code));
    if (unknown.length > 0)
      return {
        code: "fixed_taxonomy",
        message: `${family.displayName} has no custom categories; ${unknown.map((c) => c.code).join(", ")} ${unknown.length === 1 ? "is" : "are"} not among its own (${taxonomy.categories.map((c) => c.code).join(", ")}).`,
      };
  }
  return undefined;
}

/** Odd number of turns → the last is the user's prompt; even → the assistant's response. */
export function judgedTurnOf(turns: readonly Turn[]): JudgedTurn {
  return turns.length % 2 === 1 ? "prompt" : "response";
}

/** The last user message and, when the assistant's response is judged, that response (turns must be checked). */
export function lastExchange(turns: readonly Turn[]): { user: string; assistant?: string } {
  const last = turns.at(-1)!;
  if (last.role === "user") return { user: last.content };
  return { user: turns.at(-2)!.content, assistant: last.content };
}

export function enabledCategories(policy: FamilyPolicy): PolicyCategory[] {
  return policy.categories.filter((category) => category.enabled);
}

/** How many leading characters every string shares. */
export function sharedPrefixLength(texts: readonly string[]): number {
  if (texts.length === 0) return 0;
  const first = texts[0]!;
  let length = first.length;
  for (const text of texts.slice(1)) {
    let i = 0;
    while (i < length && i < text.length && text.charCodeAt(i) === first.charCodeAt(i)) i++;
    length = i;
  }
  return length;
}

/**
 * The finished prompt of a builder: its parts, their text, and what the engine feeds llama.cpp (without the template's
 * BOS literal, which llama.cpp adds itself). `checkedRole` is 'User' for a judged prompt, 'Agent' for a response.
 */
export function promptFromParts<F extends string>(
  family: F,
  builder: PromptPartsBuilder,
  fields: { checkedRole: CheckedRole; decisionPrefix: string; conversationStart: number; bosLiteral?: string },
): BuiltPrompt<F> {
  const parts = builder.build();
  const { bosLiteral, ...rest } = fields;
  return { family, text: joinParts(parts), parts, engineParts: withoutLeadingBos(parts, bosLiteral), ...rest };
}

/** The role label of the judged turn, as the prompts name it. */
export const checkedRoleOf = (turns: readonly Turn[]): CheckedRole => (judgedTurnOf(turns) === "prompt" ? "User" : "Agent");

export function singlePrompt<F extends string>(prompt: BuiltPrompt<F>): FamilyPromptResult<F> {
  return { ok: true, prompt: { scoring: "single", prompt } };
}

/** A family's prompt or prompts as one list: a single prompt without a code, or one per category with its code. */
export function promptsOf<F extends string>(prompt: FamilyPrompt<F>): { code?: string; prompt: BuiltPrompt<F> }[] {
  return prompt.scoring === "single" ? [{ prompt: prompt.prompt }] : prompt.prompts;
}

export function categoryPrompts<F extends string>(prompts: CategoryPrompt<F>[], familyName: string): FamilyPromptResult<F> {
  if (prompts.length === 0)
    return { ok: false, error: { code: "invalid_policy", message: `The policy enables no category; ${familyName} judges one category per call, so there is nothing to ask.` } };
  return { ok: true, prompt: { scoring: "per-category", prompts, sharedPrefixLength: sharedPrefixLength(prompts.map((p) => p.prompt.text)) } };
}
