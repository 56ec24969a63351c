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
 * - An unclosed quote must not swallow the rows after it. A quoted field that runs over a line break is taken for an
 *   unclosed quote when the record it makes turns out wrong: its closing quote is followed by more text, the text ends
 *   with it still open, it outgrows `maxRecordChars`, or (with the `header` option) the record has another number of
 *   fields than the header. Then only the line it opened on is reported bad, and reading starts again on the next
 *   line, as if that line had not been there.
 * - A record on one line longer than `maxRecordChars` throws a DatasetSyntaxError.
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
  /**
   * The first record is a header: a later record running over lines with another number of fields is read as an
   * unclosed quote (see above).
   */
  header?: boolean;
}

export const DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

type State = "fieldStart" | "unquoted" | "quoted" | "quoteInQuoted" | "skipLine";

/** Why a record whose quoted field runs over line breaks is read as an unclosed quote. */
type UnclosedQuoteSign = "end-of-text" | "text-after-quote" | "too-long" | "field-count";

export class CsvParser {
  private readonly delimiter: number;
  private readonly maxRecordChars: number;
  private readonly header: boolean;
  /** the header's field count, once read */
  private expectedFields: number | undefined;
  private state: State = "fieldStart";
  private fields: string[] = [];
  private field = "";
  private recordChars = 0;
  /** line where the record being read starts; undefined between records */
  private recordLine: number | undefined;
  /** the record being read has a line break inside a quoted field */
  private recordSpansLines = false;
  /** the record's text from earlier chunks (kept only while a record spans chunks), to read again after an unclosed quote */
  private recordCarry = "";
  /** where the record being read starts in the chunk being scanned (0 when it started in an earlier chunk) */
  private recordStart = 0;
  /** the physical line the next character is on (1-based) */
  private line = 1;
  /** the previous character was a CR: a LF now completes a CRLF that was already counted */
  private afterCR = false;

  constructor(options: CsvParserOptions = {}) {
    const delimiter = options.delimiter ?? ",";
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") throw new RangeError(`the CSV delimiter must be one character other than a quote or a line break, not ${JSON.stringify(delimiter)}`);
    this.delimiter = delimiter.charCodeAt(0);
    this.maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
    this.header = options.header ?? false;
  }

  push(text: string): CsvEvent[] {
    const events: CsvEvent[] = [];
    let pending: string | undefined = text;
    while (pending !== undefined) pending = this.scan(pending, events);
    return events;
  }

  /** Call once after the last chunk: returns the last record if the text did not end with a line break. */
  end(): CsvEvent[] {
    const events: CsvEvent[] = [];
    for (;;) {
      if (this.state === "quoted") {
        if (this.recordSpansLines) {
          events.push(...this.push(this.unclosedQuote("end-of-text", this.recordCarry, events)));
          continue;
        }
        events.push({ kind: "bad", line: this.recordLine!, reason: "a quoted field opened in this record is never closed: the closing quote is missing (is the file cut short?)" });
      } else if (this.state !== "skipLine" && this.recordLine !== undefined) {
        this.finishField();
        const replay = this.finishRecord(events, "");
        if (replay !== undefined) {
          events.push(...this.push(replay));
          continue;
        }
      }
      break;
    }
    this.resetRecord();
    this.state = "fieldStart";
    return events;
  }

