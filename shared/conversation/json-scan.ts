// JSON.parse says neither where a value starts nor, portably, where invalid JSON goes wrong: V8 gives "at position N"
// for some errors and none for others ("Unexpected token 'N', ... is not valid JSON"), Firefox gives line and column,
// and the wording differs between the Electron renderer and Node. This scanner walks the text without building values
// and answers both questions the same way everywhere.

/** A step into a JSON value: an array index or an object key. */
export type JsonPathSegment = number | string;

export interface JsonValueStart {
  path: JsonPathSegment[];
  /** UTF-16 offset of the value's first character. */
  offset: number;
}

export type JsonScan =
  | { ok: true; valueStarts: JsonValueStart[] }
  /** `problem` reads as the end of "Invalid JSON at line 3, column 5: …". */
  | { ok: false; offset: number; problem: string };

const WHITESPACE = /[ \t\n\r]*/y;
const PRIMITIVE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
const WORD = /[A-Za-z_]\w*/y;

class ScanFailure {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

type Frame = { kind: "array"; index: number } | { kind: "object"; key: string };

/**
 * Checks `text` against the JSON grammar and, when it is valid, lists where each value at most `recordDepth`
 * containers deep starts (the root has depth 0, `[{…}]`'s object depth 1). Iterative, so that nesting is limited by
 * memory as in JSON.parse, not by the call stack.
 */
export function scanJson(text: string, recordDepth: number): JsonScan {
  const valueStarts: JsonValueStart[] = [];
  const stack: Frame[] = [];

  const skipWhitespace = (from: number): number => {
    WHITESPACE.lastIndex = from;
    WHITESPACE.test(text);
    return WHITESPACE.lastIndex;
  };

  const describeFound = (at: number): string => {
    if (at >= text.length) return "the end of the text";
    if (text[at] === "'") return "a single quote (JSON needs double quotes around text and property names)";
    WORD.lastIndex = at;
    if (WORD.test(text)) {
      return `"${text.slice(at, WORD.lastIndex)}" (JSON's only bare words are true, false and null; text needs double quotes)`;
    }
    return `'${String.fromCodePoint(text.codePointAt(at) ?? 0)}'`;
  };

  const stringEnd = (quote: number): number => {
    for (let i = quote + 1; i < text.length; ) {
      const code = text.charCodeAt(i);
      if (code === 0x22) return i + 1;
      if (code === 0x5c) {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) throw new ScanFailure(i, 'invalid escape in a string (valid ones are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        i = ESCAPE.lastIndex;
      } else if (code === 0x0a || code === 0x0d) {
        throw new ScanFailure(i, "a string runs into a line break: close it with a double quote, or write the line break as \\n");
      } else if (code < 0x20) {
        throw new ScanFailure(i, "a string cannot contain a control character such as a tab: write it as an escape (\\t, \\u0000)");
      } else {
        i++;
      }
    }
    throw new ScanFailure(quote, "this string has no closing double quote");
  };

  const readKey = (at: number): { key: string; valueStart: number } => {
    if (text[at] !== '"') throw new ScanFailure(at, `expected a property name in double quotes, found ${describeFound(at)}`);
    const end = stringEnd(at);
    const colon = skipWhitespace(end);
    if (text[colon] !== ":") throw new ScanFailure(colon, `expected ':' after the property name, found ${describeFound(colon)}`);
    return { key: JSON.parse(text.slice(at, end)) as string, valueStart: skipWhitespace(colon + 1) };
  };

  try {
    let pos = skipWhitespace(0);
    for (;;) {
      // A value starts at `pos`.
      if (stack.length <= recordDepth) {
        valueStarts.push({ path: stack.map((frame) => (frame.kind === "array" ? frame.index : frame.key)), offset: pos });
      }
      const opener = text[pos];
      if (opener === "[" || opener === "{") {
        const inner = skipWhitespace(pos + 1);
        if (text[inner] === (opener === "[" ? "]" : "}")) {
          pos = inner + 1;
        } else if (opener === "[") {
          stack.push({ kind: "array", index: 0 });
          pos = inner;
          continue;
        } else {
          const { key, valueStart } = readKey(inner);
          stack.push({ kind: "object", key });
          pos = valueStart;
          continue;
        }
      } else if (opener === '"') {
        pos = stringEnd(pos);
      } else {
        PRIMITIVE.lastIndex = pos;
        if (!PRIMITIVE.test(text)) throw new ScanFailure(pos, `expected a value, found ${describeFound(pos)}`);
        pos = PRIMITIVE.lastIndex;
      }

      // The value is complete: close the containers it completes, then move to the next sibling.
      for (;;) {
        pos = skipWhitespace(pos);
        const frame = stack.at(-1);
        if (!frame) {
          if (pos < text.length) throw new ScanFailure(pos, `expected the end of the text after the JSON value, found ${describeFound(pos)}`);
          return { ok: true, valueStarts };
        }
        const closer = frame.kind === "array" ? "]" : "}";
        if (text[pos] === closer) {
          stack.pop();
          pos++;
          continue;
        }
        const place = frame.kind === "array" ? "an array element" : "a property value";
        if (text[pos] !== ",") throw new ScanFailure(pos, `expected ',' or '${closer}' after ${place}, found ${describeFound(pos)}`);
        const next = skipWhitespace(pos + 1);
        if (text[next] === closer) throw new ScanFailure(pos, `JSON allows no comma before '${closer}': remove this trailing comma`);
        if (frame.kind === "array") {
          frame.index++;
          pos = next;
        } else {
          const { key, valueStart } = readKey(next);
          frame.key = key;
          pos = valueStart;
        }
        break;
      }
    }
  } catch (caught) {
    if (caught instanceof ScanFailure) return { ok: false, offset: caught.offset, problem: caught.problem };
    throw caught;
  }
}
