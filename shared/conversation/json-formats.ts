// The two JSON formats: "openai-json" (one array of messages, or {"messages": [...]}) and "jsonl" (one message per
// line). Both read messages the same way; they differ only in how the text is cut into messages and how a message's
// place is named. Content is kept exactly as the JSON gives it.
import { scanJson, type JsonPathSegment } from "./json-scan.ts";
import { decideRole, failure, isBlank, offsetLocator, parseError, shorten, splitLines, type FormatParse, type LocatedTurn } from "./parse-support.ts";
import type { ParseError } from "./types.ts";

/**
 * Content-part types that carry text: "text" in Chat Completions, "input_text" / "output_text" in the Responses API.
 * Other parts (images, audio, files) are skipped with a warning: the classifiers here read text only.
 */
const TEXT_PART_TYPES: ReadonlySet<string> = new Set(["text", "input_text", "output_text"]);

const MESSAGE_EXAMPLE = '{"role": "user", "content": "..."}';

export function parseOpenAiJson(text: string): FormatParse {
  const parsed = readJson(text);
  if (!parsed.ok) {
    const where = parsed.offset === undefined ? undefined : offsetLocator(text)(parsed.offset);
    const at = where ? ` at line ${where.line}, column ${where.column}` : "";
    return failure("invalid_json", `Invalid JSON${at}: ${parsed.problem}. Correct it${where ? " there" : ""} and paste again.`, where?.line);
  }

  const root = parsed.value;
  const messages = Array.isArray(root) ? root : isRecord(root) ? root.messages : undefined;
  if (!Array.isArray(messages)) {
    const found = isRecord(root) ? (messages === undefined ? 'an object without "messages"' : `"messages" holding ${describeJson(messages)}`) : describeJson(root);
    return failure(
      "invalid_message",
      `Line 1: expected a JSON array of messages like [${MESSAGE_EXAMPLE}], or an object with a "messages" array, but found ${found}.`,
      1,
    );
  }

  const messageLines = lineOfEachMessage(text, Array.isArray(root));
  const turns: LocatedTurn[] = [];
  const warnings: string[] = [];
  for (const [index, message] of messages.entries()) {
    const line = messageLines.get(index) ?? 1;
    const read = readMessage(message, `Message ${index + 1} (line ${line})`, line, warnings);
    if (!read.ok) return read;
    if (read.turn) turns.push(read.turn);
  }
  return { ok: true, turns, warnings };
}

export function parseJsonLines(text: string): FormatParse {
  const turns: LocatedTurn[] = [];
  const warnings: string[] = [];
  for (const [index, lineText] of splitLines(text).entries()) {
    if (isBlank(lineText)) continue;
    const line = index + 1;
    const parsed = readJson(lineText);
    if (!parsed.ok) {
      const column = parsed.offset === undefined ? "" : `, column ${offsetLocator(lineText)(parsed.offset).column}`;
      return failure(
        "invalid_json",
        `Invalid JSON at line ${line}${column}: ${parsed.problem}. Each line must hold one message like ${MESSAGE_EXAMPLE}.`,
        line,
      );
    }
    if (isRecord(parsed.value) && "messages" in parsed.value && !("role" in parsed.value)) {
      return failure(
        "invalid_message",
        `Line ${line} holds a whole conversation ("messages"), but JSONL here means one message per line. Paste a single conversation, for example just its "messages" array.`,
        line,
      );
    }
    const read = readMessage(parsed.value, `Line ${line}`, line, warnings);
    if (!read.ok) return read;
    if (read.turn) turns.push(read.turn);
  }
  return { ok: true, turns, warnings };
}

type JsonRead = { ok: true; value: unknown } | { ok: false; offset?: number; problem: string };

/** JSON.parse for the value (native and fast); the scanner only when it fails, to say where. */
function readJson(text: string): JsonRead {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (caught) {
    const scan = scanJson(text, 0);
    if (!scan.ok) return { ok: false, offset: scan.offset, problem: scan.problem };
    // The scanner accepted what JSON.parse rejected; the engine's own words are all there is.
    return { ok: false, problem: caught instanceof Error ? caught.message : String(caught) };
  }
}

