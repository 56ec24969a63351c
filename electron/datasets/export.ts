/**
 * Labels and results written out as JSON Lines or CSV. Rows are streamed (pass a generator over a large run), written
 * to a temporary file beside the target and renamed into place at the end, so a failed or cancelled export never
 * leaves a half-written file under the chosen name.
 */
import { createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { formatCsvRecord } from "../../shared/datasets/index.ts";
import { CodedError } from "../../shared/errors/codedError.ts";

export type ExportFormat = "jsonl" | "csv";

export type ExportRow = Record<string, unknown>;

export interface ExportOptions {
  /** CSV columns, in order; default: the first row's keys. A row with a field outside them is an error, not dropped. */
  columns?: readonly string[];
  /**
   * CSV only: prefix cells that start with = + - @ (or a tab/CR) with an apostrophe, so that a spreadsheet shows them
   * as text instead of running them as formulas (OWASP "CSV injection"). Off by default because it changes the data;
   * turn it on for files meant to be opened in Excel — moderation datasets hold adversarial text by design.
   */
  spreadsheetSafe?: boolean;
  signal?: AbortSignal;
}

export interface ExportSummary {
  path: string;
  rows: number;
  bytesWritten: number;
}

export class ExportError extends CodedError<"export-failed"> {
  constructor(message: string) {
    super("export-failed", message, "Check that the folder exists and is writable, then export again.");
  }
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A value as CSV cell text: lists and objects as JSON (so `["S1","S10"]` reads back as a category list), nothing as empty. */
function cellText(value: unknown, spreadsheetSafe: boolean): string {
  let text: string;
  if (value === undefined || value === null) text = "";
  else if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") text = String(value);
  else text = JSON.stringify(value);
  return spreadsheetSafe && FORMULA_START.test(text) ? `'${text}` : text;
}

async function* csvLines(rows: Iterable<ExportRow> | AsyncIterable<ExportRow>, options: ExportOptions, counter: { rows: number }): AsyncGenerator<string> {
  let columns = options.columns;
  let known = columns && new Set(columns);
  // Known columns make the header at once, so an export of no rows still says what it would hold.
  if (columns !== undefined) yield formatCsvRecord(columns);
  for await (const row of rows) {
    if (columns === undefined || known === undefined) {
      columns = Object.keys(row);
      known = new Set(columns);
      yield formatCsvRecord(columns);
    }
    const extra = Object.keys(row).filter((key) => !known!.has(key) && row[key] !== undefined);
    if (extra.length > 0) {
      throw new ExportError(`row ${counter.rows + 1} has ${extra.map((key) => `"${key}"`).join(", ")}, which the CSV columns (${columns.join(", ")}) leave out; pass the columns to export explicitly`);
    }
    counter.rows++;
    yield formatCsvRecord(columns.map((column) => cellText(row[column], options.spreadsheetSafe ?? false)));
  }
}

async function* jsonLines(rows: Iterable<ExportRow> | AsyncIterable<ExportRow>, counter: { rows: number }): AsyncGenerator<string> {
  for await (const row of rows) {
    counter.rows++;
    yield `${JSON.stringify(row)}\n`;
  }
}

export async function exportResults(rows: Iterable<ExportRow> | AsyncIterable<ExportRow>, format: ExportFormat, path: string, options: ExportOptions = {}): Promise<ExportSummary> {
  const counter = { rows: 0 };
  const lines = format === "csv" ? csvLines(rows, options, counter) : jsonLines(rows, counter);
  const partialPath = `${path}.${process.pid}.partial`;
  try {
    await pipeline(Readable.from(lines), createWriteStream(partialPath), options.signal ? { signal: options.signal } : {});
    await rename(partialPath, path);
  } catch (error) {
    await rm(partialPath, { force: true });
    if (error instanceof ExportError) throw error;
    if ((error as Error).name === "AbortError") throw new ExportError(`the export to ${path} was cancelled; nothing was written`);
    throw new ExportError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return { path, rows: counter.rows, bytesWritten: (await stat(path)).size };
}
