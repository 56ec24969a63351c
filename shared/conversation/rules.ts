// The role rules of the Llama Guard prompt templates: turns go in as user/assistant pairs starting with the user
// (the official templates raise "Conversation roles must alternate user/assistant/user/assistant/..."), there is no
// system role, and the last turn is the one classified: a user turn as a prompt, an assistant turn as a response.
import { isBlank } from "./parse-support.ts";
import type {
  CheckMode,
  Conversation,
  GuardRole,
  GuardTurn,
  PrepareError,
  PrepareErrorCode,
  PrepareResult,
} from "./types.ts";

/** A turn that keeps its index in the conversation as given, so that errors number turns as the user sees them. */
interface IndexedTurn {
  turn: GuardTurn;
  index: number;
}

/**
 * Makes a conversation fit a Llama Guard prompt: drops system turns (with a warning), cuts it after the turn to
 * check, and checks that the rest starts with a user turn and alternates. Turn numbers in messages are 1-based and
 * count the conversation as given, system turns included.
 */
export function prepareForClassification(conversation: Conversation, check: CheckMode = "last"): PrepareResult {
  if (conversation.turns.length === 0) {
    return { ok: false, error: prepareError("empty_conversation", "The conversation has no turns. Add at least one user turn.") };
  }

  const warnings: string[] = [];
  const guardTurns: IndexedTurn[] = [];
  const systemTurnNumbers: number[] = [];
  conversation.turns.forEach(({ role, content }, index) => {
    if (role === "system") systemTurnNumbers.push(index + 1);
    else guardTurns.push({ turn: { role, content }, index });
  });
  if (systemTurnNumbers.length > 0) {
    warnings.push(
      `Left out system ${describeTurnNumbers(systemTurnNumbers)}: Llama Guard's prompt has no system role, so system text is not classified.`,
    );
  }

  const checked = cutAfterCheckedTurn(guardTurns, check);
  if (!Array.isArray(checked)) return { ok: false, error: checked };
  const problem = findRoleOrderProblem(checked);
  if (problem) return { ok: false, error: problem };
  // The official templates render an empty message as `User: \n\n`, and an empty reply is a real thing to classify.
  for (const { turn, index } of checked.filter(({ turn }) => isBlank(turn.content))) {
    warnings.push(`Turn ${index + 1} (${turn.role}) has no text; the classifier will see an empty message.`);
  }

  const lastRole = checked.at(-1)?.turn.role;
  return { ok: true, turns: checked.map(({ turn }) => turn), target: lastRole === "user" ? "prompt" : "response", warnings };
}

/** Keeps the turns up to the one the check asks for, which the classifier must see last. */
function cutAfterCheckedTurn(turns: IndexedTurn[], check: CheckMode): IndexedTurn[] | PrepareError {
  if (check === "last") {
    return turns.length > 0
      ? turns
      : prepareError("no_turn_to_check", "The conversation has only system turns, which Llama Guard does not classify. Add a user turn.");
  }
  const wanted: GuardRole = check === "prompt" ? "user" : "assistant";
  const last = turns.findLastIndex(({ turn }) => turn.role === wanted);
  if (last === -1) {
    return check === "prompt"
      ? prepareError("no_turn_to_check", "There is no user turn to check. Add the user's message.")
      : prepareError("no_turn_to_check", "There is no assistant turn to check. Add the assistant's reply, or check the prompt instead.");
  }
  return turns.slice(0, last + 1);
}

function findRoleOrderProblem(turns: IndexedTurn[]): PrepareError | undefined {
  const first = turns[0];
  if (first && first.turn.role !== "user") {
    return prepareError(
      "must_start_with_user",
      `Turn ${first.index + 1} is an assistant turn, but Llama Guard conversations must start with a user turn. Add the user turn that came before it, or switch its role to user.`,
      first.index,
    );
  }
  for (let i = 1; i < turns.length; i++) {
    const previous = turns[i - 1];
    const current = turns[i];
    if (!previous || !current || previous.turn.role !== current.turn.role) continue;
    const role = current.turn.role;
    const systemTurnsBetween = current.index - previous.index - 1;
    const between =
      systemTurnsBetween === 0
        ? ""
        : systemTurnsBetween === 1
          ? " (the system turn between them is left out)"
          : " (the system turns between them are left out)";
    return prepareError(
      "roles_not_alternating",
      `Turns ${previous.index + 1} and ${current.index + 1} are both ${role} turns${between}, but Llama Guard needs the roles to alternate user/assistant/user/assistant/... Merge them into one turn, or switch one of them to ${otherRole(role)}.`,
      current.index,
    );
  }
  return undefined;
}

function otherRole(role: GuardRole): GuardRole {
  return role === "user" ? "assistant" : "user";
}

/** "turn 3", "turns 1 and 4", "turns 1, 4 and 6". */
function describeTurnNumbers(numbers: number[]): string {
  if (numbers.length === 1) return `turn ${numbers[0]}`;
  return `turns ${numbers.slice(0, -1).join(", ")} and ${numbers.at(-1)}`;
}

function prepareError(code: PrepareErrorCode, message: string, turnIndex?: number): PrepareError {
  return turnIndex === undefined ? { code, message } : { code, message, turnIndex };
}
