// Plain transcripts: "User: …" / "Assistant: …" lines, as people copy chats out of a web page or a document.
import { KNOWN_ROLE_NAMES, ROLE_NAME_PATTERN, knownRole } from "./roles.ts";
import { failure, isBlank, shorten, splitLines, type FormatParse, type LocatedTurn } from "./parse-support.ts";
import type { Role } from "./types.ts";

/**
 * A line that starts a turn: a role name, any case, then a colon, with optional Markdown bold around the name or the
 * name and colon ("**User:**", "**User**:") and spaces before the colon ("user :"). Only known role names count, so
 * that a line such as "Note: …" or "Step 1: …" inside a turn stays part of that turn. Each run of spaces can match only
 * one way (the bold marker takes the spaces after it), so a megabyte of blanks cannot make the match backtrack.
 */
const LABEL_LINE = new RegExp(String.raw`^\s*(?:\*\*\s*)?(${ROLE_NAME_PATTERN})\s*(?:\*\*\s*)?:\s*(?:\*\*)?[ \t]*([\s\S]*)$`, "i");

/** The first line of a paste written as "Name: text" with a name that is no role ("Moderator: …", "Customer: …"). */
const UNKNOWN_LABEL_LINE = /^\s*(?:\*\*\s*)?([\p{L}][\p{L}\p{N} _-]{0,29}?)\s*(?:\*\*\s*)?:/u;

/** The labels as people write them: "User:", "AI:" (an acronym), … */
const KNOWN_LABELS = KNOWN_ROLE_NAMES.map((name) => `"${name.length <= 2 ? name.toUpperCase() : `${name[0]!.toUpperCase()}${name.slice(1)}`}:"`).join(", ");

/** The role a label line starts and the text after its label, or undefined for any other line. */
export function readLabelLine(line: string): { role: Role; rest: string } | undefined {
  const match = LABEL_LINE.exec(line);
  const role = knownRole(match?.[1] ?? "");
  return role && { role, rest: match?.[2] ?? "" };
}

/**
 * A turn runs from its label line to the next label line. Its content is the text after the label plus the lines
 * that follow, exactly as written, less the blank lines that separate it from the next turn (and from its label,
 * when the text starts on the line below). Lines are rejoined with \n, which normalises CRLF.
 */
export function parseTranscript(text: string): FormatParse {
  const turns: LocatedTurn[] = [];
  let current: { turn: LocatedTurn; lines: string[] } | undefined;
  const finishCurrent = (): void => {
    if (!current) return;
    current.turn.content = trimBlankLines(current.lines).join("\n");
    turns.push(current.turn);
  };

  for (const [index, lineText] of splitLines(text).entries()) {
    const line = index + 1;
    const label = readLabelLine(lineText);
    if (label) {
      finishCurrent();
      current = { turn: { role: label.role, content: "", line, place: `Line ${line}` }, lines: [label.rest] };
    } else if (current) {
      current.lines.push(lineText);
    } else if (!isBlank(lineText)) {
      const unknownLabel = UNKNOWN_LABEL_LINE.exec(lineText)?.[1];
      if (unknownLabel) {
        return failure(
          "unknown_role",
          `Line ${line}: "${shorten(unknownLabel)}:" is not a speaker label Guardbench knows. Start each turn with one of ${KNOWN_LABELS} (any case), or paste JSON, JSONL, ChatML or Llama 3 text.`,
          line,
        );
      }
      return failure(
        "stray_text",
        `Line ${line}: "${shorten(lineText.trim())}" comes before any speaker label. Start each turn with a label such as "User:" or "Assistant:" (or paste JSON, JSONL, ChatML or Llama 3 text).`,
        line,
      );
    }
  }
  finishCurrent();
  return { ok: true, turns, warnings: [] };
}

/** The whole text as one turn, less the blank lines around it (as a transcript turn's text), lines rejoined with \n. */
export function parsePlainText(text: string, role: "user" | "assistant"): FormatParse {
  const content = trimBlankLines(splitLines(text)).join("\n");
  const message: LocatedTurn = { role, content, line: 1, place: "Line 1" };
  const turns = role === "user" ? [message] : [{ role: "user" as const, content: "", line: 1, place: "Line 1" }, message];
  // "Customer: …" may be a transcript whose labels Guardbench does not know: read as one message, but say so.
  const firstLine = splitLines(text).find((line) => !isBlank(line)) ?? "";
  const unknownLabel = UNKNOWN_LABEL_LINE.exec(firstLine)?.[1];
  const warnings = unknownLabel
    ? [`Line 1 starts with "${shorten(unknownLabel)}:", which is not a speaker label Guardbench knows, so the whole text is read as one ${role} turn. To split it into turns, start each with one of ${KNOWN_LABELS} (any case).`]
    : [];
  return { ok: true, turns, warnings };
}

function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] ?? "")) start++;
  while (end > start && isBlank(lines[end - 1] ?? "")) end--;
  return lines.slice(start, end);
}
