// Pasted chat text → Conversation. Each format has its own reader (transcript.ts, json-formats.ts,
// token-formats.ts); this file picks the reader and applies the checks common to all of them.
//
// Formats:
//   transcript   "User: …" / "Assistant: …" lines; labels also Human, AI, Agent, Bot, Model, System, Developer, any
//                case, optionally in Markdown bold; a turn runs until the next label line.
//   openai-json  [{"role": "user", "content": "…"}, …] or {"messages": [...]}; content is text or an array of
//                content parts, whose text parts are kept and other parts skipped with a warning.
//   jsonl        one {"role", "content"} object per line.
//   chatml       <|im_start|>role\ncontent<|im_end|> blocks.
//   llama3       <|begin_of_text|><|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|> blocks.
//   plain        text with no speaker label on any line: one user turn, as hosted moderation APIs take a bare
//                message (`plainTextRole: "assistant"` makes it a response after an empty user turn instead).
//
// Rules that hold for every format:
//   - Role names are read through one table (roles.ts): "human" is user, "ai" / "bot" / "model" are assistant,
//     "developer" is system. Tool messages ("tool", "function", "ipython") are skipped with a warning, not rejected:
//     a pasted agent trace should still yield its user and assistant turns, and Llama Guard has no slot for tools.
//   - A trailing empty assistant turn (a template's generation prompt) is dropped; any other empty turn is kept, as
//     the official templates render it (the role rules warn about it).
//   - Errors name the line (1-based) and say what to do. Nothing throws.
import { isRecord, parseJsonLines, parseOpenAiJson } from "./json-formats.ts";
import { failure, finishTurns, splitLines, type FormatParse } from "./parse-support.ts";
import { CHATML, LLAMA3, parseTokenBlocks } from "./token-formats.ts";
import { parsePlainText, parseTranscript, readLabelLine } from "./transcript.ts";
import { CHAT_FORMATS, type ChatFormat, type ParseResult } from "./types.ts";

export interface ParseOptions {
  /** Skip detection and read the text as this format. */
  format?: ChatFormat;
  /**
   * Whose words plain text is: the user's (default, a prompt to check) or the assistant's (a response to check, after
   * an empty user turn: Llama Guard conversations start with the user).
   */
  plainTextRole?: "user" | "assistant";
}

const READERS: Record<ChatFormat, (text: string, options: ParseOptions) => FormatParse> = {
  transcript: parseTranscript,
  "openai-json": parseOpenAiJson,
  jsonl: parseJsonLines,
  chatml: (text) => parseTokenBlocks(text, CHATML),
  llama3: (text) => parseTokenBlocks(text, LLAMA3),
  plain: (text, options) => parsePlainText(text, options.plainTextRole ?? "user"),
};

/** Parses a pasted conversation, detecting its format unless `options.format` names one. Never throws. */
export function parseConversation(text: string, options?: ParseOptions): ParseResult {
  try {
    if (typeof text !== "string" || text.trim() === "") {
      return failure(
        "empty_input",
        'Nothing to read: paste a conversation, for example lines starting with "User:" and "Assistant:", or a JSON array of {"role", "content"} messages.',
      );
    }
    const utf16 = utf16Problem(text);
    if (utf16) return failure("wrong_encoding", utf16);
    const format = options?.format ?? detectFormat(text);
    if (!(CHAT_FORMATS as readonly string[]).includes(format)) {
      return failure("unknown_format", `Unknown format "${String(format)}". Choose one of: ${CHAT_FORMATS.join(", ")}.`);
    }
    const parsed = READERS[format](text, options ?? {});
    return parsed.ok ? finishTurns(format, parsed.turns, parsed.warnings) : parsed;
  } catch (caught) {
    // Only a bug gets here; the paste box must still get an answer rather than an exception.
    const detail = caught instanceof Error ? caught.message : String(caught);
    return failure("internal_error", `The conversation could not be read because of an internal error (${detail}). Please report it.`);
  }
}

/**
 * Guesses the format from how the text starts. A paste that starts like none of them is read as a transcript,
 * whose error ("line 1 comes before any speaker label") is the most useful thing to tell the user.
 */
function detectFormat(text: string): ChatFormat {
  const start = text.trimStart();
  if (start.startsWith(CHATML.open)) return "chatml";
  if (LLAMA3.ignorable.some((token) => start.startsWith(token)) || start.startsWith(LLAMA3.open)) return "llama3";
  // "[" then "{", '"', "]" or nothing: a JSON array, but not Markdown ("[link](…)") or Llama 2's "[INST]".
  if (/^\[\s*(?:[{"\]]|$)/.test(start)) return "openai-json";
  if (start.startsWith("{")) return detectJsonObjectFormat(start);
  // Any other whole JSON value (`[1, 2]`, `null`, `"text"`, `42`): its reader says what it found instead of messages.
  if (/^[[\-"\d]|^(?:null|true|false)\s*$/.test(start) && isJson(start)) return "openai-json";
  if (readLabelLine(firstLine(start))) return "transcript";
  // Special tokens after some stray text: their reader says which line is in the way.
  if (text.includes(LLAMA3.open)) return "llama3";
  if (text.includes(CHATML.open)) return "chatml";
  // Labels further down make text before them stray, which the transcript reader reports; no label at all is a bare message.
  return splitLines(text).some((line) => readLabelLine(line)) ? "transcript" : "plain";
}

/** Text starting with "{" is one object per line (jsonl), or one object for the whole paste ({"messages": [...]}). */
function detectJsonObjectFormat(text: string): ChatFormat {
  try {
    const whole: unknown = JSON.parse(text);
    if (isRecord(whole) && "messages" in whole) return "openai-json";
    // A single valid object: one JSONL message if it is on one line, else a pretty-printed object meant as a whole.
    return text.trim().includes("\n") ? "openai-json" : "jsonl";
  } catch {
    // Several objects do not parse as one; so does a broken one. A complete object on the first line says JSONL.
    return firstLine(text).trim().endsWith("}") ? "jsonl" : "openai-json";
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * UTF-16 text read as if it were UTF-8 comes out with a NUL beside every ASCII letter ("U\0s\0e\0r\0"). No real
 * conversation has that many NULs, so say what it is rather than that line 1 has no speaker label.
 */
function utf16Problem(text: string): string | undefined {
  const sample = text.slice(0, 512);
  let nuls = 0;
  for (let i = 0; i < sample.length; i++) if (sample.charCodeAt(i) === 0) nuls++;
  if (sample.length < 4 || nuls * 4 < sample.length) return undefined;
  return "This text looks like UTF-16 (there is a zero byte beside every letter), not UTF-8. Save it as UTF-8 (in an editor: Save with Encoding → UTF-8) and load it again.";
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? "";
}
