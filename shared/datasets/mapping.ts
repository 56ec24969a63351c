/**
 * CSV and JSON rows that are not in the common record format: which column holds what (the import wizard's mapping
 * step), and turning one row into a dataset item with that mapping.
 */
import { z } from "zod";
import type { Turn } from "../conversation/types.ts";
import { normalizeLabel } from "./labels.ts";
import { labelValuesSchema, readLabelValue } from "./labelValues.ts";
import { describeValue, generatedId, isRecord, readId, recordToItem, safetyLabelSchema, type RowResult, type SafetyLabel } from "./record.ts";

const columnNameSchema = z.string().min(1).max(500);

/** Which column holds what. The schema checks a mapping from the page (`datasets:import`) and one read back from storage. */
export const columnMappingSchema = z.strictObject({
  /** the user prompt: the first turn */
  prompt: columnNameSchema,
  /** the assistant's response: a second turn, and then the label is about the response */
  response: columnNameSchema.optional(),
  /** the label column; leave it out for an unlabeled dataset (a labeling session fills labels in) */
  label: columnNameSchema.optional(),
  /** category labels: a JSON list (["S1","S10"]) or text separated by commas, semicolons or | */
  categories: columnNameSchema.optional(),
  /** a unique id; rows are numbered `row-N` without one */
  id: columnNameSchema.optional(),
  /** what 1/true in the label column mean (default "unsafe"); "safe" for a column such as `is_safe` */
  labelTrueMeans: safetyLabelSchema.optional(),
  /** the label column's own values for unsafe and safe (yes / no, flagged …); without it the default reading applies */
  labelValues: labelValuesSchema.optional(),
});

export type ColumnMapping = z.output<typeof columnMappingSchema>;

export type MappableField = "prompt" | "response" | "label" | "categories" | "id";

const MAPPABLE_FIELDS: readonly MappableField[] = ["prompt", "response", "label", "categories", "id"];

/** A row's value for a column, own properties only (a column named "constructor" must not find Object's). */
function cell(row: Record<string, unknown>, column: string): unknown {
  return Object.hasOwn(row, column) ? row[column] : undefined;
}

function readText(row: Record<string, unknown>, column: string, role: string): { ok: true; text: string } | { ok: false; reason: string } {
  if (!Object.hasOwn(row, column)) return { ok: false, reason: `the row has no "${column}" field for the ${role}` };
  const value = row[column];
  if (typeof value !== "string" || value.trim() === "") return { ok: false, reason: `the ${role} ("${column}") is ${describeValue(value)}; it must be non-empty text` };
  return { ok: true, text: value };
}

export function parseCategoryList(value: unknown): { ok: true; list: string[] } | { ok: false; reason: string } {
  const clean = (list: string[]) => ({ ok: true as const, list: list.map((entry) => entry.trim()).filter(Boolean) });
  if (value === undefined || value === null) return { ok: true, list: [] };
  if (Array.isArray(value) && value.every((entry) => typeof entry === "string")) return clean(value);
  if (typeof value !== "string") return { ok: false, reason: `the categories are ${describeValue(value)}; use a list of text labels or text such as "S1, S10"` };
  const text = value.trim();
  if (text.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((entry) => typeof entry === "string")) return clean(parsed);
    } catch {
      // not JSON: fall through to the reason below
    }
    return { ok: false, reason: `the categories ${describeValue(value)} start like a JSON list but are not a list of strings such as ["S1", "S10"]` };
  }
  return clean(text.split(/[,;|]/));
}

/**
 * One CSV row (every value text) or JSON object as a dataset item. `rowNumber` goes into the problem and into the
 * generated id when the mapping has no id column.
 */
export function mapRow(row: Record<string, unknown>, mapping: ColumnMapping, rowNumber: number): RowResult {
  const fail = (reason: string): RowResult => ({ ok: false, problem: { row: rowNumber, reason } });
  let id = generatedId(rowNumber);
  if (mapping.id !== undefined) {
    const value = cell(row, mapping.id);
    if (value === undefined || value === null) return fail(`the row has no id in "${mapping.id}"`);
    const read = readId(value, rowNumber);
    if (!read.ok) return fail(read.reason);
    id = read.id;
  }
  const prompt = readText(row, mapping.prompt, "prompt");
  if (!prompt.ok) return fail(prompt.reason);
  const turns: Turn[] = [{ role: "user", content: prompt.text }];
  if (mapping.response !== undefined) {
    const response = readText(row, mapping.response, "response");
    // An empty response is not read as "prompt only": the label would then silently describe the prompt instead.
    if (!response.ok) return fail(`${response.reason} (rows without a response need a separate import without the response column)`);
    turns.push({ role: "assistant", content: response.text });
  }
  let label: SafetyLabel | undefined;
  if (mapping.label !== undefined) {
    const value = cell(row, mapping.label);
    const reading = mapping.labelValues ? readLabelValue(value, mapping.labelValues) : normalizeLabel(value, mapping.labelTrueMeans);
    if (!reading.ok) return fail(mapping.labelValues || typeof value !== "string" ? reading.reason : `${reading.reason}; if the column has values of its own (yes / no, flagged …), map them to unsafe and safe in the mapping step (label values)`);
    label = reading.label;
  }
  let categories: string[] = [];
  if (mapping.categories !== undefined) {
    const parsed = parseCategoryList(cell(row, mapping.categories));
    if (!parsed.ok) return fail(parsed.reason);
    // The record format lists categories on unsafe rows only; on a safe row a category column usually holds a topic.
    if (label === "unsafe") categories = parsed.list;
  }
  return { ok: true, item: { id, turns, ...(label ? { label } : {}), categories } };
}