/** Maps a message's index to the line it starts on, for messages in a root array or in the root's "messages" array. */
function lineOfEachMessage(text: string, rootIsArray: boolean): Map<number, number> {
  const arrayPath: JsonPathSegment[] = rootIsArray ? [] : ["messages"];
  const scan = scanJson(text, arrayPath.length + 1);
  const lines = new Map<number, number>();
  if (!scan.ok) return lines;
  const locate = offsetLocator(text);
  for (const { path, offset } of scan.valueStarts) {
    if (!arrayPath.every((segment, depth) => path[depth] === segment)) continue;
    const messageIndex = path[arrayPath.length];
    // The array itself; met again when "messages" is repeated, and JSON.parse keeps the last one.
    if (messageIndex === undefined) lines.clear();
    else if (typeof messageIndex === "number" && path.length === arrayPath.length + 1) lines.set(messageIndex, locate(offset).line);
  }
  return lines;
}

type MessageRead = { ok: true; turn?: LocatedTurn } | { ok: false; error: ParseError };

/** Reads one `{role, content}` message; `turn` is absent when the message is skipped (a warning says why). */
function readMessage(message: unknown, place: string, line: number, warnings: string[]): MessageRead {
  if (!isRecord(message)) {
    return failure("invalid_message", `${place}: expected a message object like ${MESSAGE_EXAMPLE}, found ${describeJson(message)}.`, line);
  }
  if (typeof message.role !== "string") {
    return failure("invalid_message", `${place}: the message has no "role" text. Add "role": "user", "assistant" or "system".`, line);
  }
  const role = decideRole(message.role, place, line);
  if (role.kind === "error") return { ok: false, error: role.error };
  if (role.kind === "skip") {
    warnings.push(role.warning);
    return { ok: true };
  }

  const callsTools = "tool_calls" in message || "function_call" in message;
  const { content } = message;
  if (content === undefined || content === null) {
    if (callsTools) {
      warnings.push(`${place}: skipped a tool call that has no text, so there is nothing in it to classify.`);
      return { ok: true };
    }
    return failure("invalid_message", `${place}: the ${role.role} message has no "content". Add its text as "content": "...".`, line);
  }
  if (callsTools) warnings.push(`${place}: its tool calls are left out; only its text is classified.`);

  let contentText: string;
  if (typeof content === "string") {
    contentText = content;
  } else if (Array.isArray(content)) {
    const joined = joinTextParts(content, place, line, warnings);
    if (typeof joined !== "string") return { ok: false, error: joined };
    contentText = joined;
  } else {
    return failure(
      "invalid_message",
      `${place}: "content" must be text or an array of parts like [{"type": "text", "text": "..."}], found ${describeJson(content)}.`,
      line,
    );
  }
  return { ok: true, turn: { role: role.role, content: contentText, line, place } };
}

/**
 * The text of a content-part array. Parts are joined with nothing between them, as the Llama 3 / Llama Guard chat
 * templates render them, so the classifier sees what it would have seen from the original request.
 */
function joinTextParts(parts: unknown[], place: string, line: number, warnings: string[]): string | ParseError {
  const texts: string[] = [];
  const skippedTypes: string[] = [];
  for (const [index, part] of parts.entries()) {
    const partPlace = `${place}, content part ${index + 1}`;
    if (!isRecord(part) || typeof part.type !== "string") {
      return parseError("invalid_message", `${partPlace}: expected a part like {"type": "text", "text": "..."}, found ${describeJson(part)}.`, line);
    }
    if (!TEXT_PART_TYPES.has(part.type)) {
      skippedTypes.push(part.type);
    } else if (typeof part.text === "string") {
      texts.push(part.text);
    } else {
      return parseError("invalid_message", `${partPlace}: the "${part.type}" part has no "text" string. Add "text": "...".`, line);
    }
  }
  if (skippedTypes.length > 0) {
    const types = [...new Set(skippedTypes)].map((type) => `"${type}"`).join(", ");
    warnings.push(`${place}: skipped ${skippedTypes.length} non-text content part(s) (${types}); only text is classified.`);
  }
  return texts.join("");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Names a JSON value's kind for an error message: "an array", "the number 3". */
function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the text ${JSON.stringify(shorten(value))}`;
  return `the ${typeof value} ${String(value)}`;
}
