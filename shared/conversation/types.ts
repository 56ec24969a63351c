import { z } from "zod";

/** Llama Guard has no system role; parsers keep system turns so the UI can show them, and the role rules decide what reaches a prompt. */
export const ROLES = ["user", "assistant", "system"] as const;
export type Role = (typeof ROLES)[number];

/**
 * A turn of a chat as the classifiers see it. This schema reads turns back from storage; requests from the page add
 * their size limits to it (shared/ipc/channels/fields.ts).
 */
export const turnSchema = z.object({
  role: z.enum(ROLES, { error: "role must be user, assistant or system" }),
  content: z.string({ error: "content must be a string" }),
});

export type Turn = z.output<typeof turnSchema>;

export interface Conversation {
  turns: Turn[];
}

/** The text formats a pasted chat can come in (see parse.ts for each one's syntax). */
export const CHAT_FORMATS = ["transcript", "openai-json", "chatml", "llama3", "jsonl", "plain"] as const;
export type ChatFormat = (typeof CHAT_FORMATS)[number];

export type ParseErrorCode =
  /** Nothing but whitespace was pasted. */
  | "empty_input"
  /** `options.format` is not one of CHAT_FORMATS (a caller bug, or untrusted input over IPC). */
  | "unknown_format"
  /** Transcript text outside any turn, or text between ChatML / Llama 3 blocks. */
  | "stray_text"
  | "invalid_json"
  /** Valid JSON of the wrong shape: not an array of messages, a message without a role, content of the wrong type... */
  | "invalid_message"
  | "unknown_role"
  /** A ChatML / Llama 3 block whose closing token is missing. */
  | "unterminated_block"
  /** The text parsed, but every message in it was skipped (tool messages only, for example). */
  | "no_turns"
  /** The text is not UTF-8 as read (UTF-16 read byte by byte). */
  | "wrong_encoding"
  /** A bug in the parser; reported instead of thrown so that a paste box can never crash the UI. */
  | "internal_error";

export interface ParseError {
  code: ParseErrorCode;
  /** One or two sentences for the user: what is wrong, where, and what to do. */
  message: string;
  /** 1-based line of the pasted text the error is about, when it is about one. */
  line?: number;
}

export type ParseResult =
  | { ok: true; format: ChatFormat; conversation: Conversation; warnings: string[] }
  | { ok: false; error: ParseError };

/** Llama Guard prompts know only these two roles. */
export type GuardRole = Exclude<Role, "system">;

export interface GuardTurn extends Turn {
  role: GuardRole;
}

/**
 * Which turn to classify: `"last"` whichever turn ends the conversation, `"prompt"` the last user turn,
 * `"response"` the last assistant turn (later turns are cut off, as the classifier must see the checked turn last).
 */
export const CHECK_MODES = ["last", "prompt", "response"] as const;
export type CheckMode = (typeof CHECK_MODES)[number];

/** Llama Guard's two tasks: classify a user prompt, or an agent (assistant) response. */
export const CLASSIFICATION_TARGETS = ["prompt", "response"] as const;
export type ClassificationTarget = (typeof CLASSIFICATION_TARGETS)[number];

export type PrepareErrorCode =
  | "empty_conversation"
  /** The turns left after dropping system turns do not start with a user turn. */
  | "must_start_with_user"
  /** Two neighbouring turns (after dropping system turns) have the same role. */
  | "roles_not_alternating"
  /** The check asks for a user / assistant turn that the conversation does not have. */
  | "no_turn_to_check";

export interface PrepareError {
  code: PrepareErrorCode;
  message: string;
  /** 0-based index, in the conversation as given (system turns included), of the turn the error is about. */
  turnIndex?: number;
}

export type PrepareResult =
  | { ok: true; turns: GuardTurn[]; target: ClassificationTarget; warnings: string[] }
  | { ok: false; error: PrepareError };
