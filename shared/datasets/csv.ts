/**
 * CSV as RFC 4180 writes it, read incrementally: feed text chunks of any size (a chunk may end inside a quoted field
 * or between the CR and LF of a line break), get the finished records. Only the record being read is held, so memory
 * does not grow with the file.
 *
 * - Fields are separated by commas (or `delimiter`); records by CRLF, LF or a lone CR.
 * - A field in double quotes may hold commas, line breaks and quotes written twice (`""`); the line breaks are kept
 *   as written.
 * - A quote inside an unquoted field is kept as a literal character (as Python's csv module does), since `5" screen`
 *   is common in hand-written files and its meaning is clear.
 * - Blank lines between records are skipped: they are not rows.
 * - A closing quote followed by anything but a delimiter or a line break makes the record bad: reported with its line,
 *   the rest of that line is dropped and reading goes on with the next line.
 * - A quoted field still open at the end of the text makes the last record bad.
 * - A record longer than `maxRecordChars` throws a DatasetSyntaxError: almost always an unclosed quote swallowing the
 *   rest of the file, which no resynchronisation can repair.
 *
 * A byte-order mark is the decoder's business (electron/datasets strips it while decoding).
 */

import { DatasetSyntaxError } from "./syntaxError.ts";

export type CsvEvent = { kind: "record"; fields: string[]; line: number } | { kind: "bad"; line: number; reason: string };

export interface CsvParserOptions {
  /** a single character; default "," */
  delimiter?: string;
  /** default 16 Mi characters */
  maxRecordChars?: number;
}

export const DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;


const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

type State = "fieldStart" | "unquoted" | "quoted" | "quoteInQuoted" | "skipLine";

export class CsvParser {
  private readonly delimiter: number;
  private readonly maxRecordChars: number;
  private state: State = "fieldStart";
  private fields: string[] = [];
  private field = "";
  private recordChars = 0;
  /** line where the record being read starts; undefined between records */
  private recordLine: number | undefined;
  /** the physical line the next character is on (1-based) */
  private line = 1;
  /** the previous character was a CR: a LF now completes a CRLF that was already counted */
  private afterCR = false;

  constructor(options: CsvParserOptions = {}) {
    const delimiter = options.delimiter ?? ",";
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") throw new RangeError(`the CSV delimiter must be one character other than a quote or a line break, not ${JSON.stringify(delimiter)}`);
    this.delimiter = delimiter.charCodeAt(0);
    this.maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  }

  push(text: string): CsvEvent[] {
    const events: CsvEvent[] = [];
    // Literal characters are copied in runs: `runStart` is where the current run began in `text`.
    let runStart = -1;
    const flushRun = (end: number): void => {
      if (runStart !== -1 && end > runStart) this.append(text.slice(runStart, end));
      runStart = -1;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const completesCRLF = c === LF && this.afterCR;
      const isBreak = c === LF || c === CR;
      // Lines are counted once per CR, LF or CRLF, wherever they occur (inside quotes too).
      if (isBreak && !completesCRLF) this.line++;
      this.afterCR = c === CR;
      switch (this.state) {
        case "skipLine":
          if (isBreak) this.state = "fieldStart";
          break;
        case "fieldStart":
          if (completesCRLF) break;
          if (this.recordLine === undefined) {
            if (isBreak) break; // a blank line
            this.recordLine = isBreak ? this.line - 1 : this.line;
          }
          if (c === QUOTE) this.state = "quoted";
          else if (c === this.delimiter) this.finishField();
          else if (isBreak) {
            this.finishField();
            this.finishRecord(events);
          } else {
            this.state = "unquoted";
            runStart = i;
          }
          break;
        case "unquoted":
          if (c === this.delimiter || isBreak) {
            flushRun(i);
            this.finishField();
            if (isBreak) this.finishRecord(events);
            else this.state = "fieldStart";
          } else if (runStart === -1) runStart = i;
          break;
        case "quoted":
          if (c === QUOTE) {
            flushRun(i);
            this.state = "quoteInQuoted";
          } else if (runStart === -1) runStart = i;
          break;
        case "quoteInQuoted":
          if (c === QUOTE) {
            this.append('"');
            this.state = "quoted";
          } else if (c === this.delimiter || isBreak) {
            this.finishField();
            if (isBreak) this.finishRecord(events);
            else this.state = "fieldStart";
          } else {
            events.push({ kind: "bad", line: this.recordLine!, reason: `a quoted field ends with a quote followed by ${describeChar(text, i)}; after the closing quote only "${String.fromCharCode(this.delimiter)}" or the end of the line may follow (a quote inside a quoted field is written twice: "")` });
            this.resetRecord();
            this.state = "skipLine";
          }
          break;
      }
    }
    flushRun(text.length);
    return events;
  }

  /** Call once after the last chunk: returns the last record if the text did not end with a line break. */
  end(): CsvEvent[] {
    const events: CsvEvent[] = [];
    if (this.state === "quoted") {
      events.push({ kind: "bad", line: this.recordLine!, reason: "a quoted field opened in this record is never closed: the closing quote is missing (is the file cut short?)" });
    } else if (this.state !== "skipLine" && this.recordLine !== undefined) {
      this.finishField();
      this.finishRecord(events);
    }
    this.resetRecord();
    this.state = "fieldStart";
    return events;
  }

  private append(text: string): void {
    this.recordChars += text.length;
    if (this.recordChars > this.maxRecordChars) {
      const line = this.recordLine ?? this.line;
      throw new DatasetSyntaxError(`the CSV record that starts on line ${line} is longer than ${this.maxRecordChars.toLocaleString("en")} characters; a quote that opens a field is probably never closed`, line);
    }
    this.field += text;
  }

  private finishField(): void {
    this.fields.push(this.field);
    this.field = "";
    this.state = "fieldStart";
  }

  private finishRecord(events: CsvEvent[]): void {
    events.push({ kind: "record", fields: this.fields, line: this.recordLine! });
    this.resetRecord();
  }

  private resetRecord(): void {
    this.fields = [];
    this.field = "";
    this.recordChars = 0;
    this.recordLine = undefined;
  }
}

/** Whitespace or other text, never the character itself: the file may be anything the user named. */
function describeChar(text: string, index: number): string {
  return text[index]!.trim() === "" ? "whitespace" : "more text";
}

/**
 * A field as RFC 4180 writes it: quoted when it holds a quote, the delimiter or a line break — or leading or trailing
 * whitespace, which some readers trim — with its quotes doubled.
 */
export function formatCsvField(value: string, delimiter = ","): string {
  const needsQuotes = value.includes('"') || value.includes(delimiter) || value.includes("\n") || value.includes("\r") || value.trim() !== value;
  return needsQuotes ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One record with its CRLF terminator (RFC 4180's line break). */
export function formatCsvRecord(values: readonly string[], delimiter = ","): string {
  return `${values.map((value) => formatCsvField(value, delimiter)).join(delimiter)}\r\n`;
}
