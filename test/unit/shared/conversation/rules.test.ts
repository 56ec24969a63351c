import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  parseConversation,
  prepareForClassification,
  type CheckMode,
  type Conversation,
  type PrepareResult,
  type Turn,
} from "../../../../shared/conversation/index.ts";

const user = (content: string): Turn => ({ role: "user", content });
const assistant = (content: string): Turn => ({ role: "assistant", content });
const system = (content: string): Turn => ({ role: "system", content });
const chat = (...turns: Turn[]): Conversation => ({ turns });

function expectPrepared(result: PrepareResult, target: "prompt" | "response", turns: Turn[]): string[] {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  expect(result.target).toBe(target);
  expect(result.turns).toEqual(turns);
  return result.warnings;
}

function expectFailure(result: PrepareResult, code: string, turnIndex?: number): string {
  if (result.ok) throw new Error(`expected ${code}, got ok`);
  expect(result.error.code).toBe(code);
  expect(result.error.turnIndex).toBe(turnIndex);
  return result.error.message;
}

describe("check: last (the default)", () => {
  it("classifies a last user turn as a prompt", () => {
    const turns = [user("a"), assistant("b"), user("c")];
    expectPrepared(prepareForClassification(chat(...turns)), "prompt", turns);
  });

  it("classifies a last assistant turn as a response", () => {
    const turns = [user("a"), assistant("b")];
    expectPrepared(prepareForClassification(chat(...turns), "last"), "response", turns);
  });

  it("copies the turns rather than handing out the caller's objects", () => {
    const conversation = chat(user("a"));
    const result = prepareForClassification(conversation);
    expect(result.ok && result.turns[0]).not.toBe(conversation.turns[0]);
  });
});

describe("check: prompt / response", () => {
  const conversation = chat(user("u1"), assistant("a1"), user("u2"), assistant("a2"));

  it("prompt cuts the conversation after the last user turn", () => {
    expectPrepared(prepareForClassification(conversation, "prompt"), "prompt", [user("u1"), assistant("a1"), user("u2")]);
  });

  it("response cuts the conversation after the last assistant turn", () => {
    const endsOnUser = chat(user("u1"), assistant("a1"), user("u2"));
    expectPrepared(prepareForClassification(endsOnUser, "response"), "response", [user("u1"), assistant("a1")]);
    expectPrepared(prepareForClassification(conversation, "response"), "response", conversation.turns);
  });

  it("response without an assistant turn says there is none to check", () => {
    const message = expectFailure(prepareForClassification(chat(user("u1")), "response"), "no_turn_to_check");
    expect(message).toMatch(/^There is no assistant turn to check\./);
  });

  it("prompt without a user turn says there is none to check", () => {
    const message = expectFailure(prepareForClassification(chat(system("s"), assistant("a")), "prompt"), "no_turn_to_check");
    expect(message).toMatch(/^There is no user turn to check\./);
  });

  it("ignores role problems in the turns that the check cuts off", () => {
    const trailingMess = chat(user("u1"), assistant("a1"), assistant("a2"), assistant("a3"));
    expectPrepared(prepareForClassification(trailingMess, "prompt"), "prompt", [user("u1")]);
  });
});

describe("system turns", () => {
  it("are dropped with a warning naming them and saying why", () => {
    const result = prepareForClassification(chat(system("Be nice."), user("hi"), assistant("hello")));
    const warnings = expectPrepared(result, "response", [user("hi"), assistant("hello")]);
    expect(warnings).toEqual([
      "Left out system turn 1: Llama Guard's prompt has no system role, so system text is not classified.",
    ]);
  });

  it("are listed together when there are several", () => {
    const result = prepareForClassification(chat(system("a"), user("hi"), system("b"), assistant("x"), system("c")));
    const warnings = expectPrepared(result, "response", [user("hi"), assistant("x")]);
    expect(warnings[0]).toMatch(/^Left out system turns 1, 3 and 5:/);
  });

  it("leave an error when nothing else is there", () => {
    const message = expectFailure(prepareForClassification(chat(system("a"))), "no_turn_to_check");
    expect(message).toContain("only system turns");
  });
});

describe("role order", () => {
  it("must start with a user turn", () => {
    const message = expectFailure(prepareForClassification(chat(assistant("a"), user("b"))), "must_start_with_user", 0);
    expect(message).toBe(
      "Turn 1 is an assistant turn, but Llama Guard conversations must start with a user turn. Add the user turn that came before it, or switch its role to user.",
    );
  });

  it("numbers turns as given, system turns included", () => {
    expectFailure(prepareForClassification(chat(system("s"), assistant("a"))), "must_start_with_user", 1);
  });

  it("must alternate: two user turns in a row name both turns and what to do", () => {
    const message = expectFailure(prepareForClassification(chat(user("a"), user("b"), assistant("c"))), "roles_not_alternating", 1);
    expect(message).toBe(
      "Turns 1 and 2 are both user turns, but Llama Guard needs the roles to alternate user/assistant/user/assistant/... Merge them into one turn, or switch one of them to assistant.",
    );
  });

  it("must alternate: two assistant turns with a system turn between them", () => {
    const conversation = chat(user("a"), assistant("b"), system("s"), assistant("c"));
    const message = expectFailure(prepareForClassification(conversation), "roles_not_alternating", 3);
    expect(message).toMatch(/^Turns 2 and 4 are both assistant turns \(the system turn between them is left out\), .* switch one of them to user\.$/);
  });

  it("accepts a long alternating conversation", () => {
    const turns = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? user(`u${i}`) : assistant(`a${i}`)));
    expectPrepared(prepareForClassification(chat(...turns)), "response", turns);
  });
});

describe("degenerate conversations", () => {
  it("rejects an empty conversation", () => {
    expect(expectFailure(prepareForClassification(chat()), "empty_conversation")).toBe(
      "The conversation has no turns. Add at least one user turn.",
    );
  });

  it("keeps an empty turn, as the official templates render it, and warns about it by number", () => {
    const result = prepareForClassification(chat(user("a"), assistant("  \n")));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.turns.map((t) => t.content)).toEqual(["a", "  \n"]);
    expect(result.target).toBe("response");
    expect(result.warnings).toEqual(["Turn 2 (assistant) has no text; the classifier will see an empty message."]);
  });
});

describe("sample chats", () => {
  const records = readFileSync("test/fixtures/sample-chats/sample-chats.jsonl", "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { id: string; messages: Turn[]; meta: { label_applies_to: string } });

  it.each(records.map((record) => [record.id, record] as const))("%s: the labelled turn is the one classified", (_id, record) => {
    const parsed = parseConversation(JSON.stringify(record.messages));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const last = prepareForClassification(parsed.conversation);
    expect(last.ok && last.target).toBe(record.meta.label_applies_to === "user_turn" ? "prompt" : "response");
    for (const check of ["prompt", "response"] as CheckMode[]) {
      const result = prepareForClassification(parsed.conversation, check);
      const wanted = check === "prompt" ? "user" : "assistant";
      expect(result.ok && result.turns.at(-1)?.role).toBe(wanted);
    }
  });
});
