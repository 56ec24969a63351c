/**
 * A flipped item of a comparison, baseline and candidate side by side (eval:compare-item): each run's verdict, P(unsafe),
 * flag at the comparison's threshold and categories, the label both are judged by, and what the candidate's policy
 * changed against the baseline's — the prompt difference the flip may come from.
 */
import type { ComparedRun, ItemResultDetail } from "../../../../shared/ipc/index.ts";
import { ConversationTurns } from "../../components/ConversationTurns.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatScore } from "../../components/format.ts";
import { PolicyDiffView } from "../../components/PolicyDiffView.tsx";
import { useAppStore } from "../../store/index.ts";
import { evaluationSelectors } from "./selectors.ts";

const runHeading = (side: string, run: ComparedRun) => `${side}: run ${run.id} · ${run.policyName}${run.policyVersion !== undefined ? ` v${run.policyVersion}` : ""}`;

export function ComparedItemDialog() {
  const compare = useAppStore(evaluationSelectors.compare);
  const close = useAppStore((s) => s.closeComparedItem);
  const { item, itemError, itemLoading } = compare;
  if (!item && !itemError && itemLoading === undefined) return null;
  return (
    <Dialog title={item ? `Item ${item.itemId}, side by side` : "Item, side by side"} onClose={close} wide>
      {itemLoading !== undefined && !item && <p className="status-line">Opening item {itemLoading} in both runs…</p>}
      {itemError && <ErrorMessage error={itemError} title="Could not open the item" />}
      {item && (
        <div className="stack">
          <ConversationTurns turns={item.candidate.turns} />
          <p>
            Label:{" "}
            {item.candidate.label ? <span className={`verdict verdict-small verdict-${item.candidate.label.label}`}>{item.candidate.label.label}</span> : <span className="muted">none</span>}
            {item.candidate.label && item.candidate.label.categories.length > 0 && <span className="mono small"> {item.candidate.label.categories.join(", ")}</span>}
          </p>
          <div className="side-by-side">
            <RunSide heading={runHeading("Baseline", item.baselineRun)} detail={item.baseline} />
            <RunSide heading={runHeading("Candidate", item.candidateRun)} detail={item.candidate} />
          </div>
          <section aria-label="Policy difference">
            <h3 className="subheading">Prompt difference (policy)</h3>
            <PolicyDiffView diff={item.policyDiff} fromLabel={`the baseline's policy`} toLabel={`the candidate's`} />
          </section>
        </div>
      )}
    </Dialog>
  );
}

function RunSide({ heading, detail }: { heading: string; detail: ItemResultDetail }) {
  const result = detail.result;
  return (
    <section aria-label={heading} className="stack">
      <h3 className="subheading">{heading}</h3>
      {result ? (
        <dl className="plain-list">
          <div>
            <dt className="muted small">Verdict</dt>
            <dd>
              <span className={`verdict verdict-small verdict-${result.verdict}`}>{result.verdict}</span>
            </dd>
          </div>
          <div>
            <dt className="muted small">P(unsafe)</dt>
            <dd className="mono">{formatScore(result.score)}</dd>
          </div>
          <div>
            <dt className="muted small">At threshold {formatScore(result.threshold)}</dt>
            <dd>{result.flagged ? "flagged" : "not flagged"}</dd>
          </div>
          <div>
            <dt className="muted small">Categories</dt>
            <dd className="mono small">{result.categories.length > 0 ? result.categories.join(", ") : "none"}</dd>
          </div>
        </dl>
      ) : detail.error ? (
        <ErrorMessage error={detail.error} title="The classification failed" />
      ) : (
        <p className="muted">Not scored in this run.</p>
      )}
    </section>
  );
}
