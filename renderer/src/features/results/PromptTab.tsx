/**
 * The Prompt tab beside the result: the exact prompt the shown result was made from, its token count under the
 * model's tokenizer, the turns it holds, and its special tokens marked as such (a `<|eot_id|>` typed inside a message
 * is text, and shows as text).
 */
import { Fragment } from "react";
import { useAppStore } from "../../store/index.ts";
import { resultsSelectors } from "./selectors.ts";

const ROLE_LABELS = { user: "User", assistant: "Assistant" } as const;

export function PromptTab() {
  const view = useAppStore(resultsSelectors.promptView);
  const navigate = useAppStore((s) => s.navigate);
  if (!view) {
    return (
      <p className="empty">
        Classify a conversation to see the exact prompt the model read. The prompt for the current draft is on the{" "}
        <button type="button" className="link-button" onClick={() => navigate("policy")}>
          Policy screen
        </button>
        .
      </p>
    );
  }
  return (
    <div className="prompt-tab">
      <p className="prompt-tab-summary">
        <span className="token-count token-count-known" role="status" aria-label="Prompt token count">
          {view.tokenCount.toLocaleString()} tokens
        </span>{" "}
        <span className="muted small">
          {view.turns.length} {view.turns.length === 1 ? "turn" : "turns"} in the prompt
          {view.leftOut > 0 ? `, ${view.leftOut} of the conversation left out (system turns, turns after the checked one)` : ""}
          {view.parts ? " · special tokens are marked" : ""}
        </span>
      </p>
      <ol className="prompt-turns" aria-label="Turns in the prompt">
        {view.turns.map((turn) => (
          <li key={turn.number}>
            <span className="prompt-turn-role">
              Turn {turn.number}, {ROLE_LABELS[turn.role]}
            </span>{" "}
            <span className="prompt-turn-text">{turn.content.trim() === "" ? "(empty)" : turn.content}</span>
          </li>
        ))}
      </ol>
      <pre className="prompt prompt-exact" aria-label="Exact prompt" tabIndex={0}>
        {view.parts
          ? view.parts.map((part, index) =>
              part.kind === "special" ? (
                <span key={index} className="special-token" title="special token">
                  {part.text}
                </span>
              ) : (
                <Fragment key={index}>{part.text}</Fragment>
              ),
            )
          : view.text}
      </pre>
    </div>
  );
}
