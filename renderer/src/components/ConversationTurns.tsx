import type { Turn } from "../../../shared/conversation/types.ts";

/** A dataset item's conversation, read-only, one block per turn (Review's current item, an item's full result). */
export function ConversationTurns({ turns }: { turns: readonly Turn[] }) {
  return (
    <ol className="review-turns" aria-label="Conversation">
      {turns.map((turn, index) => (
        <li key={index} className={`turn turn-${turn.role}`}>
          <span className="turn-number">{turn.role}</span>
          <p className="turn-text review-turn-text">{turn.content}</p>
        </li>
      ))}
    </ol>
  );
}
