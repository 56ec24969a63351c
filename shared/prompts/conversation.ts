import type { Turn } from "../conversation/types.ts";
import { joinParts, PromptPartsBuilder } from "./parts.ts";
import { pythonStrip } from "./pythonStrip.ts";
import type { CheckedRole, PromptError } from "./types.ts";

// What every template does with the messages, in one place:
//   {% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception(...) }}
//   {{ role + ': ' + content.strip() + '\n\n' }}     (role: 'User' for user, 'Agent' for assistant)
// and the checked role is chosen by parity of the message count, not by the last message's role.

const ALTERNATION_MESSAGE = "Conversation roles must alternate user/assistant/user/assistant/...";

/**
 * The templates' raise_exception conditions as an error value. Stricter than the templates in two
 * places, both where they would render nonsense rather than fail: an empty conversation (the templates
 * render an 'Agent' check of nothing) and a role other than user/assistant (a system turn at an odd
 * index passes their check and is printed under the previous turn's label).
 */
export function checkTurns(turns: readonly Turn[]): PromptError | undefined {
  if (turns.length === 0) return { code: "empty_conversation", message: "The conversation has no turns to classify." };
  for (const [index, turn] of turns.entries()) {
    if (turn.role !== "user" && turn.role !== "assistant")
      return {
        code: "unsupported_role",
        message: `Turn ${index + 1} has role ${JSON.stringify(turn.role)}; Llama Guard prompts take only user and assistant turns.`,
      };
    if (typeof turn.content !== "string")
      return { code: "invalid_content", message: `Turn ${index + 1} has no text content.` };
    const expected = index % 2 === 0 ? "user" : "assistant";
    if (turn.role !== expected)
      return {
        code: "roles_not_alternating",
        message: `${ALTERNATION_MESSAGE} (turn ${index + 1} is ${turn.role}, expected ${expected}).`,
      };
  }
  return undefined;
}

/** Odd number of messages → the last one is the user's: 'User'; even → 'Agent'. */
export function checkedRoleOf(turns: readonly Turn[]): CheckedRole {
  return turns.length % 2 === 1 ? "User" : "Agent";
}

/** Appends `User: …\n\nAgent: …\n\n`, each message stripped with Python semantics. */
export function appendConversation(builder: PromptPartsBuilder, turns: readonly Turn[]): void {
  for (const turn of turns) {
    builder.template(turn.role === "user" ? "User: " : "Agent: ");
    builder.content(pythonStrip(turn.content));
    builder.template("\n\n");
  }
}

/** The same transcript as plain text (for the chat judge's user message). */
export function renderTranscript(turns: readonly Turn[]): string {
  const builder = new PromptPartsBuilder([]);
  appendConversation(builder, turns);
  return joinParts(builder.build());
}