  /**
   * Reads `text` to its end, or up to an unclosed quote: then the text to read again in its place is returned (the
   * record's lines after its first one, and the rest of `text`).
   */
  private scan(text: string, events: CsvEvent[]): string | undefined {
    // Literal characters are copied in runs: `runStart` is where the current run began in `text`.
    let runStart = -1;
    const flushRun = (end: number): void => {
      if (runStart !== -1 && end > runStart) this.append(text.slice(runStart, end));
      runStart = -1;
    };
    this.recordStart = 0;
    try {
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
              this.recordLine = this.line;
              this.recordStart = i;
            }
            if (c === QUOTE) this.state = "quoted";
            else if (c === this.delimiter) this.finishField();
            else if (isBreak) {
              this.finishField();
              const replay = this.finishRecord(events, text);
              if (replay !== undefined) return replay;
            } else {
              this.state = "unquoted";
              runStart = i;
            }
            break;
          case "unquoted":
            if (c === this.delimiter || isBreak) {
              flushRun(i);
              this.finishField();
              if (isBreak) {
                const replay = this.finishRecord(events, text);
                if (replay !== undefined) return replay;
              } else this.state = "fieldStart";
            } else if (runStart === -1) runStart = i;
            break;
          case "quoted":
            if (isBreak) this.recordSpansLines = true;
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
              if (isBreak) {
                const replay = this.finishRecord(events, text);
                if (replay !== undefined) return replay;
              } else this.state = "fieldStart";
            } else if (this.recordSpansLines) {
              return this.unclosedQuote("text-after-quote", this.recordCarry + text.slice(this.recordStart), events);
            } else {
              events.push({ kind: "bad", line: this.recordLine!, reason: `a quoted field ends with a quote followed by ${describeChar(text, i)}; after the closing quote only "${String.fromCharCode(this.delimiter)}" or the end of the line may follow (a quote inside a quoted field is written twice: "")` });
              this.resetRecord();
              this.state = "skipLine";
            }
            break;
        }
      }
      flushRun(text.length);
    } catch (error) {
      if (!(error instanceof RecordTooLong)) throw error;
      return this.unclosedQuote("too-long", this.recordCarry + text.slice(this.recordStart), events);
    }
    // A record still open at the end of the chunk keeps its text, in case it has to be read again.
    if (this.recordLine !== undefined) this.recordCarry += text.slice(this.recordStart);
    return undefined;
  }

  /**
   * Reports the record's first line as an unclosed quote and returns the text to read in its place: `recordText` (the
   * record's text as written, from its first character) without that first line.
   */
  private unclosedQuote(sign: UnclosedQuoteSign, recordText: string, events: CsvEvent[]): string {
    const line = this.recordLine!;
    const consequence = `this line is skipped and reading goes on with line ${line + 1}, so the rows after it are not lost`;
    const reasons: Record<UnclosedQuoteSign, string> = {
      "end-of-text": `a quote opens a field on this line and is never closed (it runs to the end of the file); ${consequence}`,
      "text-after-quote": `a quote opens a field on this line and is not closed on it (the next quote, on line ${this.line}, is followed by more text); ${consequence}`,
      "too-long": `a quote opens a field on this line and is not closed within ${this.maxRecordChars.toLocaleString("en")} characters; ${consequence}`,
      "field-count": `a quote opens a field on this line and is not closed on it: the record it makes has ${this.fields.length} fields where the header has ${this.expectedFields}; ${consequence}`,
    };
    events.push({ kind: "bad", line, reason: reasons[sign] });
    const firstBreak = recordText.search(/[\r\n]/);
    const afterBreak = recordText[firstBreak] === "\r" && recordText[firstBreak + 1] === "\n" ? firstBreak + 2 : firstBreak + 1;
    this.resetRecord();
    this.state = "fieldStart";
    this.line = line + 1;
    // A CR that ends the text may be the first half of a CRLF whose LF is still to come.
    this.afterCR = recordText[firstBreak] === "\r" && afterBreak === recordText.length;
    return recordText.slice(afterBreak);
  }

  private append(text: string): void {
    this.recordChars += text.length;
    if (this.recordChars > this.maxRecordChars) {
      if (this.recordSpansLines) throw new RecordTooLong();
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

  /** Emits the record, or (a record over several lines with the wrong field count) reports an unclosed quote and returns the text to read again. */
  private finishRecord(events: CsvEvent[], chunk: string): string | undefined {
    if (this.recordSpansLines && this.expectedFields !== undefined && this.fields.length !== this.expectedFields) {
      return this.unclosedQuote("field-count", this.recordCarry + chunk.slice(this.recordStart), events);
    }
    if (this.header && this.expectedFields === undefined) this.expectedFields = this.fields.length;
    events.push({ kind: "record", fields: this.fields, line: this.recordLine! });
    this.resetRecord();
    return undefined;
  }

  private resetRecord(): void {
    this.fields = [];
    this.field = "";
    this.recordChars = 0;
    this.recordLine = undefined;
    this.recordSpansLines = false;
    this.recordCarry = "";
  }
}

/** Thrown inside the scan when a record over several lines outgrows the limit: read as an unclosed quote. */
class RecordTooLong extends Error {}

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
