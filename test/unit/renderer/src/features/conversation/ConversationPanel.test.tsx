// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ConversationPanel } from "../../../../../../renderer/src/features/conversation/ConversationPanel.tsx";
import { createTestStore } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

describe("ConversationPanel", () => {
  it("says what it detected and lists the turns", () => {
    renderWithStore(createTestStore().store, <ConversationPanel />);
    fireEvent.change(screen.getByLabelText("Paste a conversation"), { target: { value: "User: hi\n\nAssistant: hello" } });
    expect(screen.getByRole("status").textContent).toBe("Detected: transcript, 2 turns");
    expect((screen.getByLabelText("Text of turn 2") as HTMLTextAreaElement).value).toBe("hello");
  });

  it("keeps the text of a paste that does not parse and points at the line", () => {
    renderWithStore(createTestStore().store, <ConversationPanel />);
    const box = screen.getByLabelText("Paste a conversation") as HTMLTextAreaElement;
    const text = "Some notes first\nUser: hi";
    fireEvent.change(box, { target: { value: text } });
    expect(screen.getByRole("alert").textContent).toContain("line 1");
    expect(box.value).toBe(text);
    expect(box.getAttribute("aria-invalid")).toBe("true");
  });

  it("edits turns without the mouse: role, order, removal", () => {
    const { store } = createTestStore();
    renderWithStore(store, <ConversationPanel />);
    fireEvent.change(screen.getByLabelText("Paste a conversation"), { target: { value: "User: one\n\nAssistant: two" } });
    fireEvent.keyDown(screen.getByLabelText("Text of turn 2"), { key: "ArrowUp", altKey: true });
    expect((screen.getByLabelText("Text of turn 1") as HTMLTextAreaElement).value).toBe("two");
    fireEvent.change(screen.getByLabelText("Role of turn 1"), { target: { value: "user" } });
    fireEvent.click(screen.getByRole("button", { name: "Remove turn 2" }));
    expect(store.getState().conversation.turns.map((turn) => [turn.role, turn.content])).toEqual([["user", "two"]]);
  });

  it("switches what is checked", () => {
    const { store } = createTestStore();
    renderWithStore(store, <ConversationPanel />);
    fireEvent.click(screen.getByRole("radio", { name: /Last assistant turn/ }));
    expect(store.getState().conversation.check).toBe("response");
  });

  it("reads a file dropped on the paste box as the pasted conversation (issue #14)", async () => {
    const { store } = createTestStore();
    renderWithStore(store, <ConversationPanel />);
    const box = screen.getByLabelText("Paste a conversation") as HTMLTextAreaElement;
    const file = new File(["User: hi\n\nAssistant: hello"], "chat.txt", { type: "text/plain" });
    const dataTransfer = { types: ["Files"], files: [file], dropEffect: "none" };
    fireEvent.dragOver(box, { dataTransfer });
    expect(box.className).toContain("drop-target-over");
    fireEvent.drop(box, { dataTransfer });
    await waitFor(() => expect(box.value).toBe("User: hi\n\nAssistant: hello"));
    expect(screen.getByRole("status").textContent).toBe("Detected: transcript, 2 turns");
    expect(box.className).not.toContain("drop-target-over");
  });
});
