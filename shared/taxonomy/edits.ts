import { isPresetCode, taxonomyRules } from "./presets.ts";
import { categoryCodeProblem, categoryNameProblem, findCategory, sameCode, type Policy, type PolicyCategory } from "./policy.ts";

// Pure policy edits for the taxonomy editor (the UI's reducer). Each returns a new Policy and never
// touches its input. An edit that cannot apply (unknown code, duplicate code, bad name) is an error
// value rather than a silently unchanged policy, so the UI can say why.

export type PolicyEditErrorCode = "unknown_category" | "invalid_code" | "duplicate_code" | "invalid_name" | "preset_category" | "invalid_index" | "fixed_taxonomy";

export type PolicyEditResult =
  | { ok: true; policy: Policy }
  | { ok: false; error: { code: PolicyEditErrorCode; message: string } };

export interface NewCategory {
  /** Defaults to `suggestNextCode(policy)`; any valid unused code is allowed (`F1`, `X-privacy`). */
  code?: string;
  name: string;
  description?: string;
  enabled?: boolean;
}

export type PolicyEdit =
  | { type: "rename"; code: string; name: string }
  | { type: "describe"; code: string; description: string }
  | { type: "add"; category: NewCategory; atIndex?: number }
  | { type: "remove"; code: string }
  | { type: "setEnabled"; code: string; enabled: boolean }
  | { type: "move"; code: string; toIndex: number };

const fail = (code: PolicyEditErrorCode, message: string): PolicyEditResult => ({ ok: false, error: { code, message } });

/** The code prefix new categories follow: the letter of the family's own codes. */
function codePrefix(policy: Policy): string {
  return policy.family === "llama-guard-1" ? "O" : "S";
}

/**
 * The next code after the highest `<prefix><number>` in the policy, counting excluded categories too
 * (a code stays reserved while excluded): S1–S14 → `S15`; LG1's O1–O6 → `O7`.
 */
export function suggestNextCode(policy: Policy): string {
  const prefix = codePrefix(policy);
  const pattern = new RegExp(`^${prefix}(\\d+)$`, "i");
  const highest = policy.categories.reduce((max, { code }) => Math.max(max, Number(pattern.exec(code)?.[1] ?? 0)), 0);
  return `${prefix}${highest + 1}`;
}

function updateCategory(policy: Policy, code: string, change: (category: PolicyCategory) => PolicyCategory): PolicyEditResult {
  const target = findCategory(policy, code);
  if (!target) return fail("unknown_category", `no category with code ${JSON.stringify(code)}`);
  return { ok: true, policy: { ...policy, categories: policy.categories.map((c) => (c === target ? change(c) : c)) } };
}

export function renameCategory(policy: Policy, code: string, name: string): PolicyEditResult {
  const problem = categoryNameProblem(name);
  if (problem) return fail("invalid_name", problem);
  return updateCategory(policy, code, (category) => ({ ...category, name }));
}

/** Rewrites the text printed under the name ("" prints the name alone). */
export function describeCategory(policy: Policy, code: string, description: string): PolicyEditResult {
  return updateCategory(policy, code, (category) => ({ ...category, description }));
}

/** Exclude (false) or include (true). Other codes are untouched: excluding S6 leaves S5, S7, … as they are. */
export function setCategoryEnabled(policy: Policy, code: string, enabled: boolean): PolicyEditResult {
  return updateCategory(policy, code, (category) => ({ ...category, enabled }));
}

