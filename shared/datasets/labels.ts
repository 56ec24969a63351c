/**
 * Label values as they appear in the wild, read conservatively: a label read wrongly silently corrupts every metric
 * computed from it, so only unambiguous spellings are accepted and anything else is a bad row whose reason names the
 * value. Case and surrounding spaces are ignored.
 *
 * | read as  | words                        | flags (see `trueMeans`)          |
 * |----------|------------------------------|----------------------------------|
 * | unsafe   | unsafe, harmful              | 1, true (JSON or text, 1.0 too)  |
 * | safe     | safe, unharmful, benign      | 0, false                         |
 * | no label | empty text, null, missing    |                                  |
 *
 * "harmful"/"unharmful" are WildGuardMix's labels; "benign" is common in jailbreak sets. Deliberately not accepted:
 * "toxic"/"non-toxic" (toxicity is one hazard, not "unsafe"), "yes"/"no" and "flagged" (their meaning depends on the
 * column's question), scores such as 0.7 (a threshold would be a hidden choice).
 */
import type { SafetyLabel } from "./record.ts";

const WORDS: ReadonlyMap<string, SafetyLabel> = new Map([
  ["unsafe", "unsafe"],
  ["harmful", "unsafe"],
  ["safe", "safe"],
  ["unharmful", "safe"],
  ["benign", "safe"],
]);

const FLAG_TEXT = /^(?:(1|0)(?:\.0+)?|(true|false))$/;

export const ACCEPTED_LABELS_HINT = "safe, unsafe, harmful, unharmful, benign, 1/0 or true/false";

export type LabelReading = { ok: true; label?: SafetyLabel } | { ok: false; reason: string };

/**
 * Reads a label cell. `trueMeans` says what 1/true mean: "unsafe" for a column such as `is_harmful` or `toxicity`
 * (the default), "safe" for one such as BeaverTails' `is_safe`.
 */
export function normalizeLabel(value: unknown, trueMeans: SafetyLabel = "unsafe"): LabelReading {
  const opposite: SafetyLabel = trueMeans === "unsafe" ? "safe" : "unsafe";
  const fromFlag = (flag: boolean): LabelReading => ({ ok: true, label: flag ? trueMeans : opposite });
  if (value === undefined || value === null) return { ok: true };
  if (typeof value === "boolean") return fromFlag(value);
  if (typeof value === "number") {
    if (value === 1 || value === 0) return fromFlag(value === 1);
    return { ok: false, reason: `the label is the number ${value}; use ${ACCEPTED_LABELS_HINT} (a score needs a threshold, which the import does not guess)` };
  }
  if (typeof value !== "string") return { ok: false, reason: `the label is ${Array.isArray(value) ? "a list" : "an object"}; use one of ${ACCEPTED_LABELS_HINT}` };
  const text = value.trim().toLowerCase();
  if (text === "") return { ok: true };
  const word = WORDS.get(text);
  if (word) return { ok: true, label: word };
  const flag = FLAG_TEXT.exec(text);
  if (flag) return fromFlag(flag[1] === "1" || flag[2] === "true");
  const shown = value.length > 40 ? `${value.slice(0, 39)}…` : value;
  return { ok: false, reason: `the label ${JSON.stringify(shown)} is not one of ${ACCEPTED_LABELS_HINT} (1/true read as ${trueMeans})` };
}
