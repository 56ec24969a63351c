/**
 * The conversation being classified: the paste box's text (never cleared by a failed parse), what was detected in it,
 * the editable turns, and which turn is checked.
 */
import { parseConversation, type ChatFormat, type CheckMode, type ParseError, type Role, type Turn } from "../../../../shared/conversation/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { SAMPLE_CHATS } from "./samples.ts";
import { toPasteText } from "./pasteText.ts";
import { editTurns, withIds, type EditableTurn, type TurnEdit } from "./turns.ts";

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
}

export interface ConversationSlice {
  conversation: ConversationState;
  /** Keeps `text` whatever happens; replaces the turns only when it parses. */
  setPasteText(text: string): void;
  loadSample(id: string): void;
  /** Shows a conversation from elsewhere (a history entry) in the paste box and the turn list. */
  showConversation(turns: readonly Turn[]): void;
  editTurn(edit: TurnEdit): void;
  setCheck(check: CheckMode): void;
  clearConversation(): void;
}

export const initialConversationState: ConversationState = { pasteText: "", paste: { state: "empty" }, turns: [], editedSincePaste: false, check: "last" };

export const CHECK_MODES: ReadonlyArray<{ mode: CheckMode; label: string; description: string }> = [
  { mode: "last", label: "Last turn", description: "" },
  { mode: "prompt", label: "Last user turn", description: "prompt" },
  { mode: "response", label: "Last assistant turn", description: "response" },
];

export const ROLES: readonly Role[] = ["user", "assistant", "system"];

export const createConversationSlice: SliceCreator<ConversationSlice> = (set, get) => {
  const patch = (changes: Partial<ConversationState>) => patchSlice(set, "conversation", changes);

  function readPaste(text: string, sampleId?: string): void {
    if (text.trim() === "") {
      patch({ pasteText: text, paste: { state: "empty" }, sampleId });
      return;
    }
    const parsed = parseConversation(text);
    if (!parsed.ok) {
      // The turns stay as they were: the user's last good conversation is not thrown away by a typo.
      patch({ pasteText: text, paste: { state: "error", error: parsed.error }, sampleId });
      return;
    }
    const turns = parsed.conversation.turns;
    patch({
      pasteText: text,
      paste: { state: "parsed", format: parsed.format, turnCount: turns.length, warnings: parsed.warnings },
      turns: withIds(turns),
      editedSincePaste: false,
      sampleId,
    });
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
    clearConversation: () => patch({ ...initialConversationState, check: get().conversation.check }),
  };
};