/** Columns the mapping names that the file does not have, as sentences ("the label column "y" is not in the file …"). */
export function mappingProblems(mapping: ColumnMapping, columns: readonly string[]): string[] {
  const available = new Set(columns);
  return MAPPABLE_FIELDS.flatMap((field) => {
    const column = mapping[field];
    if (column === undefined || available.has(column)) return [];
    return [`the ${field} column "${column}" is not in the file (its columns: ${columns.map((c) => `"${c}"`).join(", ") || "none"})`];
  });
}

export interface ColumnDetection {
  /** the best guess per field, each column used at most once; the wizard pre-fills its mapping step with it */
  mapping: Partial<ColumnMapping>;
  /** every column that looks like each field, best first, for the wizard's drop-downs */
  candidates: Record<MappableField, string[]>;
  /** the rows have `messages`: the common record format, which needs no mapping */
  isRecordFormat: boolean;
}

/** Column names seen in public safety datasets, best first, compared after lower-casing and turning non-letters into `_`. */
const KNOWN_NAMES: Record<MappableField, readonly string[]> = {
  prompt: ["prompt", "user_prompt", "text", "input", "query", "question", "instruction", "request", "goal", "behavior", "user_input", "user", "message", "content", "sentence", "comment_text"],
  response: ["response", "model_response", "model_output", "completion", "output", "answer", "assistant", "reply", "generation"],
  label: ["label", "gold_label", "safety_label", "is_unsafe", "unsafe", "is_harmful", "harmful", "harmfulness", "toxicity", "is_toxic", "class", "is_safe", "safe", "is_benign"],
  categories: ["categories", "category", "mlcommons", "hazard", "hazards", "hazard_category", "harm_category", "violated_categories"],
  id: ["id", "uid", "uuid", "row_id", "sample_id", "example_id", "prompt_id", "conversation_id", "idx", "index", "key"],
};

/**
 * Words that make a longer name a (weaker) candidate: "user_prompt_text" for the prompt. A name with words of several
 * fields belongs to the field whose word comes last, English's head noun: "prompt_label" is a label, "prompt_id" an id.
 */
const KEY_WORDS: Record<MappableField, readonly string[]> = {
  prompt: ["prompt", "question", "query", "instruction"],
  response: ["response", "completion", "answer"],
  label: ["label", "harmful", "unsafe"],
  categories: ["category", "categories", "hazard"],
  id: ["id"],
};

function fieldByKeyWord(name: string): MappableField | undefined {
  let found: { field: MappableField; position: number } | undefined;
  name.split("_").forEach((token, position) => {
    const field = MAPPABLE_FIELDS.find((candidate) => KEY_WORDS[candidate].includes(token));
    if (field && (!found || position >= found.position)) found = { field, position };
  });
  return found?.field;
}

/** Words that mark a label column as a safety label rather than, say, a refusal label. */
const HARM_WORDS = new Set(["harm", "harmful", "unsafe", "safe", "safety", "toxic", "toxicity", "hazard"]);

/** Label columns where 1/true mean safe. */
const SAFE_IS_TRUE = new Set(["is_safe", "safe", "is_benign"]);

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** Suggests a mapping from a header row (CSV) or the keys of the first objects (JSON). */
export function detectColumns(columns: readonly string[]): ColumnDetection {
  const normalized = columns.map((column) => ({ column, name: normalizeName(column) }));
  const candidates = Object.fromEntries(
    MAPPABLE_FIELDS.map((field) => {
      const rank = (name: string): number => {
        const exact = KNOWN_NAMES[field].indexOf(name);
        if (exact !== -1) return exact;
        if (fieldByKeyWord(name) !== field) return -1;
        // "response_harm_label" is about safety, "response_refusal_label" about something else: harm words first.
        const aboutHarm = field === "label" && name.split("_").some((token) => HARM_WORDS.has(token));
        return KNOWN_NAMES[field].length + (aboutHarm ? 0 : 1);
      };
      const ranked = normalized
        .map(({ column, name }) => ({ column, rank: rank(name) }))
        .filter(({ rank }) => rank !== -1)
        .sort((a, b) => a.rank - b.rank);
      return [field, ranked.map(({ column }) => column)];
    }),
  ) as Record<MappableField, string[]>;

  const mapping: Partial<ColumnMapping> = {};
  const used = new Set<string>();
  const take = (field: MappableField, preferred: readonly string[] = []): void => {
    const pool = [...preferred, ...candidates[field]];
    const column = pool.find((candidate) => !used.has(candidate));
    if (column === undefined) return;
    used.add(column);
    mapping[field] = column;
  };
  take("prompt");
  take("response");
  // The label describes the last turn: with a response column, a `response_label` beats a `prompt_label`, and without
  // one the reverse.
  const byWord = (word: string) => candidates.label.filter((column) => normalizeName(column).split("_").includes(word));
  take("label", mapping.response !== undefined ? byWord("response") : byWord("prompt"));
  take("categories");
  take("id");
  if (mapping.label !== undefined && SAFE_IS_TRUE.has(normalizeName(mapping.label))) mapping.labelTrueMeans = "safe";
  return { mapping, candidates, isRecordFormat: columns.includes("messages") };
}

/** A parsed row as an item: through the mapping when there is one, else as a record in the common format. */
export function rowToItem(value: unknown, rowNumber: number, mapping?: ColumnMapping): RowResult {
  if (mapping === undefined) return recordToItem(value, rowNumber);
  if (!isRecord(value)) return { ok: false, problem: { row: rowNumber, reason: `the row is ${describeValue(value)}, not an object with the mapped fields` } };
  return mapRow(value, mapping, rowNumber);
}
