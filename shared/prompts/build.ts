import type { Turn } from "../conversation/types.ts";
import { familyOf } from "../families/registry.ts";
import { isPromptFamily, presetPolicy, type Policy, type PromptFamily } from "../taxonomy/index.ts";
import { splitPartsAt, type PromptPart } from "./parts.ts";
import type { BuildPromptOptions, BuildPromptResult, BuiltPrompt } from "./types.ts";

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
  if (!isPromptFamily(family)) return { ok: false, error: { code: "unknown_family", message: `Unknown prompt family ${JSON.stringify(family)}.` } };
  const built = familyOf(family).buildPrompt(turns, policy ?? presetPolicy(family), options);
  if (!built.ok) return built;
  // The families the engine scores today build one prompt each; a per-category family has to be asked through its object.
  if (built.prompt.scoring !== "single")
    return { ok: false, error: { code: "unknown_family", message: `${family} builds one prompt per category; ask its family object (shared/families/registry.ts).` } };
  return { ok: true, prompt: built.prompt.prompt };
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
