/**
 * One item of a run in full (results:get): conversation, verdict, P(unsafe), categories, label and its history. Opened
 * from any screen (Review's "Full result", Evaluation's flipped items), so the shell renders it, over whatever screen
 * asked; Esc or Close shuts it and focus goes back where it was.
 */
import { Dialog } from "../../components/Dialog.tsx";
import { ConversationTurns } from "../../components/ConversationTurns.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { ModelAnswers } from "../../components/ModelAnswers.tsx";
import { formatScore } from "../../components/format.ts";
import { useAppStore } from "../../store/index.ts";
import { evaluationSelectors } from "./selectors.ts";

export function ItemResultDialog() {
  const detail = useAppStore(evaluationSelectors.detail);
  const error = useAppStore(evaluationSelectors.detailError);
  const loading = useAppStore(evaluationSelectors.detailLoading);
  const close = useAppStore((s) => s.closeResult);
  if (!detail && !error && !loading) return null;
  return (
    <Dialog title={detail ? `Item ${detail.itemId} of run ${detail.runId}` : "Item"} onClose={close}>
      {loading && !detail && <p className="status-line">Opening the item…</p>}
      {error && <ErrorMessage error={error} title="Could not open the item" />}
      {detail && (
        <div className="stack">
          <ConversationTurns turns={detail.turns} />
          {detail.result ? (
            <>
              <p>
                Model: <span className={`verdict verdict-small verdict-${detail.result.verdict}`}>{detail.result.verdict}</span> P(unsafe) <span className="mono">{formatScore(detail.result.score)}</span>
                {detail.result.categories.length > 0 && <span className="mono small"> {detail.result.categories.join(", ")}</span>}
              </p>
              <p className="small">
                Answer: <span className="mono">{detail.result.outputText}</span>
              </p>
              <ModelAnswers result={detail.result} />
            </>
          ) : detail.error ? (
            <ErrorMessage error={detail.error} title="The classification failed" />
          ) : (
            <p className="muted">Not scored yet.</p>
          )}
          <p>
            Label: {detail.label ? <span className={`verdict verdict-small verdict-${detail.label.label}`}>{detail.label.label}</span> : <span className="muted">none</span>}
            {detail.label && detail.label.categories.length > 0 && <span className="mono small"> {detail.label.categories.join(", ")}</span>}
          </p>
          {detail.labelHistory.length > 0 && (
            <ul className="plain-list small" aria-label="Label history">
              {detail.labelHistory.map((event) => (
                <li key={event.eventId}>
                  {event.label} {event.categories.join(", ")} by {event.who}
                  {event.undone ? " (undone)" : ""}
                  {event.note ? ` — ${event.note}` : ""}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Dialog>
  );
}
