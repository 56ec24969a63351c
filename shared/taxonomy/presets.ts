/**
 * Every scorable family's default policy and model-card wording, read from its registry object
 * (shared/families/registry.ts), so a family added there has its preset here too. The registry is reached at call
 * time only: it builds the Llama Guard families from llamaGuardPresets.ts while this module may still be loading.
 */
import { familyOf } from "../families/registry.ts";
import type { PromptFamily } from "./families.ts";
import type { CardInfo } from "./llamaGuardPresets.ts";
import type { Policy, PolicyCategory } from "./policy.ts";

export type { CardInfo, CardEntry, PresetCategory } from "./llamaGuardPresets.ts";

/**
 * The family's default policy, its categories enabled as its preset says (every one, for the Llama Guard families,
 * with which their builders reproduce the official template byte for byte). A fresh object each call.
 */
export function presetPolicy(family: PromptFamily): Policy {
  const { taxonomy } = familyOf(family);
  return { name: taxonomy.name, family, categories: taxonomy.categories.map((category): PolicyCategory => ({ ...category })) };
}

/** True when `code` is one of the family's default categories (those can be excluded, not removed). */
export function isPresetCode(family: PromptFamily, code: string): boolean {
  return familyOf(family).taxonomy.categories.some((category) => category.code === code);
}

/** Model-card name and description of a default category, for display; undefined for custom codes. */
export function cardInfo(family: PromptFamily, code: string): CardInfo | undefined {
  const entry = familyOf(family).taxonomy.card.find((card) => card.code === code);
  return entry && { cardName: entry.cardName, cardDescription: entry.cardDescription };
}

/** What a policy of the family may change: categories of one's own, categories left out. */
export function taxonomyRules(family: PromptFamily): { customCategories: boolean; exclusions: boolean; displayName: string } {
  const { taxonomy, displayName } = familyOf(family);
  return { customCategories: taxonomy.customCategories, exclusions: taxonomy.exclusions, displayName };
}
