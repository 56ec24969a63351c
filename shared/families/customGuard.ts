/**
 * The "custom guard": a model of no known family, used with its own chat template, a decision word pair the user picks
 * (`unsafe`/`safe`, `Yes`/`No`) and a verdict pattern. The definition is plain JSON, validated here, so it can be saved
 * with the model and loaded back.
 */
import { z } from "zod";
import { canonicalJson } from "../format/canonicalJson.ts";
import { checkFamilyInputs, judgedTurnOf, singlePrompt } from "./common.ts";
import { binaryDecision } from "./decision.ts";
import { promptFromTemplate, renderChatTemplate } from "./embeddedTemplate.ts";
import { cleanOutput, END_MARKERS, resolveListedCategories, splitList, textOrUndefined, unparseableVerdict } from "./verdict.ts";
import type { FamilyVerdict, GuardFamily, ParseVerdictContext, TaxonomyPreset } from "./types.ts";

export const CUSTOM_GUARD_ID = "custom-guard";

/** Why a verdict pattern cannot be used, or undefined. */
export function verdictPatternProblem(pattern: string, flags: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    return `the verdict pattern is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!regex.source.includes("(?<verdict>")) return "the verdict pattern needs a named group (?<verdict>…) that captures the decision word";
  return undefined;
}

const word = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .min(1, `${field} is empty`)
    .refine((text) => text.trim() === text && !/\s/.test(text), `${field} must be one word without spaces (it is matched as the first token of the answer)`);

export const customGuardSchema = z
  .strictObject({
    /** shown in the UI; the family id is always `custom-guard` */
    name: z.string({ error: "name must be a string" }).min(1, "name is empty"),
    /** the chat template to render; absent: the model file's own `tokenizer.chat_template`, read when it loads */
    template: z.string({ error: "template must be a string" }).min(1, "template is empty").optional(),
    /** template variables beside messages (a category list, a guideline …) */
    variables: z.record(z.string(), z.json()).default({}),
    /** the template's bos_token / eos_token; absent: the model vocabulary's own */
    bosToken: z.string().optional(),
    eosToken: z.string().optional(),
    /** special-token text that becomes single tokens in the template's own text; absent: the vocabulary's control tokens */
    specialTokens: z.array(z.string().min(1)).optional(),
    decision: z.strictObject({
      /** the answer word that means unsafe, and the one that means safe */
      unsafe: word("decision.unsafe"),
      safe: word("decision.safe"),
      /** text the model writes before the decision word ("" = the decision is its first word) */
      after: z.string().default(""),
      matchCase: z.enum(["exact", "any"]).default("any"),
    }),
    verdict: z.strictObject({
      /** a regular expression with a named group `verdict` (and optionally `categories`, a comma-separated list) */
      pattern: z.string({ error: "verdict.pattern must be a string" }),
      flags: z
        .string()
        .regex(/^[imsu]*$/, "verdict.flags may contain only i, m, s and u")
        .default("i"),
    }),
  })
  .superRefine((definition, ctx) => {
    const problem = verdictPatternProblem(definition.verdict.pattern, definition.verdict.flags);
    if (problem) ctx.addIssue({ code: "custom", path: ["verdict", "pattern"], message: problem });
    if (definition.decision.unsafe.toLowerCase() === definition.decision.safe.toLowerCase())
      ctx.addIssue({ code: "custom", path: ["decision"], message: "decision.unsafe and decision.safe must be different words" });
    if (definition.template === undefined) return;
    const rendered = renderChatTemplate(definition.template, { messages: [{ role: "user", content: "test" }], variables: definition.variables });
    if (!rendered.ok && / does not parse/.test(rendered.error.message)) ctx.addIssue({ code: "custom", path: ["template"], message: rendered.error.message });
  });

export type CustomGuardDefinition = z.output<typeof customGuardSchema>;

/** What a load or a run of a file as a custom guard says when no definition is saved with it (`file`: as shown). */
export function customGuardMissing(file: string): { message: string; hint: string } {
  return {
    message: `${file} has no custom guard saved with it, so it cannot be scored as one`,
    hint: "Define the custom guard first (its decision words and verdict pattern: Models → Custom guard, or --custom-guard FILE), then load or run it again.",
  };
}

/**
 * Whether two definitions (or their absence) score alike: field order aside, the same JSON. A run, a stored score and
 * a loaded guard are matched with it.
 */
export function sameCustomGuard(a: CustomGuardDefinition | undefined, b: CustomGuardDefinition | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

export type ParseCustomGuardResult = { ok: true; definition: CustomGuardDefinition } | { ok: false; error: { code: "invalid_custom_guard"; message: string } };

/** Validates untrusted JSON (a saved model setting, an IPC payload) into a definition. Never throws. */
export function parseCustomGuard(json: unknown): ParseCustomGuardResult {
  const parsed = customGuardSchema.safeParse(json);
  if (parsed.success) return { ok: true, definition: parsed.data };
  return {
    ok: false,
    error: { code: "invalid_custom_guard", message: parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`).join("; ") },
  };
}

const NO_TAXONOMY: TaxonomyPreset = { name: "Custom guard (categories come from its template)", categories: [], card: [], customCategories: true, exclusions: true };

/**
 * The verdict pattern applied to the cleaned output: `verdict` compared with the decision words, `categories` (if the
 * pattern has it and the policy has categories) resolved to the policy's codes. No match, or another word, is unparseable.
 */