/** "S6, s14 S2" → ["S6", "s14", "S2"]: codes as a user types a list of them (commas or spaces between). */
export function splitCategoryCodes(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/**
 * Excludes every listed code the policy has. A code it does not have is reported in `unknown`, not refused: the
 * official Llama Guard 3 1B template ignores unknown `excluded_category_keys` and still renders the prompt.
 */
export function excludeCategories(policy: Policy, codes: readonly string[]): { policy: Policy; unknown: string[] } {
  const unknown = codes.filter((code) => !findCategory(policy, code));
  const excluded = policy.categories.map((category) => (codes.some((code) => sameCode(code, category.code)) ? { ...category, enabled: false } : category));
  return { policy: { ...policy, categories: excluded }, unknown };
}

/** Adds a category at `atIndex` (default: the end). */
export function addCategory(policy: Policy, category: NewCategory, atIndex = policy.categories.length): PolicyEditResult {
  const code = category.code ?? suggestNextCode(policy);
  const codeProblem = categoryCodeProblem(code);
  if (codeProblem) return fail("invalid_code", codeProblem);
  if (findCategory(policy, code)) return fail("duplicate_code", `code ${JSON.stringify(code)} is already used`);
  const nameProblem = categoryNameProblem(category.name);
  if (nameProblem) return fail("invalid_name", nameProblem);
  if (!Number.isInteger(atIndex) || atIndex < 0 || atIndex > policy.categories.length)
    return fail("invalid_index", `index ${atIndex} is outside 0..${policy.categories.length}`);
  const added: PolicyCategory = { code, name: category.name, description: category.description ?? "", enabled: category.enabled ?? true };
  const categories = [...policy.categories];
  categories.splice(atIndex, 0, added);
  return { ok: true, policy: { ...policy, categories } };
}

/**
 * Removes a custom category. The family's default categories cannot be removed, only excluded:
 * keeping them in the policy keeps their code reserved and lets the user include them again.
 */
export function removeCategory(policy: Policy, code: string): PolicyEditResult {
  const target = findCategory(policy, code);
  if (!target) return fail("unknown_category", `no category with code ${JSON.stringify(code)}`);
  if (isPresetCode(policy.family, target.code))
    return fail("preset_category", `${target.code} is a default category of ${policy.family}: exclude it instead of removing it`);
  return { ok: true, policy: { ...policy, categories: policy.categories.filter((c) => c !== target) } };
}

/** Moves a category to `toIndex` in the final order (0 = first). Codes are not renumbered. */
export function moveCategory(policy: Policy, code: string, toIndex: number): PolicyEditResult {
  const target = findCategory(policy, code);
  if (!target) return fail("unknown_category", `no category with code ${JSON.stringify(code)}`);
  if (!Number.isInteger(toIndex) || toIndex < 0 || toIndex >= policy.categories.length)
    return fail("invalid_index", `index ${toIndex} is outside 0..${policy.categories.length - 1}`);
  const categories = policy.categories.filter((c) => c !== target);
  categories.splice(toIndex, 0, target);
  return { ok: true, policy: { ...policy, categories } };
}

/** The reducer form of the edits above, for the UI store. */
export function applyPolicyEdit(policy: Policy, edit: PolicyEdit): PolicyEditResult {
  const refused = fixedTaxonomyRefusal(policy, edit);
  if (refused) return fail("fixed_taxonomy", refused);
  switch (edit.type) {
    case "rename":
      return renameCategory(policy, edit.code, edit.name);
    case "describe":
      return describeCategory(policy, edit.code, edit.description);
    case "add":
      return addCategory(policy, edit.category, edit.atIndex);
    case "remove":
      return removeCategory(policy, edit.code);
    case "setEnabled":
      return setCategoryEnabled(policy, edit.code, edit.enabled);
    case "move":
      return moveCategory(policy, edit.code, edit.toIndex);
  }
}

/**
 * Why an edit is one the family's template cannot print (Qwen3Guard hard-codes its categories: no category of one's
 * own, none left out); undefined when the family allows it. Switching a category back on is always allowed.
 */
function fixedTaxonomyRefusal(policy: Policy, edit: PolicyEdit): string | undefined {
  const { customCategories, exclusions, displayName } = taxonomyRules(policy.family);
  if (!exclusions && edit.type === "setEnabled" && !edit.enabled) return `${displayName} judges every category its template lists: none can be excluded.`;
  if (!customCategories && edit.type !== "setEnabled") return `${displayName}'s categories are fixed by its template: they cannot be added, removed, renamed, described or moved.`;
  return undefined;
}
