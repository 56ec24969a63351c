/**
 * Label values chosen in the mapping step: which cells of the label column mean unsafe and which mean safe, for columns
 * the default reading (labels.ts) refuses because their meaning depends on the column's question — yes/no, flagged —
 * or for any pair a source uses (`toxic` / `ok`). The user says which side is which, so nothing is guessed.
 *
 * Cells compare after trimming and lower-casing; numbers compare as written without trailing zeros (`1.0` is `1`), and
 * JSON booleans as `true` / `false`. A cell that is neither side's value is a bad row naming it; an empty cell is no
 * label, unless the empty value is listed on one side (`flagged` / empty).
 */
import { z } from "zod";
import type { LabelReading } from "./labels.ts";

const MAX_VALUES_PER_SIDE = 50;

const labelValueSchema = z.string().max(200, "a label value is at most 200 characters");

/** What each side's values are; a value may not be on both sides. */
export const labelValuesSchema = z
  .strictObject({
    unsafe: z.array(labelValueSchema).min(1, "name at least one value that means unsafe").max(MAX_VALUES_PER_SIDE),
    safe: z.array(labelValueSchema).min(1, "name at least one value that means safe").max(MAX_VALUES_PER_SIDE),
  })
  .refine((values) => !values.unsafe.some((value) => values.safe.map(canonicalLabelValue).includes(canonicalLabelValue(value))), {
    message: "a label value cannot mean both unsafe and safe",
  });

export type LabelValues = z.output<typeof labelValuesSchema>;

export interface LabelValuePreset {
  id: string;
  /** as the mapping step lists it */
  title: string;
  values: LabelValues;
}

/** The pairs public safety datasets use, in the order the mapping step offers them. Unsafe first in each. */
export const LABEL_VALUE_PRESETS: readonly LabelValuePreset[] = [
  { id: "yes-no", title: "yes / no", values: { unsafe: ["yes"], safe: ["no"] } },
  { id: "true-false", title: "true / false", values: { unsafe: ["true"], safe: ["false"] } },
  { id: "1-0", title: "1 / 0", values: { unsafe: ["1"], safe: ["0"] } },
  { id: "harmful-unharmful", title: "harmful / unharmful", values: { unsafe: ["harmful"], safe: ["unharmful"] } },
  { id: "unsafe-safe", title: "unsafe / safe", values: { unsafe: ["unsafe"], safe: ["safe"] } },
  { id: "flagged", title: "flagged / not flagged (or empty)", values: { unsafe: ["flagged"], safe: ["not flagged", "unflagged", ""] } },
];

/** A cell as the comparison sees it; undefined for a missing cell or null. */
export function canonicalLabelValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === "boolean") return String(value);
  if (typeof value !== "string") return undefined;
  const text = value.trim().toLowerCase();
  return /^[+-]?\d+(?:\.\d+)?$/.test(text) ? String(Number(text)) : text;
}

const quoted = (value: string) => (value === "" ? "(empty)" : JSON.stringify(value));
const sideText = (values: readonly string[]) => values.map(quoted).join(", ");

/** Reads a label cell by the chosen values. */
export function readLabelValue(cell: unknown, values: LabelValues): LabelReading {
  if (typeof cell === "object" && cell !== null) return { ok: false, reason: `the label is ${Array.isArray(cell) ? "a list" : "an object"}, not one value` };
  const canonical = canonicalLabelValue(cell);
  const matches = (side: readonly string[]) => canonical !== undefined && side.some((value) => canonicalLabelValue(value) === canonical);
  if (matches(values.unsafe)) return { ok: true, label: "unsafe" };
  if (matches(values.safe)) return { ok: true, label: "safe" };
  if (canonical === undefined || canonical === "") return { ok: true };
  const shown = String(cell).length > 40 ? `${String(cell).slice(0, 39)}…` : String(cell);
  return { ok: false, reason: `the label ${JSON.stringify(shown)} is none of the mapped values (unsafe: ${sideText(values.unsafe)}; safe: ${sideText(values.safe)}); add it to one side in the mapping step, or fix the row` };
}

/** Label column names whose yes / true / 1 means safe (BeaverTails' `is_safe`). */
const SAFE_WHEN_TRUE = /^(?:is_)?(?:safe|benign|harmless|ok|acceptable)$/;

/**
 * The preset that reads every value seen in the label column, turned the right way for the column's name (`is_safe`:
 * yes means safe); undefined when no preset covers them all. Empty cells are ignored (they are unlabeled rows).
 */
export function suggestLabelValues(column: string, cells: readonly unknown[]): LabelValues | undefined {
  const seen = new Set(cells.map(canonicalLabelValue).filter((value): value is string => value !== undefined && value !== ""));
  if (seen.size === 0) return undefined;
  const preset = LABEL_VALUE_PRESETS.find(({ values }) => [...seen].every((value) => [...values.unsafe, ...values.safe].some((listed) => canonicalLabelValue(listed) === value)));
  if (!preset) return undefined;
  const name = column.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_");
  const flip = SAFE_WHEN_TRUE.test(name) && preset.id !== "harmful-unharmful" && preset.id !== "unsafe-safe";
  return flip ? swapLabelValues(preset.values) : { unsafe: [...preset.values.unsafe], safe: [...preset.values.safe] };
}

export function swapLabelValues(values: LabelValues): LabelValues {
  return { unsafe: [...values.safe], safe: [...values.unsafe] };
}

/** The distinct values of a column among some rows, with how often each occurs, most frequent first (the mapping step lists them). */
export function distinctLabelValues(cells: readonly unknown[]): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const cell of cells) {
    const value = canonicalLabelValue(cell);
    if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

