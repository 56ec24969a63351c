/**
 * Per-category metrics match a dataset's category codes to a policy's by code alone. A code means a hazard only
 * within its taxonomy: a dataset's MLCommons S14 is Code Interpreter Abuse, a custom policy's S14 may be Harassment,
 * and Llama Guard 2's S10 is Self-Harm where MLCommons' S10 is Hate. So every code is shown with the names both sides
 * give it, and a code the two sides name differently is reported, for the user to read its numbers with care.
 */
import { sameCode } from "../taxonomy/policy.ts";
import { presetTaxonomyData } from "../taxonomy/llamaGuardPresets.ts";

/** What a dataset calls one of its codes. */
export interface DatasetCategoryName {
  code: string;
  name: string;
  /** other spellings of the same hazard, which a policy may use instead (Llama Guard 3's prompt text for a card name) */
  aliases?: readonly string[];
}

export interface NamedCategory {
  code: string;
  /** the run's policy's name; absent for a code the policy does not have */
  policyName?: string;
  /** the dataset's name; absent where the dataset gives its codes no names */
  datasetName?: string;
}

export interface CategoryNameMismatch {
  code: string;
  datasetName: string;
  policyName: string;
}

export interface CategoryNaming {
  /** every code either side names, in natural order (S2 before S10) */
  categories: NamedCategory[];
  /** the codes both sides have under names that do not match */
  mismatches: CategoryNameMismatch[];
}

/**
 * The names of MLCommons hazard codes, as the record format's `mlcommons` field uses them: the Llama Guard 3 model
 * card's wording (S1–S14), with its template's wording ("Sex Crimes." for "Sex-Related Crimes") as an alias. Codes
 * outside S1–S14 get no name.
 */
export function mlcommonsCategoryNames(codes: Iterable<string>): DatasetCategoryName[] {
  const { categories, card } = presetTaxonomyData("llama-guard-3-8b");
  const names: DatasetCategoryName[] = [];
  for (const code of new Set(codes)) {
    const entry = card.find(([cardCode]) => sameCode(cardCode, code));
    if (!entry) continue;
    const promptName = categories.find((category) => sameCode(category.code, code))?.name;
    names.push({ code, name: entry[1], ...(promptName ? { aliases: [promptName] } : {}) });
  }
  return names;
}

/** Names equal but for case, punctuation, spacing and "&" for "and": "Suicide & Self-Harm" is "suicide and self harm". */
export function sameCategoryName(a: string, b: string): boolean {
  return normalized(a) === normalized(b);
}

function normalized(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The names each side gives every code, and the codes the two sides name differently. */
export function nameCategories(policy: readonly { code: string; name: string }[], dataset: readonly DatasetCategoryName[]): CategoryNaming {
  const categories: NamedCategory[] = policy.map(({ code, name }) => ({ code, policyName: displayName(name) }));
  const mismatches: CategoryNameMismatch[] = [];
  for (const named of dataset) {
    const shared = categories.find((category) => sameCode(category.code, named.code));
    if (!shared) {
      categories.push({ code: named.code, datasetName: named.name });
      continue;
    }
    shared.datasetName = named.name;
    const policyName = shared.policyName ?? "";
    if (![named.name, ...(named.aliases ?? [])].some((name) => sameCategoryName(name, policyName))) {
      mismatches.push({ code: shared.code, datasetName: named.name, policyName });
    }
  }
  const order = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code, "en", { numeric: true });
  return { categories: categories.sort(order), mismatches: mismatches.sort(order) };
}

/** Template names end in "." and sometimes a space ("Violent Crimes. "): shown without them. */
function displayName(name: string): string {
  return name.trim().replace(/\.$/, "");
}

/** The names of one code, found case-insensitively as policies match codes. */
export function namesOfCategory(naming: CategoryNaming, code: string): NamedCategory | undefined {
  return naming.categories.find((category) => sameCode(category.code, code));
}
