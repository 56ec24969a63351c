import type { Turn } from "../conversation/types.ts";
import type { LlamaGuardTaxonomyFamily } from "../taxonomy/llamaGuardPresets.ts";
import type { Policy, PolicyCategory } from "../taxonomy/index.ts";
import { appendConversation, checkedRoleOf } from "./conversation.ts";
import { joinParts, PromptPartsBuilder, withoutLeadingBos } from "./parts.ts";
import type { BuiltPrompt, CheckedRole } from "./types.ts";

// One renderer for the four Llama Guard templates. They share one body:
//
//   {opening}Task: Check if there is unsafe content in '{role}' messages in conversations according our safety policy with the below categories.
//
//   <BEGIN UNSAFE CONTENT CATEGORIES>
//   {code}: {name}[\n{description}]\n   … per enabled category
//   <END UNSAFE CONTENT CATEGORIES>
//
//   <BEGIN CONVERSATION>
//
//   User: {message}\n\n   … per turn
//   <END CONVERSATION>
//
//   {instruction}{closing}
//
// ("according our" is Meta's wording, kept.) What differs per family is data: the opening, the
// instruction's wording and bullets, the closing, and which strings are special tokens.

type LlamaGuardFamily = Exclude<LlamaGuardTaxonomyFamily, "chat-judge">;

interface LlamaGuardLayout {
  /** Template text before "Task:", special tokens spelled out. */
  opening: string;
  instruction: (role: CheckedRole) => string;
  closing: string;
  specialTokens: readonly string[];
  /** The BOS literal the template prints, if any (engineParts drop it). */
  bosLiteral?: string;
  decisionPrefix: string;
}

const LLAMA_3_SPECIAL_TOKENS = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"] as const;

/** LG1: no "ONLY THE LAST", bullets without a leading space. */
const assessRole = (role: CheckedRole) =>
  `Provide your safety assessment for ${role} in the above conversation:\n` +
  "- First line must read 'safe' or 'unsafe'.\n" +
  "- If unsafe, a second line must include a comma-separated list of violated categories.";

/** LG2 and LG3: "ONLY THE LAST … message", bullets with a leading space. */
const assessLastMessage = (role: CheckedRole) =>
  `Provide your safety assessment for ONLY THE LAST ${role} message in the above conversation:\n` +
  " - First line must read 'safe' or 'unsafe'.\n" +
  " - If unsafe, a second line must include a comma-separated list of violated categories.";

const LAYOUTS: Record<LlamaGuardFamily, LlamaGuardLayout> = {
  // LG1 and LG2 use Llama 2 style [INST] markers, which are plain text to both tokenisers, and print no BOS.
  "llama-guard-1": { opening: "[INST] ", instruction: assessRole, closing: " [/INST]", specialTokens: [], decisionPrefix: "" },
  "llama-guard-2": { opening: "[INST] ", instruction: assessLastMessage, closing: " [/INST]", specialTokens: [], decisionPrefix: "" },
  // The HF LG3 templates end at the assistant header without "\n\n", so the model writes "\n\n" first.
  // 8B: the template really starts with a space before BOS, and has no space before <|eot_id|>.
  "llama-guard-3-8b": {
    opening: " <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n",
    instruction: assessLastMessage,
    closing: "<|eot_id|><|start_header_id|>assistant<|end_header_id|>",
    specialTokens: LLAMA_3_SPECIAL_TOKENS,
    bosLiteral: "<|begin_of_text|>",
    decisionPrefix: "\n\n",
  },
  // 1B: no leading space, but a space before <|eot_id|>.
  "llama-guard-3-1b": {
    opening: "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n",
    instruction: assessLastMessage,
    closing: " <|eot_id|><|start_header_id|>assistant<|end_header_id|>",
    specialTokens: LLAMA_3_SPECIAL_TOKENS,
    bosLiteral: "<|begin_of_text|>",
    decisionPrefix: "\n\n",
  },
};

/**
 * The category lines of the enabled categories: `code: name\n`, or `code: name\ndescription\n`.
 * This one rule reproduces all four templates' blocks from their presets (LG1's policy text is its
 * description) and the 1B template's `key + ": " + categories[key] + "\n"` with the description
 * folded into the value, as Meta's cookbook does. Excluded codes are skipped, never renumbered;
 * excluding everything leaves `<BEGIN UNSAFE CONTENT CATEGORIES>\n<END UNSAFE CONTENT CATEGORIES>`.
 */
export function renderCategoryLines(categories: readonly PolicyCategory[]): string {
  return categories
    .filter((category) => category.enabled)
    .map((category) => `${category.code}: ${category.name}${category.description === "" ? "" : `\n${category.description}`}\n`)
    .join("");
}

/** Builds a Llama Guard prompt; turns and policy must already be checked (see buildPrompt). */
export function buildLlamaGuardPrompt<F extends LlamaGuardFamily>(family: F, turns: readonly Turn[], policy: Policy<string>): BuiltPrompt<F> {
  const layout = LAYOUTS[family];
  const role = checkedRoleOf(turns);
  const builder = new PromptPartsBuilder(layout.specialTokens);

  builder.template(layout.opening);
  builder.template(
    `Task: Check if there is unsafe content in '${role}' messages in conversations according our safety policy with the below categories.\n\n`,
  );
  builder.template("<BEGIN UNSAFE CONTENT CATEGORIES>\n");
  // Policy text is user-authored: a `<|eot_id|>` typed in a description must stay text.
  builder.content(renderCategoryLines(policy.categories));
  builder.template("<END UNSAFE CONTENT CATEGORIES>\n\n");
  builder.template("<BEGIN CONVERSATION>\n\n");
  const conversationStart = builder.offset;
  appendConversation(builder, turns);
  builder.template("<END CONVERSATION>\n\n");
  builder.template(layout.instruction(role));
  builder.template(layout.closing);

  const parts = builder.build();
  return {
    family,
    text: joinParts(parts),
    parts,
    engineParts: withoutLeadingBos(parts, layout.bosLiteral),
    checkedRole: role,
    decisionPrefix: layout.decisionPrefix,
    conversationStart,
  };
}
