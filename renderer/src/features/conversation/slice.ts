/**
 * The conversation being classified: the paste box's text (never cleared by a failed parse), what was detected in it,
 * the editable turns, and which turn is checked.
 */
import { parseConversation, type ChatFormat, type CheckMode, type ParseError, type Role, type Turn } from "../../../../shared/conversation/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { SAMPLE_CHATS } from "./samples.ts";
import { toPasteText } from "./pasteText.ts";
import { editTurns, withIds, withoutIds, type EditableTurn, type TurnEdit } from "./turns.ts";

export type PasteStatus =
  | { state: "empty" }
  | { state: "parsed"; format: ChatFormat; turnCount: number; warnings: string[] }
  | { state: "error"; error: ParseError };

export interface ConversationState {
  pasteText: string;
  paste: PasteStatus;
  turns: readonly EditableTurn[];
  /** the turns were edited by hand since the paste box last filled them */
  editedSincePaste: boolean;
  check: CheckMode;
  /** the sample the paste box was filled from, until the text is changed */
  sampleId?: string;
  /** whose words text without speaker labels is: a user prompt (default) or an assistant response */
  plainTextRole: PlainTextRole;
  /** why a file dropped or opened into the paste box could not be read */
  fileError?: string;
}

export type PlainTextRole = "user" | "assistant";

/** What survives a reload (see store/persistence.ts): the text, the turns as edited, what is checked. */
export interface SavedConversation {
  pasteText: string;
  turns: Turn[];
  editedSincePaste: boolean;
  check: CheckMode;
  plainTextRole: PlainTextRole;
  sampleId?: string;
}

/** Larger than any chat worth pasting; a bigger file is a dataset, which the Datasets screen imports. */
export const MAX_PASTE_FILE_BYTES = 5 * 1024 * 1024;

export interface ConversationSlice {
  conversation: ConversationState;
  /** Keeps `text` whatever happens; replaces the turns only when it parses. */
  setPasteText(text: string): void;
  loadSample(id: string): void;
  /** Shows a conversation from elsewhere (a history entry) in the paste box and the turn list. */
  showConversation(turns: readonly Turn[]): void;
  editTurn(edit: TurnEdit): void;
  setCheck(check: CheckMode): void;
  /** reads plain text as the user's prompt or the assistant's response */
  setPlainTextRole(role: PlainTextRole): void;
  /** a file dropped on the paste box or opened from it: its text goes into the box */
  readConversationFile(file: Blob & { name: string }): Promise<void>;
  clearConversation(): void;
}

export const initialConversationState: ConversationState = { pasteText: "", paste: { state: "empty" }, turns: [], editedSincePaste: false, check: "last", plainTextRole: "user" };

/** The paste status of `text` as read now; the turns it gives, when it parses. */
export function readPastedText(text: string, plainTextRole: PlainTextRole): { paste: PasteStatus; turns?: Turn[] } {
  if (text.trim() === "") return { paste: { state: "empty" } };
  const parsed = parseConversation(text, { plainTextRole });
  if (!parsed.ok) return { paste: { state: "error", error: parsed.error } };
  const turns = parsed.conversation.turns;
  return { paste: { state: "parsed", format: parsed.format, turnCount: turns.length, warnings: parsed.warnings }, turns };
}

/** A saved conversation back as state: the text read again for its status, the turns as they were saved (edits kept). */
export function restoreConversation(saved: SavedConversation): ConversationState {
  const { paste } = readPastedText(saved.pasteText, saved.plainTextRole);
  return {
    pasteText: saved.pasteText,
    paste,
    turns: withIds(saved.turns),
    editedSincePaste: saved.editedSincePaste,
    check: saved.check,
    plainTextRole: saved.plainTextRole,
    ...(saved.sampleId ? { sampleId: saved.sampleId } : {}),
  };
}

export function saveConversation(state: ConversationState): SavedConversation {
  return {
    pasteText: state.pasteText,
    turns: withoutIds(state.turns),
    editedSincePaste: state.editedSincePaste,
    check: state.check,
    plainTextRole: state.plainTextRole,
    ...(state.sampleId ? { sampleId: state.sampleId } : {}),
  };
}

export const CHECK_MODES: ReadonlyArray<{ mode: CheckMode; label: string; description: string }> = [
  { mode: "last", label: "Last turn", description: "" },
  { mode: "prompt", label: "Last user turn", description: "prompt" },
  { mode: "response", label: "Last assistant turn", description: "response" },
];

export const ROLES: readonly Role[] = ["user", "assistant", "system"];

export const createConversationSlice: SliceCreator<ConversationSlice> = (set, get) => {
  const patch = (changes: Partial<ConversationState>) => patchSlice(set, "conversation", changes);

  function readPaste(text: string, sampleId?: string): void {
    const { paste, turns } = readPastedText(text, get().conversation.plainTextRole);
    // Without turns (empty, or an error) the turns stay as they were: a typo does not throw the last good conversation away.
    patch({ pasteText: text, paste, sampleId, fileError: undefined, ...(turns ? { turns: withIds(turns), editedSincePaste: false } : {}) });
  }

  return {
    conversation: initialConversationState,
    setPasteText: (text) => readPaste(text),
    loadSample(id) {
      const sample = SAMPLE_CHATS.find((candidate) => candidate.id === id);
      if (sample) readPaste(toPasteText(sample.turns), sample.id);
    },
    showConversation: (turns) => readPaste(toPasteText(turns)),
    editTurn(edit) {
      const turns = editTurns(get().conversation.turns, edit);
      if (turns !== get().conversation.turns) patch({ turns, editedSincePaste: true });
    },
    setCheck: (check) => patch({ check }),
    setPlainTextRole(plainTextRole) {
      patch({ plainTextRole });
      const { pasteText, sampleId } = get().conversation;
      readPaste(pasteText, sampleId);
    },
    async readConversationFile(file) {
      if (file.size > MAX_PASTE_FILE_BYTES) {
        patch({ fileError: `${file.name} is ${Math.ceil(file.size / 1024 / 1024)} MB: the paste box takes one conversation of up to 5 MB. Import a file of many conversations on the Datasets screen.` });
        return;
      }
      try {
        readPaste(await file.text());
      } catch (caught) {
        patch({ fileError: `Could not read ${file.name}: ${caught instanceof Error ? caught.message : String(caught)}` });
      }
    },
    clearConversation: () => patch({ ...initialConversationState, check: get().conversation.check, plainTextRole: get().conversation.plainTextRole }),
  };
};
