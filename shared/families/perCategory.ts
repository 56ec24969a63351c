/**
 * Families that judge one policy per call (ShieldGemma, Granite Guardian): one prompt per enabled category, each with
 * its own Yes/No decision, combined into one verdict.
 */
import { binaryDecision } from "./decision.ts";
import type { DecisionSpec, FamilyVerdict, VerdictAnswer } from "./types.ts";

/** `Yes`/`No` first, as ShieldGemma and Granite Guardian 3.0–3.2 answer; per-category prompts. */
export function yesNoDecision(options: { matchCase: "exact" | "any"; leadingSpaceVariants: boolean }): DecisionSpec {
  return binaryDecision("Yes / No (violation?)", { after: "", afterAnyText: false, forcible: true }, ["yes", "Yes"], ["no", "No"], {
    ...options,
    score: "normalised",
    categories: { kind: "per-category-prompt" },
    combine: "any-category",
  });
}

/**
 * One verdict from the verdicts of a conversation's category prompts: unsafe when any category is (its codes, in
 * policy order); safe only when every category is safe; otherwise unparseable, naming the categories whose answer
 * could not be read, so a missing answer never passes as safe. Each category's answers are kept, prefixed with its code.
 */
export function combineCategoryVerdicts(verdicts: readonly { code: string; verdict: FamilyVerdict }[]): FamilyVerdict {
  const raw = verdicts.map(({ code, verdict }) => `[${code}] ${verdict.raw}`).join("\n");
  const answers: VerdictAnswer[] = verdicts.flatMap(({ code, verdict }) =>
    (verdict.answers ?? []).map((answer) => ({ key: `${code}.${answer.key}`, label: `${code}: ${answer.label}`, value: answer.value })),
  );
  const extras = answers.length > 0 ? { answers } : {};
  const unsafe = verdicts.filter(({ verdict }) => verdict.kind === "unsafe");
  if (unsafe.length > 0) return { kind: "unsafe", categories: unsafe.map(({ code }) => code), raw, ...extras };
  const unreadable = verdicts.filter(({ verdict }) => verdict.kind === "unparseable");
  if (verdicts.length === 0) return { kind: "unparseable", raw, reason: "no category was judged" };
  if (unreadable.length > 0)
    return {
      kind: "unparseable",
      raw,
      reason: `the answer for ${unreadable.map(({ code }) => code).join(", ")} could not be read (${unreadable.map(({ verdict }) => (verdict.kind === "unparseable" ? verdict.reason : "")).join("; ")})`,
      ...extras,
    };
  return { kind: "safe", raw, ...extras };
}
