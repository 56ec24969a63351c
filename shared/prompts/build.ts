import type { Turn } from "../conversation/types.ts";
import { promptsOf } from "../families/common.ts";
import { guardFamilyOf } from "../families/registry.ts";
import type { FamilyPromptResult } from "../families/types.ts";
import { isPromptFamily, presetPolicy, type Policy, type PromptFamily } from "../taxonomy/index.ts";
import { splitPartsAt, type PromptPart } from "./parts.ts";
import type { BuildPromptOptions, BuildPromptResult, BuiltPrompt, PromptError } from "./types.ts";

/**
 * Builds the prompt a classifier of `family` gets for `turns` (user/assistant, alternating, user
 * first), classifying the last turn; the family's registry object does the work. `policy` defaults
 * to the family's preset, with which the Llama Guard families render byte-identically to their
 * official template. Never throws: invalid input is an error value, as the templates'
 * raise_exception would be.
 */
export function buildPrompt(
  family: PromptFamily,
  turns: readonly Turn[],
  policy?: Policy,
  options: BuildPromptOptions = {},
): BuildPromptResult {
  const built = familyPrompt(family, turns, policy, options);
  if (!built.ok) return built;
  // The families the engine scores today build one prompt each; a per-category family has to be asked through its object.
  if (built.prompt.scoring !== "single")
    return { ok: false, error: { code: "unknown_family", message: `${family} builds one prompt per category; ask its family object (shared/families/registry.ts).` } };
  return { ok: true, prompt: built.prompt.prompt };
}

/** A family's prompt as a person reads it: one prompt, or for a family that judges one category per call, each one. */
export interface PromptText {
  /** the prompt's text; per category, each prompt under its `[code]` line, blank-line separated */
  text: string;
  /** in policy order; `code` only for per-category prompts */
  prompts: { code?: string; prompt: BuiltPrompt<string> }[];
}

/** `prompts` as one text: a single prompt as it is, per-category prompts each under its `[code]` (as their answers are). */
export function promptTextOf(prompts: ReadonlyArray<{ code?: string; prompt: { text: string } }>): string {
  if (prompts.length === 1 && prompts[0]!.code === undefined) return prompts[0]!.prompt.text;
  return prompts.map(({ code, prompt }) => `[${code}]\n${prompt.text}`).join("\n\n");
}

/** Like buildPrompt, for every family the engine scores, per-category ones included (ShieldGemma): what to show. */
export function buildPromptText(family: PromptFamily, turns: readonly Turn[], policy?: Policy, options: BuildPromptOptions = {}): { ok: true; value: PromptText } | { ok: false; error: PromptError } {
  const built = familyPrompt(family, turns, policy, options);
  if (!built.ok) return built;
  const prompts = promptsOf(built.prompt);
  return { ok: true, value: { text: promptTextOf(prompts), prompts } };
}

/** The family's registry builder, for a name from outside (a stored row, a request) that may not be a scorable family. */
function familyPrompt(family: PromptFamily, turns: readonly Turn[], policy: Policy | undefined, options: BuildPromptOptions): FamilyPromptResult<PromptFamily> {
  if (!isPromptFamily(family)) return { ok: false, error: { code: "unknown_family", message: `Unknown prompt family ${JSON.stringify(family)}.` } };
  const { customGuard, ...promptOptions } = options;
  return guardFamilyOf({ family, ...(customGuard && { customGuard }) }).buildPrompt(turns, policy ?? presetPolicy(family), promptOptions);
}

/** What the engine tokenises: `text` parts with special-token parsing off, `special` parts as single tokens; BOS added by llama.cpp. */
export function renderForEngine(prompt: BuiltPrompt): PromptPart[] {
  return prompt.engineParts.map((part) => ({ ...part }));
}

/**
 * `engineParts` cut where the conversation starts: `prefix` depends only on policy and role (evaluate
 * once, keep its KV state), `conversation` is the per-item suffix.
 */
export function splitEngineParts(prompt: BuiltPrompt): { prefix: PromptPart[]; conversation: PromptPart[] } {
  // engineParts only drop characters from the front of `text`.
  const droppedLength = prompt.text.length - prompt.engineParts.reduce((length, part) => length + part.text.length, 0);
  const [prefix, conversation] = splitPartsAt(prompt.engineParts, prompt.conversationStart - droppedLength);
  return { prefix, conversation };
}
