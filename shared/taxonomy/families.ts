/**
 * The prompt families the engine scores today, re-exported from the family registry's name list
 * (shared/families/ids.ts) so that existing imports keep working. Every family, scorable or not, is described by its
 * object in shared/families/registry.ts.
 */
export { FAMILY_IDS, PROMPT_FAMILIES, isFamilyId, isPromptFamily, type FamilyId, type PromptFamily } from "../families/ids.ts";
