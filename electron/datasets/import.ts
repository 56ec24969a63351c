/**
 * Dataset import: a JSON Lines, CSV or JSON file streamed into dataset items.
 *
 *     const dataset = importDataset("data.csv", { mapping: { prompt: "text", label: "is_harmful" } });
 *     for await (const item of dataset) store.add(item);
 *     dataset.summary; // { items, unlabeled, badRows, badRowCount, bytesRead, totalBytes, … }
 *
 * Memory stays bounded however large the file: the file is read in chunks (64 KiB), only the rows parsed from the
 * current chunk wait to be consumed (`summary.peakBufferedItems` says how many did at most), and an item is handed over
 * as soon as it is ready. What grows with the file is the set of ids seen (to report duplicates) and the bad-row list,
 * which is capped (`maxListedBadRows`; every bad row is still counted).
 *
 * JSON Lines and JSON rows in the common record format (`{"id", "messages", "label", …}`) need no mapping; CSV always
 * does, as does JSON whose rows have no `messages` (the error says which columns detectColumns suggests).
 */
import { extname } from "node:path";
import {
  DatasetSyntaxError,
  createRawRowReader,
  detectColumns,
  isRecord,
  mappingProblems,
  rowToItem,
  type ColumnMapping,
  type DatasetFormat,
  type DatasetItem,
  type RawRowEvent,
  type RawRowReader,
} from "../../shared/datasets/index.ts";
import type { DatasetBadRow, ImportJobProgress } from "../../shared/ipc/contract.ts";
import { TextFileError, cancelledError, readTextChunks, textFileSize, type TextFileErrorCode } from "./textFile.ts";
import { CodedError } from "../../shared/errors/codedError.ts";

export type { DatasetFormat } from "../../shared/datasets/index.ts";

export type BadRowPolicy = "collect" | "stop";

export interface ImportOptions {
  /** default: from the extension (.jsonl/.ndjson, .csv, .json) */
  format?: DatasetFormat;
  mapping?: ColumnMapping;
  /** called after every chunk and once at the end */
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  /** "collect" (default): skip a bad row, list it in the summary and go on. "stop": throw at the first bad row. */
  onBadRow?: BadRowPolicy;
  /** how many bad rows the summary lists with their reasons (default 1000); every one is counted in badRowCount */
  maxListedBadRows?: number;
  /** the longest line, CSV record or JSON element accepted, in characters (default 16 Mi) */
  maxRecordChars?: number;
  /** bytes read at a time (default 64 KiB) */
  chunkBytes?: number;
}

/** What an import's `job:progress` reports. */
export type ImportProgress = Pick<ImportJobProgress, "bytesRead" | "totalBytes" | "items" | "badRows">;

export interface ImportSummary {
  path: string;
  format: DatasetFormat;
  mapping?: ColumnMapping;
  /** items handed over */
  items: number;
  /** of those, items without a label */
  unlabeled: number;
  /** the first `maxListedBadRows` bad rows, in file order */
  badRows: DatasetBadRow[];
  /** all bad rows */
  badRowCount: number;
  bytesRead: number;
  totalBytes: number;
  /** the most rows that were parsed and waiting to be handed over at one time */
  peakBufferedItems: number;
  /** true once the whole file was read (false while reading, and after a stop, a cancel or an error) */
  finished: boolean;
}

export interface DatasetImport extends AsyncIterable<DatasetItem> {
  /** live while the import runs, final once the iteration ends */
  readonly summary: ImportSummary;
}

export type DatasetImportErrorCode = TextFileErrorCode | "unknown-format" | "mapping-required" | "mapping-mismatch" | "malformed" | "bad-row" | "no-items";

export class DatasetImportError extends CodedError<DatasetImportErrorCode> {
  constructor(
    code: DatasetImportErrorCode,
    message: string,
    hint?: string,
    /** the line the problem is on, where there is one */
    readonly line?: number,
  ) {
    super(code, message, hint, line !== undefined ? { line } : undefined);
  }

  /** As every job's error: the reader's "aborted" is what the other jobs call "cancelled". */
  override toData() {
    const data = super.toData();
    return data.code === "aborted" ? { ...data, code: "cancelled" as DatasetImportErrorCode } : data;
  }
}

const EXTENSION_FORMATS: Record<string, DatasetFormat> = { ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".json": "json" };

export function formatFromPath(path: string): DatasetFormat | undefined {
  return EXTENSION_FORMATS[extname(path).toLowerCase()];
}

/** Every face that reads datasets offers a way to name the format (the import wizard's choice, `run --format`). */
const UNKNOWN_FORMAT_HINT = "name it .jsonl, .ndjson, .csv or .json, or choose its format (jsonl, csv or json)";

export function resolveFormat(path: string, format: DatasetFormat | undefined): DatasetFormat {
  const resolved = format ?? formatFromPath(path);
  if (!resolved) {
    throw new DatasetImportError("unknown-format", `cannot tell the format of ${path} from its name`, UNKNOWN_FORMAT_HINT);
  }
  return resolved;
}

function suggestionText(columns: readonly string[]): string {
  const { mapping } = detectColumns(columns);
  return Object.keys(mapping).length > 0 ? `suggested mapping: ${JSON.stringify(mapping)}` : "no column looks like a prompt; map the columns by hand";
}

/** Checks a mapping against the columns it will be applied to, once, before any row is mapped. */
function checkMapping(mapping: ColumnMapping | undefined, columns: readonly string[], what: string): void {
  if (mapping === undefined) {
    throw new DatasetImportError("mapping-required", `${what} needs a column mapping (which column is the prompt, the label …); columns: ${columns.map((c) => `"${c}"`).join(", ")}`, suggestionText(columns));
  }
  const problems = mappingProblems(mapping, columns);
  if (problems.length > 0) throw new DatasetImportError("mapping-mismatch", `the mapping does not fit the file: ${problems.join("; ")}`, suggestionText(columns));
}

