/**
 * The classification result: verdict, P(unsafe) against an adjustable threshold, violated categories by their policy
 * names, derived per-category scores, the generated tokens as a heat map with their alternatives, timings, and
 * "Copy as JSON".
 */
import { useShallow } from "zustand/react/shallow";
import type { ClassificationResult } from "../../../../shared/classify/result.ts";
import { ErrorMessage, InfoMessage } from "../../components/ErrorMessage.tsx";
import { formatDateTime, formatMs, formatProbability, formatScore } from "../../components/format.ts";
import { Panel } from "../../components/Panel.tsx";
import { ScoreGauge } from "../../components/ScoreGauge.tsx";
import { TokenHeatMap } from "../../components/TokenHeatMap.tsx";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { resultsSelectors, type CategoryBar } from "./selectors.ts";

const VERDICT_TEXT = { safe: "Safe", unsafe: "Unsafe", unparseable: "Unparseable" } as const;

/** The engine's reasons are clauses ("the answer names …"); shown alone they read as a sentence. */
function sentence(clause: string): string {
  return clause.charAt(0).toUpperCase() + clause.slice(1);
}

export function ResultPanel() {
  const shown = useAppStore(resultsSelectors.shown);
  const error = useAppStore(resultsSelectors.error);
  const running = useAppStore(resultsSelectors.running);
  return (
    <Panel title="Result" className="result-panel" actions={shown && <CopyJsonButton />}>
      <div aria-live="polite" aria-busy={running}>
        {running && <p className="status-line">Classifying…</p>}
        {error && <ErrorMessage error={error} title="Classification failed" />}
        {!shown && !running && !error && <p className="empty">No result yet. Classify a conversation with Ctrl+Enter.</p>}
        {shown && <ShownResult result={shown.result} source={shown.source} />}
      </div>
    </Panel>
  );
}

function CopyJsonButton() {
  const copy = useAppStore((s) => s.copyResultAsJson);
  const copied = useAppStore(resultsSelectors.copied);
  return (
    <button type="button" className="button button-small" onClick={() => void copy()}>
      {copied ? "Copied" : "Copy as JSON"}
    </button>
  );
}

function ShownResult({ result, source }: { result: ClassificationResult; source: { kind: "run" | "history"; historyId?: number; createdAt?: string } }) {
  const policyChanged = useAppStore(resultsSelectors.policyChangedSinceResult);
  return (
    <div className="result">
      {source.kind === "history" && (
        <p className="muted small">
          From history #{source.historyId}
          {source.createdAt ? `, ${formatDateTime(source.createdAt)}` : ""}
        </p>
      )}
      {policyChanged && <InfoMessage>The policy has changed since this result. Classify again (Ctrl+Enter) to see its effect.</InfoMessage>}
      <Verdict result={result} />
      <Score result={result} />
      <Categories />
      <section aria-labelledby="tokens-heading" className="result-section">
        <h3 id="tokens-heading" className="subheading">
          Generated tokens
        </h3>
        <p className="muted small">Coloured by probability. Focus or hover a token for its top alternatives.</p>
        <TokenHeatMap tokens={result.tokens} decisionTokenIndex={result.decisionTokenIndex} />
      </section>
      <Timings result={result} />
    </div>
  );
}

function Verdict({ result }: { result: ClassificationResult }) {
  const violated = useAppStore(useShallow(resultsSelectors.violatedCategories));
  return (
    <section className="result-section verdict-row" aria-label="Verdict">
      <span className={`verdict verdict-${result.verdict}`} role="status" aria-label={`Verdict: ${VERDICT_TEXT[result.verdict]}`}>
        {VERDICT_TEXT[result.verdict]}
      </span>
      <div className="verdict-detail">
        {result.verdict === "unparseable" && <p className="verdict-reason">{sentence(result.unparseableReason ?? "the output could not be read as a verdict")}</p>}
        {violated.length > 0 && (
          <ul className="violations" aria-label="Violated categories">
            {violated.map((category) => (
              <li key={category.code}>
                <span className="category-code">{category.code}</span> {category.name}
              </li>
            ))}
          </ul>
        )}
        <p className="muted small">
          {result.target === "prompt" ? "Prompt classification (last user turn)" : "Response classification (last assistant turn)"} ·{" "}
          {FAMILY_LABELS[result.model.family]}
        </p>
      </div>
    </section>
  );
}

function Score({ result }: { result: ClassificationResult }) {
  const threshold = useAppStore(resultsSelectors.threshold);
  const flagged = useAppStore(resultsSelectors.flagged) ?? false;
  const setThreshold = useAppStore((s) => s.setThreshold);
  return (
    <section className="result-section" aria-label="Score">
      <ScoreGauge pUnsafe={result.pUnsafe} threshold={threshold} flagged={flagged} onThresholdChange={setThreshold} />
      <p className="muted small">
        P(safe) {formatScore(result.pSafe)} · normalised P(unsafe) / (P(unsafe) + P(safe)) {formatScore(result.pUnsafeNormalized)}
      </p>
    </section>
  );
}

function Categories() {
  const bars = useAppStore(useShallow(resultsSelectors.categoryBars));
  if (bars.length === 0) return null;
  return (
    <section className="result-section" aria-labelledby="category-scores-heading">
      <h3 id="category-scores-heading" className="subheading">
        Per-category scores <span className="badge badge-muted">derived</span>
      </h3>
      <p className="muted small">P(the model names this code first, given it answered “unsafe”). Not a calibrated per-category classifier.</p>
      <ul className="bars">
        {bars.map((bar) => (
          <CategoryScoreBar key={bar.code} bar={bar} />
        ))}
      </ul>
    </section>
  );
}

function CategoryScoreBar({ bar }: { bar: CategoryBar }) {
  const label = `${bar.code} ${bar.name}`;
  return (
    <li className={`bar${bar.violated ? " bar-violated" : ""}`}>
      <span className="bar-label">
        <span className="category-code">{bar.code}</span> {bar.name}
      </span>
      <meter className="bar-meter" min={0} max={1} value={bar.p} aria-label={`${label} (derived)`} />
      <span className="bar-value mono">{formatProbability(bar.p)}</span>
    </li>
  );
}

function Timings({ result }: { result: ClassificationResult }) {
  const { timingsMs } = result;
  return (
    <section className="result-section" aria-label="Timings">
      <dl className="timings">
        <div>
          <dt>Prompt</dt>
          <dd>
            {formatMs(timingsMs.prompt)} · {result.prompt.tokenCount} tokens
          </dd>
        </div>
        <div>
          <dt>Generation</dt>
          <dd>{formatMs(timingsMs.generation)}</dd>
        </div>
        <div>
          <dt>Categories</dt>
          <dd>{formatMs(timingsMs.categories)}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd>{formatMs(timingsMs.total)}</dd>
        </div>
      </dl>
    </section>
  );
}
