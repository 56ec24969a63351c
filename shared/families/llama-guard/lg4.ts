/**
 * Llama Guard 4 (12B). No copy of its official chat template is public (prompt-formats/templates/SOURCES.md), so its
 * prompt is rendered from the model file's own `tokenizer.chat_template`, with Llama Guard 3 1B's conventions for a
 * policy (`categories` as a dict, `excluded_category_keys`). A third party's rendered sample
 * (test/fixtures/prompt-templates/llama-guard-4.rendered-sample.txt) is used for orientation only; a model file without
 * a template gets a clear error instead of a guessed prompt.
 */
import { LLAMA_GUARD_3_CARD, LLAMA_GUARD_3_CATEGORIES } from "../../taxonomy/llamaGuardPresets.ts";
import { checkFamilyInputs, enabledCategories, singlePrompt } from "../common.ts";
import { promptFromTemplate } from "../embeddedTemplate.ts";
import type { GuardFamily, TaxonomyPreset } from "../types.ts";
import { llamaGuardDecision, llamaGuardVerdict } from "./index.ts";

/** Llama 4's special tokens that a text-only guard prompt can contain (the sample shows the header and eot ones). */
export const LLAMA_4_SPECIAL_TOKENS = ["<|begin_of_text|>", "<|header_start|>", "<|header_end|>", "<|eot|>", "<|eom|>", "<|end_of_text|>"] as const;

const taxonomy: TaxonomyPreset = {
  name: "Llama Guard 4 default (S1–S14)",
  // The sample prints Llama Guard 3's S1–S14 names.
  categories: LLAMA_GUARD_3_CATEGORIES.map((category) => ({ ...category, enabled: true })),
  // PurpleLlama Llama-Guard4/12B/MODEL_CARD.md: Llama Guard 3's card text, with S11 "Suicide & Self-Harm" and S14 "(text-only)".
  card: LLAMA_GUARD_3_CARD.map(([code, cardName, cardDescription]) => ({ code, cardName: code === "S14" ? `${cardName} (text-only)` : cardName, cardDescription })),
  customCategories: true,
  exclusions: true,
};

const categoryLine = (code: string, name: string) => `${code}: ${name}`;

export const llamaGuard4: GuardFamily<"llama-guard-4"> = {
  id: "llama-guard-4",
  displayName: "Llama Guard 4 (12B)",
  source: {
    kind: "embedded-template",
    reference: "the model file's tokenizer.chat_template (no official template text is public); orientation: a rendered sample in PursuitYP/MAGIC-Dace test_llama4_guard.py @ 031f45bc",
    confidence: "low",
    caveats: [
      "Only a GGUF that embeds Meta's template can be used; its text is trusted as is.",
      "Dense Llama Guard 4 GGUFs failed to load in llama.cpp when last checked (llama.cpp issue 27020).",
      "Custom categories need a template that takes `categories` / `excluded_category_keys`; otherwise the prompt is refused.",
    ],
  },
  taxonomy,
  scorableToday: true,
  needsEmbeddedTemplate: true,
  settings: [],
  buildPrompt(turns, policy, options = {}) {
    const error = checkFamilyInputs(llamaGuard4, turns, policy, options);
    if (error) return { ok: false, error };
    if (options.embeddedTemplate === undefined || options.embeddedTemplate.trim() === "")
      return {
        ok: false,
        error: {
          code: "template_missing",
          message:
            "Llama Guard 4 has no public chat template, so Guardbench builds its prompt from the model file's own tokenizer.chat_template, and this model file has none. Use a GGUF converted with Meta's chat template embedded, or define a custom guard for it.",
        },
      };
    const variables = {
      categories: Object.fromEntries(policy.categories.map((c) => [c.code, c.description === "" ? c.name : `${c.name}\n${c.description}`])),
      excluded_category_keys: policy.categories.filter((c) => !c.enabled).map((c) => c.code),
    };
    const request = (asParts: boolean) =>
      promptFromTemplate({
        family: "llama-guard-4" as const,
        template: options.embeddedTemplate!,
        contents: turns.map((turn) => turn.content),
        // Llama 4's processor template takes content parts; an older conversion may take plain strings.
        messagesFrom: (contents) => turns.map((turn, i) => ({ role: turn.role, content: asParts ? [{ type: "text", text: contents[i] }] : contents[i] })),
        variables,
        render: { bosToken: options.bosToken ?? "<|begin_of_text|>", eosToken: options.eosToken ?? "<|eot|>" },
        specialTokens: options.specialTokens ?? LLAMA_4_SPECIAL_TOKENS,
        checkedRole: turns.length % 2 === 1 ? "User" : "Agent",
        decisionPrefix: "\n\n",
      });
    let built = request(true);
    if (!built.ok || !turns.every((turn) => built.ok && built.prompt.text.includes(turn.content.trim()))) {
      const plain = request(false);
      if (plain.ok) built = plain;
    }
    if (!built.ok) return built;
    // A template that ignores `categories` would print its own list: refuse rather than judge by the wrong policy.
    const text = built.prompt.text;
    const missing = enabledCategories(policy).filter((c) => !text.includes(categoryLine(c.code, c.name)));
    const excludedShown = policy.categories.filter((c) => !c.enabled && text.includes(`${categoryLine(c.code, c.name)}\n`));
    if (missing.length > 0 || excludedShown.length > 0)
      return {
        ok: false,
        error: {
          code: "unsupported_category",
          message: `This model file's chat template does not print the policy's categories (${[...missing.map((c) => `${c.code} missing`), ...excludedShown.map((c) => `${c.code} still listed`)].join(", ")}): it ignores custom categories and exclusions. Use the preset policy with it.`,
        },
      };
    return singlePrompt(built.prompt);
  },
  // Prompt from the template itself: nothing to self-check.
  decision: llamaGuardDecision("\n\n"),
  parseVerdict: llamaGuardVerdict,
};