/** Turns the readers' errors into DatasetImportErrors; anything else (a bug) passes through. */
export function toImportError(error: unknown): unknown {
  if (error instanceof TextFileError) return new DatasetImportError(error.code, error.message, error.hint);
  if (error instanceof DatasetSyntaxError) return new DatasetImportError("malformed", error.message, undefined, error.line);
  return error;
}

/**
 * A copy of `text` that shares no memory with the chunk it was cut from. V8 makes a slice of 13 or more characters a
 * view into its parent string, so an id or a reason kept for the whole import would otherwise keep its entire 64 KiB
 * chunk alive — and with one kept per row, the whole file. JSON.parse builds a fresh string.
 */
function detachedCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

export function importDataset(path: string, options: ImportOptions = {}): DatasetImport {
  const format = resolveFormat(path, options.format);
  const summary: ImportSummary = {
    path,
    format,
    ...(options.mapping ? { mapping: options.mapping } : {}),
    items: 0,
    unlabeled: 0,
    badRows: [],
    badRowCount: 0,
    bytesRead: 0,
    totalBytes: 0,
    peakBufferedItems: 0,
    finished: false,
  };
  const maxListedBadRows = options.maxListedBadRows ?? 1000;
  let started = false;

  const reportProgress = (): void => options.onProgress?.({ bytesRead: summary.bytesRead, totalBytes: summary.totalBytes, items: summary.items, badRows: summary.badRowCount });

  const recordBadRow = (bad: DatasetBadRow): void => {
    summary.badRowCount++;
    if (summary.badRows.length < maxListedBadRows) summary.badRows.push({ ...bad, reason: detachedCopy(bad.reason) });
    if (options.onBadRow === "stop") {
      throw new DatasetImportError("bad-row", `row ${bad.row} (line ${bad.line}) cannot be imported: ${bad.reason}`, "fix the row, or import with bad rows skipped and listed", bad.line);
    }
  };

  async function* items(): AsyncGenerator<DatasetItem> {
    try {
      summary.totalBytes = await textFileSize(path);
    } catch (error) {
      throw toImportError(error);
    }
    const reader: RawRowReader = createRawRowReader(format, options.maxRecordChars === undefined ? {} : { maxRecordChars: options.maxRecordChars });
    const idsSeen = new Map<string, number>();
    let mappingChecked = false;

    /**
     * Checks the mapping once, as soon as the columns are known: a CSV file's from its header (even with no rows
     * under it); JSON rows each have their own keys, so there only a first row in neither the record format nor a
     * mapping is caught, instead of failing every row alike.
     */
    const checkMappingOnce = (firstRow?: RawRowEvent): void => {
      if (mappingChecked) return;
      if (reader.columns !== undefined) checkMapping(options.mapping, reader.columns, "a CSV file");
      else if (firstRow?.kind !== "row") return;
      else if (options.mapping === undefined && isRecord(firstRow.value) && !("messages" in firstRow.value)) {
        checkMapping(undefined, Object.keys(firstRow.value), `row ${firstRow.row} has no "messages", so this file is not in the common record format and`);
      }
      mappingChecked = true;
    };

    /** The raw rows of one chunk, turned into items one at a time as the consumer asks. */
    function* itemsOf(events: RawRowEvent[]): Generator<DatasetItem> {
      summary.peakBufferedItems = Math.max(summary.peakBufferedItems, events.length);
      checkMappingOnce();
      for (const event of events) {
        // Checked per row too, not only per chunk: the consumer may take a while over each item.
        if (options.signal?.aborted) throw cancelledError();
        if (event.kind === "bad") {
          recordBadRow({ row: event.row, line: event.line, reason: event.reason });
          continue;
        }
        checkMappingOnce(event);
        const result = rowToItem(event.value, event.row, options.mapping);
        if (!result.ok) {
          recordBadRow({ row: event.row, line: event.line, reason: result.problem.reason });
          continue;
        }
        const firstRow = idsSeen.get(result.item.id);
        if (firstRow !== undefined) {
          recordBadRow({ row: event.row, line: event.line, reason: `the id "${result.item.id}" is already used by row ${firstRow}; ids must be unique within a file` });
          continue;
        }
        idsSeen.set(detachedCopy(result.item.id), event.row);
        summary.items++;
        if (result.item.label === undefined) summary.unlabeled++;
        yield result.item;
      }
    }

    try {
      for await (const chunk of readTextChunks(path, { ...(options.signal ? { signal: options.signal } : {}), ...(options.chunkBytes ? { chunkBytes: options.chunkBytes } : {}) })) {
        summary.bytesRead = chunk.bytesRead;
        yield* itemsOf(reader.push(chunk.text));
        reportProgress();
      }
      yield* itemsOf(reader.end());
      if (options.signal?.aborted) throw cancelledError();
      summary.finished = true;
      reportProgress();
    } catch (error) {
      throw toImportError(error);
    }
  }

  return {
    summary,
    [Symbol.asyncIterator]() {
      if (started) throw new Error("a DatasetImport can be iterated once; call importDataset again to read the file again");
      started = true;
      return items();
    },
  };
}

/** Reads the whole file into memory: for small files (the demo datasets, tests); prefer iterating for large ones. */
export async function readDataset(path: string, options: ImportOptions = {}): Promise<{ items: DatasetItem[]; summary: ImportSummary }> {
  const dataset = importDataset(path, options);
  const items: DatasetItem[] = [];
  for await (const item of dataset) items.push(item);
  return { items, summary: dataset.summary };
}
