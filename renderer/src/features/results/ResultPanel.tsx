/**
 * The classification result: verdict, P(unsafe) against an adjustable threshold, violated categories by their policy
 * names (each excluded or included again with one click), derived per-category scores, the generated tokens as a heat
 * map with their alternatives, what produced it (model, policy version, check, threshold), timings, "Copy as JSON" —
 * and, on the Prompt tab, the exact prompt it was made from. A result the inputs no longer match is marked stale at
 * once and greyed, still readable.
 */
import { useId, type KeyboardEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import type { ClassificationResult } from "../../../../shared/classify/result.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { FamilySettingsFieldset } from "../../components/FamilySettingsFieldset.tsx";
import { formatDateTime, formatMs, formatProbability, formatScore } from "../../components/format.ts";
import { Kbd, Panel } from "../../components/Panel.tsx";
import { ScoreGauge } from "../../components/ScoreGauge.tsx";
import { TokenHeatMap } from "../../components/TokenHeatMap.tsx";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { ModelAnswers } from "../../components/ModelAnswers.tsx";
import { PromptTab } from "./PromptTab.tsx";
import { resultsSelectors, type CategoryBar } from "./selectors.ts";
import type { ResultTab, ShownResult as Shown } from "./slice.ts";

const VERDICT_TEXT = { safe: "Safe", unsafe: "Unsafe", unparseable: "Unparseable" } as const;

/** The engine's reasons are clauses ("the answer names …"); shown alone they read as a sentence. */
function sentence(clause: string): string {
  return clause.charAt(0).toUpperCase() + clause.slice(1);
}

const TABS: ReadonlyArray<{ tab: ResultTab; label: string; key: string }> = [
  { tab: "result", label: "Result", key: "Alt+R" },
  { tab: "prompt", label: "Prompt", key: "Alt+P" },
];

export function ResultPanel() {
  const shown = useAppStore(resultsSelectors.shown);
  const error = useAppStore(resultsSelectors.error);
  const running = useAppStore(resultsSelectors.running);
  const tab = useAppStore(resultsSelectors.tab);
  const tabsId = useId();
  return (
    <Panel title="Result" className="result-panel" actions={shown && <CopyJsonButton />}>
      <ResultTabs tab={tab} idPrefix={tabsId} />
      <div role="tabpanel" id={`${tabsId}-${tab}`} aria-labelledby={`${tabsId}-${tab}-tab`} className="result-tabpanel">
        {tab === "prompt" ? (
          <PromptTab />
        ) : (
          <div aria-live="polite" aria-busy={running}>
            <FamilySettings />
            {running && <p className="status-line">Classifying…</p>}
            {error && <ErrorMessage error={error} title="Classification failed" />}
            {!shown && !running && !error && <p className="empty">No result yet. Classify a conversation with Ctrl+Enter.</p>}
            {shown && <ShownResult shown={shown} />}
          </div>
        )}
      </div>
    </Panel>
  );
}

/** The loaded model's family settings (Qwen3Guard: Count Controversial as flagged); changing one classifies again. */
function FamilySettings() {
  const choices = useAppStore(useShallow(resultsSelectors.familySettingChoices));
  const family = useAppStore(resultsSelectors.classifyingFamily);
  const setSetting = useAppStore((s) => s.setFamilySetting);
  return <FamilySettingsFieldset legend={`${FAMILY_LABELS[family]} settings`} choices={choices} onChange={setSetting} />;
}

/** Result | Prompt, as an ARIA tab list: ← and → move between the tabs, Alt+R and Alt+P work from anywhere. */
function ResultTabs({ tab, idPrefix }: { tab: ResultTab; idPrefix: string }) {
  const setTab = useAppStore((s) => s.setResultTab);
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    const at = TABS.findIndex((entry) => entry.tab === tab);
    const next = TABS[(at + (event.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length]!;
    setTab(next.tab);
    requestAnimationFrame(() => document.getElementById(`${idPrefix}-${next.tab}-tab`)?.focus());
  }
  return (
    <div role="tablist" aria-label="Result views" className="tabs" onKeyDown={onKeyDown}>
      {TABS.map((entry) => (
        <button
          key={entry.tab}
          type="button"
          role="tab"
          id={`${idPrefix}-${entry.tab}-tab`}
          aria-selected={tab === entry.tab}
          aria-controls={`${idPrefix}-${entry.tab}`}
          aria-keyshortcuts={entry.key}
          tabIndex={tab === entry.tab ? 0 : -1}
          className={`tab${tab === entry.tab ? " tab-selected" : ""}`}
          onClick={() => setTab(entry.tab)}
        >
          {entry.label}
          <span aria-hidden="true" className="tab-key">
            {entry.key}
          </span>
        </button>
      ))}
    </div>
  );
}

function CopyJsonButton() {
  const copy = useAppStore((s) => s.copyResult);
  const copied = useAppStore(resultsSelectors.copied);
  return (
    <>
      <button type="button" className="button button-small" onClick={() => void copy("guardbench")}>
        {copied === "guardbench" ? "Copied" : "Copy as JSON"}
      </button>
      <button type="button" className="button button-small" onClick={() => void copy("openai-moderation")} title="flagged, categories and category_scores keyed by the policy's codes and by OpenAI's keys where the mapping has a source">
        {copied === "openai-moderation" ? "Copied" : "Copy as OpenAI moderation"}
      </button>
    </>
  );
}

function ShownResult({ shown }: { shown: Shown }) {
  const staleText = useAppStore(resultsSelectors.staleText);
  const staleId = useId();
  const { result, source } = shown;
  return (
    <div className={`result${staleText ? " result-stale" : ""}`} aria-describedby={staleText ? staleId : undefined}>
      {staleText && <StaleMarker id={staleId} text={staleText} shown={shown} />}
      {source.kind === "history" && (
        <p className="muted small">
          From history #{source.historyId}
          {source.createdAt ? `, ${formatDateTime(source.createdAt)}` : ""}
        </p>
      )}
      <div className="result-figures">
        <Verdict result={result} stale={staleText !== undefined} />
        <Score result={result} />
        <Categories />
      </div>
      <ModelAnswers result={result} />
      <section aria-labelledby="tokens-heading" className="result-section">
        <h3 id="tokens-heading" className="subheading">
          Generated tokens
        </h3>
        <p className="muted small">Coloured by probability. Focus or hover a token for its top alternatives.</p>
        <TokenHeatMap tokens={result.tokens} decisionTokenIndex={result.decisionTokenIndex} />
      </section>
      <Provenance shown={shown} />
      <Timings result={result} />
    </div>
  );
}

/** Says the result no longer matches the inputs, what changed, and how to get a current one; the result stays readable. */
function StaleMarker({ id, text, shown }: { id: string; text: string; shown: Shown }) {
  const staleness = useAppStore(resultsSelectors.staleness);
  const usePolicy = useAppStore((s) => s.usePolicy);
  const classify = useAppStore((s) => s.classify);
  const blocked = useAppStore(resultsSelectors.classifyBlocker) !== undefined;
  return (
    <div className="stale-marker" role="status" id={id}>
      <span className="badge badge-warn">Out of date</span> <span>{text}</span>
      <div className="button-row">
        {!blocked && (
          <button type="button" className="button button-small button-primary" onClick={() => void classify()} aria-keyshortcuts="Control+Enter">
            Classify again <Kbd>Ctrl+Enter</Kbd>
          </button>
        )}
        {staleness === "policy" && shown.source.kind === "history" && (
          <button type="button" className="button button-small" onClick={() => usePolicy(shown.policy)}>
            Use this entry's policy
          </button>
        )}
      </div>
    </div>
  );
}

function Verdict({ result, stale }: { result: ClassificationResult; stale: boolean }) {
  const violated = useAppStore(useShallow(resultsSelectors.violatedCategories));
  return (
    <section className="result-section verdict-row" aria-label="Verdict">
      <span className={`verdict verdict-${result.verdict}`} role="status" aria-label={`Verdict: ${VERDICT_TEXT[result.verdict]}${stale ? " (out of date)" : ""}`}>
        {VERDICT_TEXT[result.verdict]}
      </span>
      <div className="verdict-detail">
        {result.verdict === "unparseable" && <p className="verdict-reason">{sentence(result.unparseableReason ?? "the output could not be read as a verdict")}</p>}
        {violated.length > 0 && (
          <ul className="violations" aria-label="Violated categories">
            {violated.map((category) => (
              <li key={category.code}>
                <span className="category-code">{category.code}</span> {category.name} <QuickExclude code={category.code} enabled={category.enabledNow} />
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
  const method = useAppStore((s) => resultsSelectors.shown(s)?.result.categoryScoresMethod);
  if (bars.length === 0) return null;
  const perPrompt = method === "per-category-prompt";
  return (
    <section className="result-section" aria-labelledby="category-scores-heading">
      <h3 id="category-scores-heading" className="subheading">
        Per-category scores <span className="badge badge-muted">{perPrompt ? "one prompt each" : "derived"}</span>
      </h3>
      <p className="muted small">
        {perPrompt
          ? "Each category was judged by a prompt of its own: its score is that prompt's P(violation)."
          : "P(the model names this code first, given it answered “unsafe”). Not a calibrated per-category classifier."}
      </p>
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
      <QuickExclude code={bar.code} enabled={bar.enabledNow} />
    </li>
  );
}

/** One click (or Enter) excludes the category from the policy a Classify now uses, or includes it again, and classifies again. */
function QuickExclude({ code, enabled }: { code: string; enabled: boolean }) {
  const setCategory = useAppStore((s) => s.setClassifyingCategory);
  return (
    <button type="button" className="button button-quiet button-small quick-exclude" onClick={() => setCategory(code, !enabled)}>
      {enabled ? `Exclude ${code}` : `Include ${code}`}
    </button>
  );
}

const POLICY_STATE_TEXT = { saved: "saved version", edited: "edited draft of version", unsaved: "unsaved draft" } as const;

/** What produced the result: the model file (quant, sha256), family, policy and its version, check mode, threshold. */
function Provenance({ shown }: { shown: Shown }) {
  const threshold = useAppStore(resultsSelectors.threshold);
  const { result, inputs, policyProvenance } = shown;
  const fileName = result.model.path.split(/[\\/]/).pop() ?? result.model.path;
  return (
    <section className="result-section" aria-labelledby="provenance-heading">
      <h3 id="provenance-heading" className="subheading">
        Produced by
      </h3>
      <dl className="facts provenance" aria-label="Produced by">
        <div>
          <dt>Model</dt>
          <dd>
            <span className="mono">{fileName}</span>
            {result.model.quant ? ` · ${result.model.quant}` : ""}
            {result.model.sha256 ? (
              <>
                {" · sha256 "}
                <span className="mono" title={result.model.sha256}>
                  {result.model.sha256.slice(0, 12)}
                </span>
              </>
            ) : (
              " · sha256 not known yet"
            )}
          </dd>
        </div>
        <div>
          <dt>Family</dt>
          <dd>{FAMILY_LABELS[result.model.family]}</dd>
        </div>
        <div>
          <dt>Policy</dt>
          <dd>
            “{policyProvenance.name}”, {POLICY_STATE_TEXT[policyProvenance.state]}
            {policyProvenance.version !== undefined && policyProvenance.state !== "unsaved" ? ` ${policyProvenance.version}` : ""}
          </dd>
        </div>
        <div>
          <dt>Checked</dt>
          <dd>{resultsSelectors.checkLabel(inputs.check)}</dd>
        </div>
        <div>
          <dt>Threshold</dt>
          <dd>
            {formatScore(threshold)}
            {threshold !== result.threshold ? ` (classified at ${formatScore(result.threshold)})` : ""}
          </dd>
        </div>
      </dl>
    </section>
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
