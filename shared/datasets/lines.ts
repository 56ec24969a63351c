/**
 * Text split into lines incrementally, for JSON Lines: feed chunks of any size, get whole lines with their 1-based
 * numbers. LF and CRLF end a line (the CR is dropped); only the unfinished last line is held between chunks.
 */

import { DatasetSyntaxError } from "./syntaxError.ts";

export interface NumberedLine {
  text: string;
  line: number;
}

export const DEFAULT_MAX_LINE_CHARS = 16 * 1024 * 1024;


export class LineSplitter {
  private partial = "";
  private nextLine = 1;

  constructor(private readonly maxLineChars = DEFAULT_MAX_LINE_CHARS) {}

  push(text: string): NumberedLine[] {
    const lines: NumberedLine[] = [];
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      const whole = this.partial + text.slice(start, end);
      this.partial = "";
      lines.push({ text: whole.endsWith("\r") ? whole.slice(0, -1) : whole, line: this.nextLine++ });
      start = end + 1;
    }
    this.partial += text.slice(start);
    if (this.partial.length > this.maxLineChars) {
      throw new DatasetSyntaxError(`line ${this.nextLine} is longer than ${this.maxLineChars.toLocaleString("en")} characters; is this a JSON Lines file (one JSON object per line)?`, this.nextLine);
    }
    return lines;
  }

  /** The last line, when the text does not end with a line break. */
  end(): NumberedLine[] {
    const rest = this.partial;
    this.partial = "";
    if (rest === "") return [];
    return [{ text: rest.endsWith("\r") ? rest.slice(0, -1) : rest, line: this.nextLine++ }];
  }
}
