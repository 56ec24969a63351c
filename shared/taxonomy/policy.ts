import { z } from "zod";
import { openAiMappingSchema, type OpenAiMapping } from "../moderation/categories.ts";
import { FAMILY_IDS, PROMPT_FAMILIES, type FamilyId, type PromptFamily } from "./families.ts";

/**
 * One category of a safety policy, exactly as the classifier will see it.
 *
 * `name` and `description` are prompt text, not display text: a Llama Guard 2 name carries the
 * trailing space its template prints (`"Violent Crimes. "`). Display text from the model cards is
 * separate (see `cardInfo`).
 */
export interface PolicyCategory {
  /** The code the model answers with (`S1`, `O3`, `F1`). Kept as is when others are excluded: never renumbered. */
  code: string;
  name: string;
  /** Printed on the lines after the name when non-empty; "" prints the name alone. */
  description: string;
  /** false = excluded: not printed in the prompt, and a verdict naming it is reported, not accepted. */
  enabled: boolean;
}

/**
 * `F` is the set of family names the policy may name. The default, the families the engine scores today, is what the
 * contract and the store carry; a family of the registry takes `Policy<FamilyId>` (see shared/families).
 */
export interface Policy<F extends string = PromptFamily> {
  name: string;
  /** The prompt family the policy was written for; its layout and default categories. */
  family: F;
  /** In prompt order. */
  categories: PolicyCategory[];
  /**
   * Which of its codes feed which OpenAI moderation key (`/v1/moderations`, "Copy as OpenAI moderation"); absent: the
   * family's documented default (shared/moderation/defaultMappings.ts). Codes the policy lacks are ignored.
   */
  openaiMapping?: OpenAiMapping;
}

export interface PolicyError {
  code: "invalid_policy";
  message: string;
}

export type ParsePolicyResult = { ok: true; policy: Policy } | { ok: false; error: PolicyError };

/** Longest code accepted; codes are short labels the model must reproduce token by token. */
export const MAX_CATEGORY_CODE_LENGTH = 32;

/** Whitespace (JS `\s`) or a C0/C1 control character, which covers the separators Python also counts as whitespace (U+001C–U+001F, U+0085). */
function hasSpaceOrControl(text: string): boolean {
  if (/\s/u.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return true;
  }
  return false;
}

/**
 * Why a code cannot be used, or undefined when it can.
 * A code is printed as `code: name` and read back from a comma-separated answer line, so it may not
 * contain ':' or ',' or whitespace (a line break would also forge a new category line).
 */
export function categoryCodeProblem(code: string): string | undefined {
  if (code.length === 0) return "code is empty";
  if (code.length > MAX_CATEGORY_CODE_LENGTH) return `code is longer than ${MAX_CATEGORY_CODE_LENGTH} characters`;
  if (code.includes(":")) return `code ${JSON.stringify(code)} contains ':' (the prompt prints "code: name")`;
  if (code.includes(",")) return `code ${JSON.stringify(code)} contains ',' (verdicts list codes separated by commas)`;
  if (hasSpaceOrControl(code)) return `code ${JSON.stringify(code)} contains whitespace or a control character`;
  return undefined;
}

/** Why a category name cannot be used, or undefined. Trailing spaces are fine (Llama Guard 2 names have one). */
export function categoryNameProblem(name: string): string | undefined {
  if (name.trim().length === 0) return "name is empty";
  if (/[\r\n]/.test(name)) return "name contains a line break (put further lines in the description)";
  return undefined;
}

/** Codes compare case-insensitively: a chat judge may answer `s1`, which must not be ambiguous. */
export function sameCode(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

export function findCategory(policy: Policy<string>, code: string): PolicyCategory | undefined {
  return policy.categories.find((category) => sameCode(category.code, code));
}

interface Problem {
  path: (string | number)[];
  message: string;
}

function policyProblems(policy: Policy<string>): Problem[] {
  const problems: Problem[] = [];
  if (policy.name.trim().length === 0) problems.push({ path: ["name"], message: "policy name is empty" });
  const firstIndexByCode = new Map<string, number>();
  policy.categories.forEach((category, index) => {
    const codeProblem = categoryCodeProblem(category.code);
    if (codeProblem) problems.push({ path: ["categories", index, "code"], message: codeProblem });
    const nameProblem = categoryNameProblem(category.name);
    if (nameProblem) problems.push({ path: ["categories", index, "name"], message: nameProblem });
    const key = category.code.toUpperCase();
    const firstIndex = firstIndexByCode.get(key);
    if (firstIndex === undefined) firstIndexByCode.set(key, index);
    else
      problems.push({
        path: ["categories", index, "code"],
        message: `duplicate code ${JSON.stringify(category.code)} (also at categories[${firstIndex}]; codes compare case-insensitively)`,
      });
  });
  return problems;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

function formatProblems(problems: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return problems.map((p) => (p.path.length > 0 ? `${formatPath(p.path)}: ${p.message}` : p.message)).join("; ");
}

/** Zod error text for a field: "is missing" when absent, else what it must be. */
const fieldError = (field: string, expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${field} is missing` : `${field} must be ${expected}`;

const categorySchema = z.strictObject({
  code: z.string({ error: fieldError("code", "a string") }),
  name: z.string({ error: fieldError("name", "a string") }),
  // Defaults make hand-written policy files short; strict objects still catch a misspelt `enabeld`.
  description: z.string({ error: fieldError("description", "a string") }).default(""),
  enabled: z.boolean({ error: fieldError("enabled", "true or false") }).default(true),
});

function policySchemaFor<const F extends readonly [string, ...string[]]>(families: F) {
  return z
    .strictObject({
      name: z.string({ error: fieldError("name", "a string") }),
      family: z.enum(families, {
        error: (issue) =>
          `${issue.input === undefined ? "family is missing" : `unknown family ${JSON.stringify(issue.input)}`} (expected one of ${families.join(", ")})`,
      }),
      categories: z.array(categorySchema, { error: fieldError("categories", "an array") }),
      openaiMapping: openAiMappingSchema.optional(),
    })
    .superRefine((policy, ctx) => {
      for (const problem of policyProblems(policy)) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    });
}

/**
 * The policy JSON schema (for the IPC contract and imports). Unknown keys are errors, so a typo such
 * as `"enabeld": false` cannot silently leave a category switched on. It accepts the families the engine scores today.
 */
export const policySchema = policySchemaFor(PROMPT_FAMILIES);

/** The same schema for a policy of any registry family (shared/families), scorable today or not. */
export const familyPolicySchema = policySchemaFor(FAMILY_IDS);

/** Validates untrusted JSON (a file, an IPC payload) into a Policy. Never throws. */
export function parsePolicy(json: unknown): ParsePolicyResult {
  const parsed = policySchema.safeParse(json);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return { ok: false, error: { code: "invalid_policy", message: formatProblems(parsed.error.issues) } };
}

/** parsePolicy for a policy of any registry family. */
export function parseFamilyPolicy(json: unknown): { ok: true; policy: Policy<FamilyId> } | { ok: false; error: PolicyError } {
  const parsed = familyPolicySchema.safeParse(json);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return { ok: false, error: { code: "invalid_policy", message: formatProblems(parsed.error.issues) } };
}

/** Checks an already-typed policy (codes, names, duplicates); undefined when it is usable. */
export function validatePolicy(policy: Policy<string>): PolicyError | undefined {
  const problems = policyProblems(policy);
  return problems.length === 0 ? undefined : { code: "invalid_policy", message: formatProblems(problems) };
}
