/** Turning turns back into text for the paste box (a sample chat, a re-opened history entry). */
import { parseConversation, type Turn } from "../../../../shared/conversation/index.ts";

const LABELS = { user: "User", assistant: "Assistant", system: "System" } as const;

/**
 * A transcript ("User: …" lines) reads best, but a turn whose text contains a line that looks like a speaker label
 * would split into two turns. Then, and only then, fall back to JSON, which always round-trips.
 */
export function toPasteText(turns: readonly Turn[]): string {
  const transcript = turns.map((turn) => `${LABELS[turn.role]}: ${turn.content}`).join("\n\n");
  const reread = parseConversation(transcript, { format: "transcript" });
  const roundTrips =
    reread.ok &&
    reread.conversation.turns.length === turns.length &&
    reread.conversation.turns.every((turn, i) => turn.role === turns[i]?.role && turn.content === turns[i]?.content);
  return roundTrips ? transcript : JSON.stringify(turns, null, 2);
}
