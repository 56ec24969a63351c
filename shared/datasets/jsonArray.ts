/**
 * A JSON file holding one top-level array, split into the source text of its elements incrementally: feed chunks, get
 * each element's text (for JSON.parse) with its position, holding only the element being read. This keeps a large
 * `[{…}, {…}, …]` file from having to be loaded and parsed whole.
 *
 * The splitter only tracks strings and bracket depth to find where an element ends; whether the element is valid
 * JSON is JSON.parse's business, so a bad element is reported as a bad row and the next one is read as usual.
 */

import { DatasetSyntaxError } from "./syntaxError.ts";

export type JsonArrayEvent =
  | { kind: "element"; text: string; index: number; line: number }
  | { kind: "bad"; index: number; line: number; reason: string };

/*
 * Thrown as DatasetSyntaxError: text that is not a JSON array at all (an object, plain text, nothing); text after the
 * array's closing bracket (the elements before it were read, but the file is not what it seems); an element longer
 * than `maxElementChars` (a string or bracket left open).
 */

export const DEFAULT_MAX_ELEMENT_CHARS = 16 * 1024 * 1024;

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

type State = "beforeArray" | "beforeElement" | "inElement" | "afterArray";

export class JsonArraySplitter {
  private state: State = "beforeArray";
  private element = "";
  private elementLine = 0;
  private index = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** a comma was read and no element has started since */
  private afterComma = false;
  private line = 1;

  constructor(private readonly maxElementChars = DEFAULT_MAX_ELEMENT_CHARS) {}

  push(text: string): JsonArrayEvent[] {
    const events: JsonArrayEvent[] = [];
    let elementStart = this.state === "inElement" ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (char === "\n") this.line++;
      switch (this.state) {
        case "beforeArray":
          if (WHITESPACE.has(char)) break;
          if (char !== "[") throw new DatasetSyntaxError(`the file must hold a JSON array of row objects ([{…}, {…}]), but line ${this.line} starts with ${describeStart(text, i)}; for one JSON object per line, import it as JSON Lines (.jsonl)`, this.line);
          this.state = "beforeElement";
          break;
        case "beforeElement":
          if (WHITESPACE.has(char)) break;
          if (char === "]") {
            if (this.afterComma) events.push(this.bad("a comma is followed by the closing ] (JSON allows no trailing comma)"));
            this.state = "afterArray";
          } else if (char === ",") {
            events.push(this.bad(this.afterComma ? "the element is missing: two commas in a row" : "the element is missing: a comma right after ["));
            this.index++;
            this.afterComma = true;
          } else {
            this.state = "inElement";
            this.elementLine = this.line;
            this.afterComma = false;
            elementStart = i;
            i--; // read this character again as part of the element (it is not whitespace, so no line was counted)
          }
          break;
        case "inElement":
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (char === "\\") this.escaped = true;
            else if (char === '"') this.inString = false;
            break;
          }
          if (char === '"') this.inString = true;
          else if (char === "{" || char === "[") this.depth++;
          else if ((char === "}" || char === "]") && this.depth > 0) this.depth--;
          else if (this.depth === 0 && (char === "," || char === "]")) {
            this.appendElement(text.slice(elementStart, i));
            elementStart = -1;
            events.push({ kind: "element", text: this.element.trim(), index: this.index++, line: this.elementLine });
            this.element = "";
            this.state = char === "," ? "beforeElement" : "afterArray";
            this.afterComma = char === ",";
          }
          break;
        case "afterArray":
          if (!WHITESPACE.has(char)) throw new DatasetSyntaxError(`line ${this.line} has more (${describeStart(text, i)}) after the array's closing ]; a JSON file holds one array`, this.line);
          break;
      }
    }
    if (elementStart !== -1) this.appendElement(text.slice(elementStart));
    return events;
  }

  /** Call once after the last chunk. */
  end(): JsonArrayEvent[] {
    switch (this.state) {
      case "beforeArray":
        throw new DatasetSyntaxError("the file is empty; it must hold a JSON array of row objects ([{…}, {…}])");
      case "inElement":
        this.element = "";
        return [{ kind: "bad", index: this.index, line: this.elementLine, reason: "the file ends inside this element, before the array's closing ] (is the file cut short?)" }];
      case "beforeElement":
        return [this.bad("the file ends before the array's closing ] (is the file cut short?)")];
      case "afterArray":
        return [];
    }
  }

  private bad(reason: string): JsonArrayEvent {
    return { kind: "bad", index: this.index, line: this.line, reason };
  }

  private appendElement(text: string): void {
    this.element += text;
    if (this.element.length > this.maxElementChars) {
      throw new DatasetSyntaxError(`the array element that starts on line ${this.elementLine} is longer than ${this.maxElementChars.toLocaleString("en")} characters; is a string or bracket left open?`, this.elementLine);
    }
  }
}

/** What kind of text is there, without quoting it: the file may be anything the user named (a key file, say). */
function describeStart(text: string, index: number): string {
  const char = text[index]!;
  if (char === "{") return "an object ('{')";
  if (char === '"') return "a string";
  if (char === "-" || (char >= "0" && char <= "9")) return "a number";
  return "text that is not JSON";
}
