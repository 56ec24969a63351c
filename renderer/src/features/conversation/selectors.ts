import { prepareForClassification, type ChatFormat, type CheckMode, type Role } from "../../../../shared/conversation/index.ts";
import type { TurnNote } from "../../components/TurnEditor.tsx";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import { withoutIds } from "./turns.ts";

const FORMAT_LABELS: Record<ChatFormat, string> = {
  transcript: "transcript",
  "openai-json": "OpenAI messages JSON",
  jsonl: "JSON lines",
  chatml: "ChatML",
  llama3: "Llama 3 chat tokens",
  plain: "plain text",
};

const turns = (s: AppState) => s.conversation.turns;

const CHECKED_ROLE: Record<CheckMode, Role | undefined> = { last: undefined, prompt: "user", response: "assistant" };

/** What Llama Guard will do with each turn: the checked one, system turns left out, turns after the checked one cut. */
export function turnNotes(roles: readonly Role[], check: CheckMode): Array<TurnNote | undefined> {
  const wanted = CHECKED_ROLE[check];
  const checkedIndex = roles.findLastIndex((role) => role !== "system" && (wanted === undefined || role === wanted));
  return roles.map((role, index) => {
    if (role === "system") return { kind: "skipped", text: "Left out: Llama Guard has no system role" };
    if (index === checkedIndex) return { kind: "checked", text: wanted === "assistant" || (!wanted && role === "assistant") ? "Checked (response)" : "Checked (prompt)" };
    if (checkedIndex !== -1 && index > checkedIndex) return { kind: "cut", text: "After the checked turn: not sent" };
    return undefined;
  });
}
const check = (s: AppState) => s.conversation.check;

/** The turns as the contract sends them (no renderer ids), recomputed only when they change. */
const plainTurns = memoSelector([turns], withoutIds);

export const conversationSelectors = {
  pasteText: (s: AppState) => s.conversation.pasteText,
  paste: (s: AppState) => s.conversation.paste,
  turns,
  turnCount: (s: AppState) => s.conversation.turns.length,
  check,
  editedSincePaste: (s: AppState) => s.conversation.editedSincePaste,
  sampleId: (s: AppState) => s.conversation.sampleId,
  plainTurns,
  /** "Detected: transcript, 3 turns", "Plain text → 1 user turn", or undefined when nothing was read */
  detectedSummary(s: AppState): string | undefined {
    const paste = s.conversation.paste;
    if (paste.state !== "parsed") return undefined;
    if (paste.format === "plain") return s.conversation.plainTextRole === "user" ? "Plain text → 1 user turn" : "Plain text → 1 assistant turn, after an empty user turn";
    return `Detected: ${FORMAT_LABELS[paste.format]}, ${paste.turnCount} ${paste.turnCount === 1 ? "turn" : "turns"}`;
  },
  /** the paste box holds text without speaker labels, read as one turn */
  isPlainText: (s: AppState) => s.conversation.paste.state === "parsed" && s.conversation.paste.format === "plain",
  plainTextRole: (s: AppState) => s.conversation.plainTextRole,
  fileError: (s: AppState) => s.conversation.fileError,
  /** the pasted text does not parse (its turns are then the last ones that did) */
  hasPasteError: (s: AppState) => s.conversation.paste.state === "error",
  turnNotes: memoSelector([turns, check], (list, mode) => turnNotes(list.map((turn) => turn.role), mode)),
  /** Llama Guard's view of the conversation: system turns dropped, cut after the checked turn, roles checked. */
  prepared: memoSelector([plainTurns, check], (plain, mode) => prepareForClassification({ turns: plain }, mode)),
};
