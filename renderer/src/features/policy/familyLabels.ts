import { familyOf } from "../../../../shared/families/registry.ts";
import { PROMPT_FAMILIES, type PromptFamily } from "../../../../shared/taxonomy/index.ts";

/** How the families are named in the UI (the ids are for code and files): each family's registry name. */
export const FAMILY_LABELS = Object.fromEntries(PROMPT_FAMILIES.map((family) => [family, familyOf(family).displayName])) as Record<PromptFamily, string>;

export const FAMILY_OPTIONS = PROMPT_FAMILIES.map((family) => ({ value: family, label: FAMILY_LABELS[family] }));
