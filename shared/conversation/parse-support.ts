// What the format parsers share: turns that remember where they came from, the error shape, and the last checks
// that are the same for every format.
import { ALLOWED_ROLES_HINT, lookUpRole } from "./roles.ts";
import type { ChatFormat, ParseError, ParseErrorCode, ParseResult, Role } from "./types.ts";

/** A parsed turn plus where it came from, so that later checks can point the user at it. */
export interface LocatedTurn {
  role: Role;
  content: string;
  /** 1-based line where the turn starts. */
  line: number;
  /** How to name the turn in a message, capitalised: "Line 4", "Message 2 (line 7)". */
  place: string;
}

export type FormatParse = { ok: true; turns: LocatedTurn[]; warnings: string[] } | { ok: false; error: ParseError };

export function parseError(code: ParseErrorCode, message: string, line?: number): ParseError {
  return line === undefined ? { code, message } : { code, message, line };
}

export function failure(code: ParseErrorCode, message: string, line?: number): { ok: false; error: ParseError } {
  return { ok: false, error: parseError(code, message, line) };
}

/** Splits on \n and \r\n; a lone \r is not a line break anywhere else in the app either. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * Maps UTF-16 offsets of `text` to 1-based lines and columns. The column counts code points, as editors do, so an
 * emoji is one column. Line starts are indexed once, as one paste may need the line of every message in it.
 */
export function offsetLocator(text: string): (offset: number) => { line: number; column: number } {
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((lineStarts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    const lineStart = lineStarts[low] ?? 0;
    return { line: low + 1, column: [...text.slice(lineStart, offset)].length + 1 };
  };
}

export type RoleDecision =
  | { kind: "turn"; role: Role }
  | { kind: "skip"; warning: string }
  | { kind: "error"; error: ParseError };

/** Turns a role name found in the text into a role, a skipped tool message, or an error listing the roles allowed. */
export function decideRole(name: string, place: string, line: number): RoleDecision {
  const found = lookUpRole(name);
  switch (found.kind) {
    case "role":
      return { kind: "turn", role: found.role };
    case "tool":
      return {
        kind: "skip",
        warning: `${place}: skipped the "${name.trim()}" message. Llama Guard classifies only user and assistant turns, so tool calls and results are left out.`,
      };
    case "unknown":
      return {
        kind: "error",
        error: parseError("unknown_role", `${place}: unknown role "${name.trim()}". ${ALLOWED_ROLES_HINT}`, line),
      };
  }
}

/**
 * The checks every format ends with. A trailing empty assistant turn is what chat templates append as the
 * generation prompt ("now the assistant speaks"); it carries nothing to classify, so it is dropped — with a warning,
 * because it changes the task: the turn before it is then classified as a prompt, not a response. Any other empty or
 * whitespace-only turn is kept as it is: the official templates render an empty message, and the role rules
 * (prepareForClassification) warn about it.
 */
export function finishTurns(format: ChatFormat, turns: LocatedTurn[], warnings: string[]): ParseResult {
  const last = turns.at(-1);
  const dropsLast = last !== undefined && last.role === "assistant" && isBlank(last.content);
  const kept = dropsLast ? turns.slice(0, -1) : turns;
  const before = kept.at(-1);
  if (dropsLast && before) {
    const asPrompt = before.role === "user" ? ": the user turn before it is classified as a prompt, not a reply" : "";
    warnings.push(`${last.place}: the last assistant turn is empty, so it is left out${asPrompt}. To classify a reply, write its text.`);
  }
  if (kept.length === 0) {
    return failure("no_turns", "No user, assistant or system turn was found. Paste a conversation with at least one user turn.");
  }
  return {
    ok: true,
    format,
    conversation: { turns: kept.map(({ role, content }) => ({ role, content })) },
    warnings,
  };
}

/** A long snippet of pasted text, cut short for quoting in a message (after `maxLength` code points, not UTF-16 units). */
export function shorten(text: string, maxLength = 40): string {
  // Walks only as far as the cut: the snippet may be a whole megabyte-long line.
  let characters = 0;
  let end = 0;
  for (const character of text) {
    if (characters === maxLength) return `${text.slice(0, end)}…`;
    characters++;
    end += character.length;
  }
  return text;
}

export function isBlank(text: string): boolean {
  return text.trim() === "";
}
