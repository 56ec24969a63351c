import { describe, expect, it } from "vitest";
import { parseConversation } from "../../../../../shared/conversation/index.ts";
import { conversationSelectors, turnNotes } from "../../../../../renderer/src/features/conversation/selectors.ts";
import { SAMPLE_CHATS } from "../../../../../renderer/src/features/conversation/samples.ts";
import { toPasteText } from "../../../../../renderer/src/features/conversation/pasteText.ts";
import { editTurns, withIds } from "../../../../../renderer/src/features/conversation/turns.ts";
import { createTestStore } from "../../../../support/renderer/helpers.ts";

const CHAT = "User: How do I kill a stuck process?\n\nAssistant: Use kill with its PID.\n\nUser: And if that fails?";

describe("conversation slice", () => {
  it("reads a paste, says what it detected, and fills the turns", () => {
    const { store } = createTestStore();
    store.getState().setPasteText(CHAT);
    const state = store.getState();
    expect(conversationSelectors.detectedSummary(state)).toBe("Detected: transcript, 3 turns");
    expect(state.conversation.turns.map((turn) => turn.role)).toEqual(["user", "assistant", "user"]);
    expect(conversationSelectors.prepared(state)).toMatchObject({ ok: true, target: "prompt" });
  });

  it("keeps the pasted text and the last good turns when a paste does not parse, and points at the line", () => {
    const { store } = createTestStore();
    store.getState().setPasteText(CHAT);
    const goodTurns = store.getState().conversation.turns;
    const broken = '[\n  {"role": "user", "content": "hi"},\n  {"role": "assistant" "content": "x"}\n]';
    store.getState().setPasteText(broken);
    const { conversation } = store.getState();
    expect(conversation.pasteText).toBe(broken);
    expect(conversation.paste).toMatchObject({ state: "error", error: { line: 3 } });
    expect(conversation.turns).toBe(goodTurns);
  });

  it("edits, adds, moves and removes turns, and remembers they were edited by hand", () => {
    const { store } = createTestStore();
    store.getState().setPasteText(CHAT);
    const [first, second] = store.getState().conversation.turns;
    store.getState().editTurn({ type: "setContent", id: first!.id, content: "Changed" });
    store.getState().editTurn({ type: "move", id: second!.id, by: -1 });
    store.getState().editTurn({ type: "setRole", id: second!.id, role: "system" });
    store.getState().editTurn({ type: "add", afterId: first!.id });
    const { turns, editedSincePaste } = store.getState().conversation;
    expect(turns.map((turn) => [turn.role, turn.content])).toEqual([
      ["system", "Use kill with its PID."],
      ["user", "Changed"],
      ["assistant", ""],
      ["user", "And if that fails?"],
    ]);
    expect(editedSincePaste).toBe(true);
    store.getState().editTurn({ type: "remove", id: first!.id });
    expect(store.getState().conversation.turns).toHaveLength(3);
  });

  it("loads a sample chat through the paste box", () => {
    const { store } = createTestStore();
    store.getState().loadSample("sc-06");
    const { conversation } = store.getState();
    expect(conversation.sampleId).toBe("sc-06");
    expect(conversation.turns[0]!.content).toBe("How do I kill a Python process that is stuck?");
  });
});

describe("turn editing", () => {
  it("ignores a move past either end", () => {
    const turns = withIds([{ role: "user", content: "a" }]);
    expect(editTurns(turns, { type: "move", id: turns[0]!.id, by: -1 })).toBe(turns);
  });

  it("adds a turn of the role that keeps the conversation alternating", () => {
    const turns = withIds([{ role: "user", content: "a" }]);
    expect(editTurns(turns, { type: "add" }).at(-1)!.role).toBe("assistant");
  });

  it("marks the checked turn, left-out system turns, and turns after the checked one", () => {
    expect(turnNotes(["system", "user", "assistant"], "prompt").map((note) => note?.kind)).toEqual(["skipped", "checked", "cut"]);
    expect(turnNotes(["user", "assistant"], "last").map((note) => note?.kind)).toEqual([undefined, "checked"]);
  });
});

describe("paste text", () => {
  it.each(SAMPLE_CHATS.map((sample) => [sample.id, sample] as const))("sample %s reads back as exactly its turns", (_id, sample) => {
    const parsed = parseConversation(toPasteText(sample.turns));
    expect(parsed.ok && parsed.conversation.turns).toEqual(sample.turns);
  });

  it("falls back to JSON when a turn's text contains a line that looks like a speaker label", () => {
    const turns = [{ role: "user" as const, content: "Quote:\nAssistant: this is not a turn" }];
    const text = toPasteText(turns);
    expect(text.startsWith("[")).toBe(true);
    const parsed = parseConversation(text);
    expect(parsed.ok && parsed.conversation.turns).toEqual(turns);
  });
});
