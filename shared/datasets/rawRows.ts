/**
 * The three dataset file formats, read incrementally into raw rows (a parsed JSON value, or a CSV record as a
 * header → cell object) before any mapping: the importer maps them to items, the import wizard's preview shows them.
 *
 * Row numbers, the `row` in every problem report:
 * - JSON Lines: the line number (blank lines are skipped but counted, so "row 7" is line 7 in an editor);
 * - CSV: the data record's number, the header not counted (row 1 is the first record after the header), with the
 *   line it starts on beside it, since a quoted field may span lines;
 * - JSON: the element's position in the array, from 1.
 */
import { CsvParser } from "./csv.ts";
import { JsonArraySplitter } from "./jsonArray.ts";
import { describeJsonProblem } from "./jsonProblem.ts";
import { LineSplitter } from "./lines.ts";
import { DatasetSyntaxError } from "./syntaxError.ts";

export const DATASET_FORMATS = ["jsonl", "csv", "json"] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export type RawRowEvent = { kind: "row"; row: number; line: number; value: unknown } | { kind: "bad"; row: number; line: number; reason: string };

export interface RawRowReader {
  /** CSV: the header's column names once it has been read; JSON formats: undefined (each object has its own keys) */
  readonly columns: readonly string[] | undefined;
  push(text: string): RawRowEvent[];
  /** call once after the last chunk */
  end(): RawRowEvent[];
}

export interface RawRowReaderOptions {
  /** the longest line, CSV record or JSON element accepted, in characters (default 16 Mi) */
  maxRecordChars?: number;
}

export function createRawRowReader(format: DatasetFormat, options: RawRowReaderOptions = {}): RawRowReader {
  switch (format) {
    case "jsonl":
      return new JsonLinesReader(options.maxRecordChars);
    case "json":
      return new JsonArrayReader(options.maxRecordChars);
    case "csv":
      return new CsvRowReader(options.maxRecordChars);
  }
}

/** `startsLine`: the text begins at the start of `line` (a JSON Lines row), so columns can be given. */
function parseJson(text: string, row: number, line: number, startsLine: boolean): RawRowEvent {
  try {
    return { kind: "row", row, line, value: JSON.parse(text) as unknown };
  } catch {
    // Not JSON.parse's message: it quotes the text, and the file may be anything (a key file, /proc/self/environ).
    return { kind: "bad", row, line, reason: describeJsonProblem(text, line, startsLine) };
  }
}

class JsonLinesReader implements RawRowReader {
  readonly columns = undefined;
  private readonly lines: LineSplitter;

  constructor(maxLineChars?: number) {
    this.lines = new LineSplitter(maxLineChars);
  }

  push(text: string): RawRowEvent[] {
    return this.parse(this.lines.push(text));
  }

  end(): RawRowEvent[] {
    return this.parse(this.lines.end());
  }

  private parse(lines: { text: string; line: number }[]): RawRowEvent[] {
    return lines.filter(({ text }) => text.trim() !== "").map(({ text, line }) => parseJson(text, line, line, true));
  }
}

class JsonArrayReader implements RawRowReader {
  readonly columns = undefined;
  private readonly splitter: JsonArraySplitter;

  constructor(maxElementChars?: number) {
    this.splitter = new JsonArraySplitter(maxElementChars);
  }

  push(text: string): RawRowEvent[] {
    return this.splitter.push(text).map((event) => this.toRow(event));
  }

  end(): RawRowEvent[] {
    return this.splitter.end().map((event) => this.toRow(event));
  }

  private toRow(event: ReturnType<JsonArraySplitter["push"]>[number]): RawRowEvent {
    const row = event.index + 1;
    return event.kind === "element" ? parseJson(event.text, row, event.line, false) : { kind: "bad", row, line: event.line, reason: event.reason };
  }
}

class CsvRowReader implements RawRowReader {
  columns: string[] | undefined;
  private readonly parser: CsvParser;
  private rowCount = 0;

  constructor(maxRecordChars?: number) {
    this.parser = new CsvParser({ header: true, ...(maxRecordChars === undefined ? {} : { maxRecordChars }) });
  }

  push(text: string): RawRowEvent[] {
    return this.toRows(this.parser.push(text));
  }

  end(): RawRowEvent[] {
    const rows = this.toRows(this.parser.end());
    if (this.columns === undefined) throw new DatasetSyntaxError("the CSV file is empty; it needs a header row naming the columns, then one row per item");
    return rows;
  }

  private toRows(events: ReturnType<CsvParser["push"]>): RawRowEvent[] {
    const rows: RawRowEvent[] = [];
    for (const event of events) {
      if (this.columns === undefined) {
        if (event.kind === "bad") throw new DatasetSyntaxError(`the CSV header (line ${event.line}) cannot be read: ${event.reason}`, event.line);
        this.columns = readHeader(event.fields, event.line);
        continue;
      }
      const row = ++this.rowCount;
      if (event.kind === "bad") {
        rows.push({ kind: "bad", row, line: event.line, reason: event.reason });
      } else if (event.fields.length !== this.columns.length) {
        rows.push({
          kind: "bad",
          row,
          line: event.line,
          reason: `the row has ${event.fields.length} fields but the header has ${this.columns.length} columns (a field with a comma or line break must be in double quotes)`,
        });
      } else {
        const columns = this.columns;
        // fromEntries defines own properties, so a column named "__proto__" is data, not the object's prototype.
        rows.push({ kind: "row", row, line: event.line, value: Object.fromEntries(event.fields.map((field, index) => [columns[index]!, field])) });
      }
    }
    return rows;
  }
}

/**
 * Column names, trimmed. An unnamed column is called "column N" (pandas writes its index column with an empty name);
 * a name used twice is an error, as no mapping could say which of the two it means.
 */
function readHeader(fields: string[], line: number): string[] {
  const columns = fields.map((field, index) => field.trim() || `column ${index + 1}`);
  const seen = new Map<string, number>();
  columns.forEach((column, index) => {
    const earlier = seen.get(column);
    if (earlier !== undefined) throw new DatasetSyntaxError(`the CSV header (line ${line}) names the column "${column}" twice (columns ${earlier + 1} and ${index + 1}); rename one so the mapping is unambiguous`, line);
    seen.set(column, index);
  });
  return columns;
}
