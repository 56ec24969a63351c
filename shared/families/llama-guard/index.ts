/**
 * Llama Guard 1, 2 and 3 (8B, 1B): the builders are shared/prompts/llamaGuard.ts (golden-tested against the official
 * HF templates), the parser shared/verdict/parseVerdict.ts; this file makes them registry families. Llama Guard 4 is
 * in lg4.ts (its prompt comes from the model file's own template).
 */
import type { Turn } from "../../conversation/types.ts";
import { buildLlamaGuardPrompt } from "../../prompts/llamaGuard.ts";
import { presetTaxonomyData, type LlamaGuardTaxonomyFamily } from "../../taxonomy/llamaGuardPresets.ts";
import { parseVerdict } from "../../verdict/parseVerdict.ts";
import { checkFamilyInputs, singlePrompt } from "../common.ts";
import { binaryDecision } from "../decision.ts";
import type { DecisionSpec, FamilyPolicy, FamilySource, GuardFamily, TaxonomyPreset, TemplateInput } from "../types.ts";

type LlamaGuardId = Exclude<LlamaGuardTaxonomyFamily, "chat-judge">;

/** A scorable family's taxonomy, from the presets the contract's policies are built from (shared/taxonomy/presets.ts). */
export function taxonomyOf(family: LlamaGuardTaxonomyFamily, flags: { customCategories: boolean; exclusions: boolean }): TaxonomyPreset {
  const data = presetTaxonomyData(family);
  return {
    name: data.name,
    categories: data.categories.map((category) => ({ ...category, enabled: true })),
    card: data.card.map(([code, cardName, cardDescription]) => ({ code, cardName, cardDescription })),
    ...flags,
  };
}

/**
 * `safe`/`unsafe` as the first word (after the `\n\n` Llama Guard 3 writes first, prompt-formats/outputs.md §2), raw
 * P(unsafe) as the model cards score it, and per-category scores from the forced continuation `unsafe\n`.
 */
export function llamaGuardDecision(expectedLeadingText: string): DecisionSpec {
  return binaryDecision("safe / unsafe", { after: "", afterAnyText: false, forcible: true, expectedLeadingText }, ["unsafe", "unsafe"], ["safe", "safe"], {
    leadingSpaceVariants: true,
    matchCase: "exact",
    score: "raw",
    categories: { kind: "forced-continuation", answerKey: "unsafe", separator: "\n", spell: "code", leadingSpace: false },
  });
}

export function llamaGuardVerdict(raw: string, context: { policy: FamilyPolicy }) {
  return parseVerdict(raw, context.policy);
}

const HF_TEMPLATES = "the official Hugging Face chat template (prompt-formats/templates/SOURCES.md; test/fixtures/prompt-templates)";

const SOURCES: Record<LlamaGuardId, FamilySource> = {
  "llama-guard-1": {
    kind: "official-jinja",
    reference: `meta-llama/LlamaGuard-7b: ${HF_TEMPLATES}, a litellm copy checked against llama-recipes`,
    confidence: "medium",
    caveats: ["The template was recovered from a third-party copy (litellm); its O1–O6 block was verified against Meta's llama-recipes text.", "The token ids of `safe`/`unsafe` in the Llama 2 vocabulary are read from the model file, not known in advance."],
  },
  "llama-guard-2": {
    kind: "official-jinja",
    reference: `meta-llama/Meta-Llama-Guard-2-8B: ${HF_TEMPLATES}, renders identical to llama-recipes PROMPT_TEMPLATE_2`,
    confidence: "high",
    caveats: [],
  },
  "llama-guard-3-8b": {
    kind: "official-jinja",
    reference: `meta-llama/Llama-Guard-3-8B: ${HF_TEMPLATES}, the GGUF-embedded copy (three copies agree)`,
    confidence: "medium",
    caveats: ["The template starts with a space before <|begin_of_text|>; the engine drops it (and the BOS llama.cpp adds itself). Whether the HF repository fixed this later is unknown."],
  },
  "llama-guard-3-1b": {
    kind: "official-jinja",
    reference: `meta-llama/Llama-Guard-3-1B: ${HF_TEMPLATES}; reproduces the prompts printed by Meta's cookbook notebook`,
    confidence: "high",
    caveats: ["HF PR #6 (2024-09-24) edited one line of the template; that diff is not public."],
  },
};

const DISPLAY_NAMES: Record<LlamaGuardId, string> = {
  "llama-guard-1": "Llama Guard 1 (7B)",
  "llama-guard-2": "Llama Guard 2 (8B)",
  "llama-guard-3-8b": "Llama Guard 3 8B",
  "llama-guard-3-1b": "Llama Guard 3 1B",
};

/** The 1B template's `categories` dict (description folded into the value, as Meta's cookbook does) and exclusions. */
function oneBTemplateInput(turns: readonly Turn[], policy: FamilyPolicy): TemplateInput {
  return {
    messages: turns.map((turn) => ({ role: turn.role, content: [{ type: "text", text: turn.content }] })),
    variables: {
      categories: Object.fromEntries(policy.categories.map((c) => [c.code, c.description === "" ? c.name : `${c.name}\n${c.description}`])),
      excluded_category_keys: policy.categories.filter((c) => !c.enabled).map((c) => c.code),
    },
  };
}

function llamaGuardFamily<Id extends LlamaGuardId>(id: Id): GuardFamily<Id> {
  const taxonomy = taxonomyOf(id, { customCategories: true, exclusions: true });
  const family: GuardFamily<Id> = {
    id,
    displayName: DISPLAY_NAMES[id],
    source: SOURCES[id],
    taxonomy,
    scorableToday: true,
    firstTokenDecision: true,
    needsEmbeddedTemplate: false,
    settings: [],
    buildPrompt(turns, policy, options) {
      const error = checkFamilyInputs(family, turns, policy, options);
      if (error) return { ok: false, error };
      return singlePrompt({ ...buildLlamaGuardPrompt(id, turns, policy), family: id });
    },
    // Only the 1B template takes categories; the others hard-code theirs (compare those with the preset policy).
    templateInputs: (turns, policy) => (id === "llama-guard-3-1b" ? [oneBTemplateInput(turns, policy)] : [{ messages: [...turns], variables: {} }]),
    decision: llamaGuardDecision(id === "llama-guard-3-8b" || id === "llama-guard-3-1b" ? "\n\n" : ""),
    parseVerdict: llamaGuardVerdict,
  };
  return family;
}

export const llamaGuard1 = llamaGuardFamily("llama-guard-1");
export const llamaGuard2 = llamaGuardFamily("llama-guard-2");
export const llamaGuard3_8b = llamaGuardFamily("llama-guard-3-8b");
export const llamaGuard3_1b = llamaGuardFamily("llama-guard-3-1b");