function parseWithPattern(definition: CustomGuardDefinition, output: string, context: ParseVerdictContext): FamilyVerdict {
  const raw = textOrUndefined(output);
  if (raw === undefined) return unparseableVerdict("", "the output is not text");
  const text = cleanOutput(raw, END_MARKERS);
  const match = new RegExp(definition.verdict.pattern, definition.verdict.flags).exec(text);
  const verdict = match?.groups?.verdict;
  if (verdict === undefined) return unparseableVerdict(raw, `the answer does not match the verdict pattern /${definition.verdict.pattern}/${definition.verdict.flags}`);
  const same = (a: string, b: string) => (definition.decision.matchCase === "any" ? a.toLowerCase() === b.toLowerCase() : a === b);
  const answers = [{ key: "verdict", label: "Verdict", value: verdict }];
  if (same(verdict.trim(), definition.decision.safe)) return { kind: "safe", raw, answers };
  if (!same(verdict.trim(), definition.decision.unsafe))
    return unparseableVerdict(raw, `the verdict ${JSON.stringify(verdict)} is neither "${definition.decision.unsafe}" nor "${definition.decision.safe}"`, { answers });
  const listedText = match?.groups?.categories?.trim();
  if (!listedText || context.policy.categories.length === 0) return { kind: "unsafe", categories: [], raw, answers };
  const listed = splitList(listedText);
  if (!listed) return unparseableVerdict(raw, `empty entry in the category list ${JSON.stringify(listedText)}`, { answers });
  const resolved = resolveListedCategories(listed, context.policy, "code");
  if (!resolved.ok) {
    const { ok: _ok, ...problem } = resolved;
    return unparseableVerdict(raw, problem.reason, { ...problem, answers });
  }
  return { kind: "unsafe", categories: resolved.categories, raw, answers };
}

/**
 * A family object for a custom guard definition: it renders the definition's template (or the model file's own, from
 * the prompt options) and reads its decision words.
 */
export function customGuardFamily(definition: CustomGuardDefinition): GuardFamily<typeof CUSTOM_GUARD_ID> {
  const family: GuardFamily<typeof CUSTOM_GUARD_ID> = {
    id: CUSTOM_GUARD_ID,
    displayName: definition.name,
    source: {
      kind: "embedded-template",
      reference: "the chat template saved with this custom guard (normally the model file's own)",
      confidence: "low",
      caveats: ["Guardbench knows nothing about this model: the decision words and the verdict pattern are the user's."],
    },
    taxonomy: NO_TAXONOMY,
    scorableToday: true,
    needsEmbeddedTemplate: true,
    settings: [],
    buildPrompt(turns, policy, options = {}) {
      const error = checkFamilyInputs(family, turns, policy, { ...options, allowPolicyOfOtherFamily: true });
      if (error) return { ok: false, error };
      const template = definition.template ?? options.embeddedTemplate;
      if (template === undefined || template.trim() === "")
        return {
          ok: false,
          error: {
            code: "template_missing",
            message: `The custom guard "${definition.name}" uses the model file's own chat template, and this model file has none: paste the model's template into the custom guard.`,
          },
        };
      const built = promptFromTemplate({
        family: CUSTOM_GUARD_ID,
        template,
        contents: turns.map((turn) => turn.content),
        messagesFrom: (contents) => turns.map((turn, i) => ({ role: turn.role, content: contents[i] })),
        variables: definition.variables,
        render: { bosToken: definition.bosToken ?? options.bosToken ?? "", eosToken: definition.eosToken ?? options.eosToken ?? "" },
        specialTokens: definition.specialTokens ?? options.specialTokens ?? [],
        checkedRole: judgedTurnOf(turns) === "prompt" ? "User" : "Agent",
        decisionPrefix: definition.decision.after,
      });
      return built.ok ? singlePrompt(built.prompt) : built;
    },
    decision: binaryDecision(
      `${definition.decision.unsafe} / ${definition.decision.safe}`,
      { after: definition.decision.after, afterAnyText: false, forcible: true },
      ["unsafe", definition.decision.unsafe],
      ["safe", definition.decision.safe],
      { leadingSpaceVariants: true, matchCase: definition.decision.matchCase, score: "raw", categories: { kind: "none", reason: "A custom guard defines no forced path for categories." } },
    ),
    parseVerdict: (output, context) => parseWithPattern(definition, output, context),
  };
  return family;
}

/**
 * The registry's entry for `custom-guard`: what the UI and the CLI read of the family (its name, its empty taxonomy).
 * It has no definition, so it builds no prompt; the engine scores a custom guard with `customGuardFamily` of the
 * definition saved with the model (registry.ts, `guardFamilyOf`).
 */
export const customGuardWithoutDefinition: GuardFamily<typeof CUSTOM_GUARD_ID> = {
  ...customGuardFamily({ name: "Custom guard", variables: {}, decision: { unsafe: "unsafe", safe: "safe", after: "", matchCase: "any" }, verdict: { pattern: "^(?<verdict>\\S+)", flags: "i" } }),
  buildPrompt(turns, policy, options) {
    // What is wrong with the conversation is said first, as every family says it.
    const error = checkFamilyInputs(customGuardWithoutDefinition, turns, policy, { ...options, allowPolicyOfOtherFamily: true });
    if (error) return { ok: false, error };
    return {
      ok: false,
      error: { code: "custom_guard_missing", message: "A custom guard's prompt comes from its definition, and none was given: save a custom guard with the model, then load it as a custom guard." },
    };
  },
};
