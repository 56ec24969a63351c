/**
 * The dataset record format (the "Record format" section of every dataset README, e.g. electron/datasets/demo/xstest/README.md) and the item every importer produces from it
 * or from a mapped CSV/JSON row.
 */
import { z } from "zod";
import { prepareForClassification } from "../conversation/index.ts";
import { ROLES, type Turn } from "../conversation/types.ts";
import { normalizeLabel } from "./labels.ts";

export const SAFETY_LABELS = ["safe", "unsafe"] as const;
export type SafetyLabel = (typeof SAFETY_LABELS)[number];
export const safetyLabelSchema = z.enum(SAFETY_LABELS, { error: "label must be safe or unsafe" });

/** One line of a dataset `.jsonl` file as the record format specifies it. */
export interface DatasetRecord {
  id: string;
  /** user/assistant turns in order; `label` describes the last one */
  messages: { role: "user" | "assistant"; content: string }[];
  label: SafetyLabel;
  /** the source dataset's own category labels; [] on safe rows */
  categories: string[];
  /** MLCommons hazard codes where the mapping is clear; [] on safe rows and on unsafe rows whose hazard is unknown */
  mlcommons: string[];
  source: string;
  meta: Record<string, unknown>;
}

/** What an import yields: a conversation ready to classify, with its label when it has one. */
export interface DatasetItem {
  id: string;
  turns: Turn[];
  /** absent on an unlabeled row (a dataset imported for a labeling session) */
  label?: SafetyLabel;
  /** category labels; always [] unless the label is unsafe (the record format lists categories on unsafe rows only) */
  categories: string[];
  /** MLCommons codes, when the source gives them (records in the common format) */
  mlcommons?: string[];
  meta?: Record<string, unknown>;
}

/** Why one row was not imported. `row` is the row's number as the importer counts it (see electron/datasets/import.ts). */
export interface RowProblem {
  row: number;
  reason: string;
}

export type RowResult = { ok: true; item: DatasetItem } | { ok: false; problem: RowProblem };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Names a JSON value's kind for a reason: "an array", "the number 3". */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return value.trim() === "" ? "empty text" : `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}

/** The id a row gets when the source has none: stable for a given file, and it says where the row came from. */
export function generatedId(rowNumber: number): string {
  return `row-${rowNumber}`;
}

/** An id field's value: a non-empty string, or an integer written as text (CSV has no other kind). */
export function readId(value: unknown, rowNumber: number): { ok: true; id: string } | { ok: false; reason: string } {
  if (value === undefined || value === null) return { ok: true, id: generatedId(rowNumber) };
  if (typeof value === "number" && Number.isFinite(value)) return { ok: true, id: String(value) };
  if (typeof value === "string" && value.trim() !== "") return { ok: true, id: value.trim() };
  return { ok: false, reason: `the id is ${describeValue(value)}; it must be non-empty text or a number (leave the field out to number rows automatically)` };
}

function readStringList(value: unknown, field: string): { ok: true; list: string[] } | { ok: false; reason: string } {
  if (value === undefined || value === null) return { ok: true, list: [] };
  if (Array.isArray(value) && value.every((entry) => typeof entry === "string")) return { ok: true, list: value.map((entry) => entry.trim()).filter(Boolean) };
  return { ok: false, reason: `"${field}" is ${describeValue(value)}; it must be a list of text labels such as ["S1"]` };
}

const RECORD_ROLES: ReadonlySet<string> = new Set(ROLES);

function readMessages(value: unknown): { ok: true; turns: Turn[] } | { ok: false; reason: string } {
  if (!Array.isArray(value) || value.length === 0) {
    return { ok: false, reason: `"messages" is ${describeValue(value)}; it must be a non-empty list of {"role": "user"|"assistant", "content": "…"}` };
  }
  const turns: Turn[] = [];
  for (const [index, message] of value.entries()) {
    const where = `message ${index + 1}`;
    if (!isRecord(message)) return { ok: false, reason: `${where} is ${describeValue(message)}, not an object with "role" and "content"` };
    if (typeof message.role !== "string" || !RECORD_ROLES.has(message.role)) {
      return { ok: false, reason: `${where} has the role ${describeValue(message.role)}; roles are "user" and "assistant" (and "system", which Llama Guard ignores)` };
    }
    if (typeof message.content !== "string" || message.content.trim() === "") {
      return { ok: false, reason: `${where} (${message.role}) has ${describeValue(message.content)} as content; it needs the turn's text` };
    }
    turns.push({ role: message.role as Turn["role"], content: message.content });
  }
  // The same rules the classifier applies (starts with a user turn, roles alternate), checked now so that a bad row is
  // reported at import with its row number rather than failing later in a run.
  const prepared = prepareForClassification({ turns });
  if (!prepared.ok) return { ok: false, reason: `"messages" cannot be classified: ${prepared.error.message}` };
  return { ok: true, turns };
}

/**
 * Reads one parsed line of a dataset in the common record format. Lenient where other producers of the format may differ
 * (`id` may be a number or absent, `label` may be absent or a documented synonym, `categories`/`mlcommons`/`meta` may be
 * absent) and strict where a wrong guess would corrupt an evaluation (messages, label values).
 */
export function recordToItem(value: unknown, rowNumber: number): RowResult {
  const fail = (reason: string): RowResult => ({ ok: false, problem: { row: rowNumber, reason } });
  if (!isRecord(value)) return fail(`the row is ${describeValue(value)}, not an object such as {"id": …, "messages": […], "label": "safe"}`);
  const id = readId(value.id, rowNumber);
  if (!id.ok) return fail(id.reason);
  const turns = readMessages(value.messages);
  if (!turns.ok) return fail(turns.reason);
  const label = normalizeLabel(value.label);
  if (!label.ok) return fail(label.reason);
  const categories = readStringList(value.categories, "categories");
  if (!categories.ok) return fail(categories.reason);
  const mlcommons = readStringList(value.mlcommons, "mlcommons");
  if (!mlcommons.ok) return fail(mlcommons.reason);
  if (value.meta !== undefined && !isRecord(value.meta)) return fail(`"meta" is ${describeValue(value.meta)}; it must be an object`);
  const unsafe = label.label === "unsafe";
  return {
    ok: true,
    item: {
      id: id.id,
      turns: turns.turns,
      ...(label.label ? { label: label.label } : {}),
      categories: unsafe ? categories.list : [],
      mlcommons: unsafe ? mlcommons.list : [],
      ...(value.meta !== undefined ? { meta: value.meta as Record<string, unknown> } : {}),
    },
  };
}
