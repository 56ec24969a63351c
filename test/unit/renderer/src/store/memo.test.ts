import { describe, expect, it } from "vitest";
import { memoSelector } from "../../../../../renderer/src/store/memo.ts";
import type { AppState } from "../../../../../renderer/src/store/index.ts";
import { createTestStore } from "../../../../support/renderer/helpers.ts";

describe("memoSelector", () => {
  it("recomputes only when an input changes by reference, so subscribers see a stable value", () => {
    const { store } = createTestStore();
    let computed = 0;
    const turnTexts = memoSelector([(s: AppState) => s.conversation.turns], (turns) => {
      computed += 1;
      return turns.map((turn) => turn.content);
    });
    const first = turnTexts(store.getState());
    store.getState().navigate("policy");
    expect(turnTexts(store.getState())).toBe(first);
    expect(computed).toBe(1);
    store.getState().setPasteText("User: hi");
    expect(turnTexts(store.getState())).toEqual(["hi"]);
    expect(computed).toBe(2);
  });
});
