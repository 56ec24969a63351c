/**
 * Where and why a text is not valid JSON, said without quoting it. JSON.parse's own messages (V8) quote the start of
 * the text (`Unexpected token 'h', "hf_abc…" is not valid JSON`), which would put the bytes of whatever file was
 * named — a key file, `/proc/self/environ` — into an error message. This scanner finds the first offending position
 * and names what was expected there instead. It is iterative, so a deeply nested row cannot overflow the stack.
 */

export interface JsonProblem {
  /** the offset into the text where it stops being JSON */
  offset: number;
  /** what is wrong there, in words that contain none of the text */
  problem: string;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const LITERALS = ["true", "false", "null"];

type Expecting = "value" | "valueOrClose" | "key" | "keyOrClose" | "after";

/** The first problem of a text JSON.parse refused; undefined when this scanner finds none (a JSON.parse subtlety). */
export function findJsonProblem(text: string): JsonProblem | undefined {
  const open: Array<"object" | "array"> = [];
  let at = 0;
  let expecting: Expecting = "value";
  const ended = (): JsonProblem => ({ offset: text.length, problem: open.length > 0 ? `the text ends before the ${open.at(-1)} is closed` : "the text ends before a value" });

  for (;;) {
    while (at < text.length && WHITESPACE.has(text[at]!)) at++;
    const char = text[at];
    if (expecting === "after") {
      const container = open.at(-1);
      if (container === undefined) return char === undefined ? undefined : { offset: at, problem: "more text follows the JSON value" };
      if (char === undefined) return ended();
      if (char === ",") {
        expecting = container === "object" ? "key" : "value";
        at++;
      } else if (char === (container === "object" ? "}" : "]")) {
        open.pop();
        at++;
      } else {
        return { offset: at, problem: container === "object" ? "expected ',' or '}' after a property's value" : "expected ',' or ']' after an array element" };
      }
      continue;
    }
    if (char === undefined) return ended();
    if (expecting === "key" || expecting === "keyOrClose") {
      if (char === "}" && expecting === "keyOrClose") {
        open.pop();
        at++;
        expecting = "after";
        continue;
      }
      if (char !== '"') return { offset: at, problem: expecting === "key" ? "expected a property name in double quotes (JSON allows no trailing comma)" : "expected a property name in double quotes or '}'" };
      const stringProblem = scanString();
      if (stringProblem) return stringProblem;
      while (at < text.length && WHITESPACE.has(text[at]!)) at++;
      if (text[at] !== ":") return text[at] === undefined ? ended() : { offset: at, problem: "expected ':' after a property name" };
      at++;
      expecting = "value";
      continue;
    }
    // A value.
    if (char === "]" && expecting === "valueOrClose") {
      open.pop();
      at++;
      expecting = "after";
    } else if (char === "{" || char === "[") {
      open.push(char === "{" ? "object" : "array");
      at++;
      expecting = char === "{" ? "keyOrClose" : "valueOrClose";
    } else if (char === '"') {
      const stringProblem = scanString();
      if (stringProblem) return stringProblem;
      expecting = "after";
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      NUMBER.lastIndex = at;
      const number = NUMBER.exec(text);
      if (!number) return { offset: at, problem: "a number is malformed" };
      at += number[0].length;
      expecting = "after";
    } else {
      const literal = LITERALS.find((word) => text.startsWith(word, at));
      if (!literal) {
        return { offset: at, problem: open.length === 0 ? "expected a JSON value (an object, array, string, number, true, false or null)" : "expected a value (strings need double quotes; JSON allows no trailing comma)" };
      }
      at += literal.length;
      expecting = "after";
    }
  }

  /** Reads the string starting at `at` (a double quote), leaving `at` after its closing quote. */
  function scanString(): JsonProblem | undefined {
    const start = at;
    at++;
    while (at < text.length) {
      const char = text[at]!;
      if (char === '"') {
        at++;
        return undefined;
      }
      if (char === "\\") {
        const escape = text[at + 1];
        if (escape === "u" && HEX4.test(text.slice(at + 2, at + 6))) at += 6;
        else if (escape !== undefined && SIMPLE_ESCAPES.has(escape)) at += 2;
        else return { offset: at, problem: "a backslash in a string starts no valid escape (write a backslash as \\\\)" };
        continue;
      }
      if (char.charCodeAt(0) < 0x20) return { offset: at, problem: "a string holds a control character such as a tab or line break (write it as \\t or \\n)" };
      at++;
    }
    return { offset: start, problem: "a string is never closed (its closing double quote is missing)" };
  }
}

/**
 * "not valid JSON at column 12: expected …" for a text that starts at the beginning of `line` in its file (a JSON
 * Lines row), or "… at line 7: …" for one that starts mid-line (an array element: `startsLine` false). Never quotes
 * the text.
 */
export function describeJsonProblem(text: string, line: number, startsLine = true): string {
  const found = findJsonProblem(text);
  if (!found) return "not valid JSON";
  const before = text.slice(0, found.offset);
  const newlines = before.split("\n").length - 1;
  const column = found.offset - (before.lastIndexOf("\n") + 1) + 1;
  const where = newlines === 0 && startsLine ? `column ${column}` : startsLine || newlines > 0 ? `line ${line + newlines}, column ${column}` : `line ${line}`;
  return `not valid JSON at ${where}: ${found.problem}`;
}
