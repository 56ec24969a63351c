import { PROMPT_FAMILIES, presetPolicy, type Policy, type PromptFamily } from "../../../../shared/taxonomy/index.ts";

/** One preset per family, built once: selectors compare drafts against them by reference-stable objects. */
export const PRESETS: Readonly<Record<PromptFamily, Policy>> = Object.freeze(
  Object.fromEntries(PROMPT_FAMILIES.map((family) => [family, presetPolicy(family)])) as Record<PromptFamily, Policy>,
);

/** Fresh copies, for state that will be edited. */
export function freshPresets(): Record<PromptFamily, Policy> {
  return Object.fromEntries(PROMPT_FAMILIES.map((family) => [family, presetPolicy(family)])) as Record<PromptFamily, Policy>;
}
