/**
 * Evaluation: a run's precision, recall, F1, FPR and AUPRC at a threshold picked on the PR curve, the score
 * histogram, per-category metrics, two runs compared (metric deltas, flipped items, each openable), and several runs
 * side by side (SideBySidePanel).
 */
import { useEffect, useId, useRef, useState } from "react";
import { THRESHOLD_RANGE } from "../../../../shared/classify/result.ts";
import { METRIC_NAMES, namesOfCategory, type CategoryNameMismatch, type CategoryNaming, type MetricName, type ScoreEvaluation, type VerdictFlip } from "../../../../shared/metrics/index.ts";
import { runFileStem } from "../../../../shared/runs/runName.ts";
import { PrCurveChart, ScoreHistogramChart } from "../../components/charts.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatMetric, formatScore } from "../../components/format.ts";
import { Panel, ScreenHeader } from "../../components/Panel.tsx";
import { RunOptions } from "../../components/RunOptions.tsx";
import { useAppStore } from "../../store/index.ts";
import { runsSelectors } from "../runs/selectors.ts";
import { ComparedItemDialog } from "./ComparedItemDialog.tsx";
import { EachRunThresholdInput } from "./EachRunThresholdInput.tsx";
import { evaluationSelectors } from "./selectors.ts";
import { SideBySidePanel } from "./SideBySidePanel.tsx";

const METRIC_LABELS: Record<MetricName, string> = { precision: "Precision", recall: "Recall", f1: "F1", fpr: "FPR", auprc: "AUPRC" };

export function EvaluationScreen() {
  const refreshStale = useAppStore((s) => s.refreshStaleEvaluation);
  useEffect(() => void refreshStale(), [refreshStale]);
  return (
    <div className="screen">
      <ScreenHeader title="Evaluation" description="How a run's verdicts match the labels. Pick a threshold on the curve; compare two runs." />
      <RunPicker />
      <MetricsView />
      <ComparePanel />
      <SideBySidePanel />
    </div>
  );
}

function RunPicker() {
  const runs = useAppStore(runsSelectors.list);
  const runId = useAppStore(evaluationSelectors.runId);
  const select = useAppStore((s) => s.selectEvaluationRun);
  const chosen = useAppStore(runsSelectors.run(runId));
  const id = useId();
  return (
    <div className="inline-form">
      <label htmlFor={id} className="field-label">
        Run
      </label>
      <select id={id} className="select select-small" value={runId ?? ""} onChange={(event) => void select(event.target.value === "" ? undefined : Number(event.target.value))}>
        <option value="">Choose…</option>
        <RunOptions runs={runs} withState />
      </select>
      {chosen?.note && <p className="muted small run-note">{chosen.note}</p>}
    </div>
  );
}

function MetricsView() {
  const metrics = useAppStore(evaluationSelectors.metrics);
  const error = useAppStore(evaluationSelectors.error);
  const loading = useAppStore(evaluationSelectors.loading);
  const setThreshold = useAppStore((s) => s.setEvaluationThreshold);
  const exportChart = useAppStore((s) => s.exportChart);
  const run = useAppStore(runsSelectors.run(metrics?.runId));
  const curveRef = useRef<SVGSVGElement>(null);
  const histogramRef = useRef<SVGSVGElement>(null);
  if (error) return <ErrorMessage error={error} title="Could not compute the metrics" />;
  if (!metrics) return loading ? <p className="status-line">Computing…</p> : null;
  const { evaluation, coverage } = metrics;
  const fileStem = run ? runFileStem(run) : `run-${metrics.runId}`;
  const exportButtons = (ref: React.RefObject<SVGSVGElement | null>, name: string, label: string) => (
    <>
      <button type="button" className="button button-quiet button-small" aria-label={`Export the ${label} as SVG`} onClick={() => ref.current && void exportChart(ref.current, `${name}-${fileStem}`, "svg")}>
        SVG
      </button>
      <button type="button" className="button button-quiet button-small" aria-label={`Export the ${label} as PNG`} onClick={() => ref.current && void exportChart(ref.current, `${name}-${fileStem}`, "png")}>
        PNG
      </button>
    </>
  );
  return (
    <div className="stack">
      <Panel title="Metrics">
        <ThresholdField threshold={metrics.threshold} onChange={(value) => void setThreshold(value)} />
        <MetricCards evaluation={evaluation} />
        <p className="muted small">
          {coverage.evaluated} of {coverage.items} items counted ({coverage.unlabeled} unlabeled, {coverage.failed} failed, {coverage.unscored} not scored yet) · tp {evaluation.counts.tp} · fp {evaluation.counts.fp} · tn{" "}
          {evaluation.counts.tn} · fn {evaluation.counts.fn}
        </p>
      </Panel>
      <div className="charts-layout">
        <Panel title="Precision-recall curve" actions={exportButtons(curveRef, "pr-curve", "precision-recall curve")}>
          <PrCurveChart ref={curveRef} curve={metrics.curve} threshold={metrics.threshold} auprc={evaluation.auprc} onPickThreshold={(value) => void setThreshold(value)} />
          <details className="chart-data">
            <summary>Curve data</summary>
            <table className="table" aria-label="Precision-recall curve data">
              <thead>
                <tr>
                  <th scope="col">Threshold</th>
                  <th scope="col">Precision</th>
                  <th scope="col">Recall</th>
                  <th scope="col">F1</th>
                </tr>
              </thead>
              <tbody>
                {metrics.curve.points.map((point) => (
                  <tr key={point.threshold}>
                    <td className="mono">{formatScore(point.threshold)}</td>
                    <td className="mono">{formatMetric(point.precision)}</td>
                    <td className="mono">{formatMetric(point.recall)}</td>
                    <td className="mono">{formatMetric(point.f1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </Panel>
        <Panel title="Score histogram" actions={exportButtons(histogramRef, "histogram", "score histogram")}>
          <ScoreHistogramChart ref={histogramRef} bins={metrics.histogram} threshold={metrics.threshold} />
          <p className="chart-legend small">
            <span className="legend-swatch legend-safe" aria-hidden="true" /> labeled safe <span className="legend-swatch legend-unsafe" aria-hidden="true" /> labeled unsafe{" "}
            <span className="legend-swatch legend-unlabeled" aria-hidden="true" /> unlabeled
          </p>
          <details className="chart-data">
            <summary>Histogram data</summary>
            <table className="table" aria-label="Score histogram data">
              <thead>
                <tr>
                  <th scope="col">P(unsafe)</th>
                  <th scope="col">Safe</th>
                  <th scope="col">Unsafe</th>
                  <th scope="col">Unlabeled</th>
                </tr>
              </thead>
              <tbody>
                {metrics.histogram.map((bin) => (
                  <tr key={bin.from}>
                    <td className="mono">
                      {formatScore(bin.from)}–{formatScore(bin.to)}
                    </td>
                    <td className="numeric">{bin.safe}</td>
                    <td className="numeric">{bin.unsafe}</td>
                    <td className="numeric">{bin.unlabeled}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </Panel>
      </div>
      <Panel title="Per category">
        <CategoryNameWarning mismatches={metrics.categoryNames.mismatches} />
        {metrics.perCategory.categories.length === 0 ? (
          <p className="empty">No category is labeled or predicted on the counted items.</p>
        ) : (
          <table className="table" aria-label="Per-category metrics">
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col">Support</th>
                <th scope="col">Precision</th>
                <th scope="col">Recall</th>
                <th scope="col">F1</th>
              </tr>
            </thead>
            <tbody>
              {metrics.perCategory.categories.map((category) => (
                <tr key={category.category}>
                  <th scope="row">
                    <CategoryNames code={category.category} naming={metrics.categoryNames} />
                  </th>
                  <td className="numeric">{category.support}</td>
                  <td className="mono">{formatMetric(category.precision)}</td>
                  <td className="mono">{formatMetric(category.recall)}</td>
                  <td className="mono">{formatMetric(category.f1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {metrics.perCategory.unknownHazardItems > 0 && <p className="muted small">{metrics.perCategory.unknownHazardItems} unsafe items name no category and are left out.</p>}
      </Panel>
    </div>
  );
}

function CategoryNameWarning({ mismatches }: { mismatches: readonly CategoryNameMismatch[] }) {
  if (mismatches.length === 0) return null;
  return (
    <div className="banner" role="alert" aria-label="Category names differ">
      The dataset and the run's policy give {mismatches.length === 1 ? "a code different names" : "codes different names"}: per-category numbers for{" "}
      {mismatches.length === 1 ? "it compare" : "them compare"} different hazards.
      <ul className="plain-list">
        {mismatches.map((mismatch) => (
          <li key={mismatch.code}>
            <span className="mono">{mismatch.code}</span>: “{mismatch.datasetName}” in the dataset, “{mismatch.policyName}” in the policy
          </li>
        ))}
      </ul>
    </div>
  );
}

/** "S14 Harassment", with the dataset's name below when it differs (or when only the dataset names the code). */
function CategoryNames({ code, naming }: { code: string; naming: CategoryNaming }) {
  const names = namesOfCategory(naming, code);
  const differs = names?.datasetName !== undefined && naming.mismatches.some((mismatch) => mismatch.code === names.code);
  return (
    <>
      <span className="mono">{code}</span> {names?.policyName ?? names?.datasetName ?? ""}
      {names?.policyName === undefined && names?.datasetName !== undefined && <span className="muted small"> (the dataset's name; the policy has no {code})</span>}
      {differs && <div className="small field-error">⚠ the dataset's {code}: {names.datasetName}</div>}
    </>
  );
}

function ThresholdField({ threshold, onChange }: { threshold: number; onChange(value: number): void }) {
  const id = useId();
  return (
    <div className="inline-form">
      <label htmlFor={id} className="field-label">
        Threshold
      </label>
      <input id={id} className="input input-narrow" type="number" min={THRESHOLD_RANGE.min} max={THRESHOLD_RANGE.max} step={0.01} value={threshold} onChange={(event) => event.target.value !== "" && onChange(Number(event.target.value))} />
    </div>
  );
}

function MetricCards({ evaluation }: { evaluation: ScoreEvaluation }) {
  return (
    <dl className="metric-cards" aria-label="Metrics at the threshold">
      {METRIC_NAMES.map((name) => (
        <div key={name} className="metric-card" title={evaluation.nullReasons[name]}>
          <dt>{METRIC_LABELS[name]}</dt>
          <dd className="mono">{formatMetric(evaluation[name])}</dd>
        </div>
      ))}
    </dl>
  );
}

function ComparePanel() {
  const runs = useAppStore(runsSelectors.list);
  const compare = useAppStore(evaluationSelectors.compare);
  const setRuns = useAppStore((s) => s.setCompareRuns);
  const run = useAppStore((s) => s.compareSelectedRuns);
  const openComparedItem = useAppStore((s) => s.openComparedItem);
  const setCompareThreshold = useAppStore((s) => s.setCompareThreshold);
  const [shown, setShown] = useState(50);
  const ids = { baseline: useId(), candidate: useId(), threshold: useId() };
  const report = compare.report;
  const option = (value: number | undefined) => (value === undefined ? "" : value);
  const parse = (value: string) => (value === "" ? undefined : Number(value));
  return (
    <Panel title="Compare runs">
      <div className="inline-form">
        <label htmlFor={ids.baseline} className="field-label">
          Baseline
        </label>
        <select id={ids.baseline} className="select select-small" value={option(compare.baselineRunId)} onChange={(event) => setRuns(parse(event.target.value), compare.candidateRunId)}>
          <option value="">Choose…</option>
          <RunOptions runs={runs} />
        </select>
        <label htmlFor={ids.candidate} className="field-label">
          Candidate
        </label>
        <select id={ids.candidate} className="select select-small" value={option(compare.candidateRunId)} onChange={(event) => setRuns(compare.baselineRunId, parse(event.target.value))}>
          <option value="">Choose…</option>
          <RunOptions runs={runs} />
        </select>
        <label htmlFor={ids.threshold} className="field-label">
          Threshold
        </label>
        <EachRunThresholdInput id={ids.threshold} value={compare.threshold} onChange={(value) => void setCompareThreshold(value)} />
        <button type="button" className="button button-small" aria-disabled={compare.baselineRunId === undefined || compare.candidateRunId === undefined || compare.loading} onClick={() => void run()}>
          {compare.loading ? "Comparing…" : "Compare"}
        </button>
      </div>
      <ComparedItemDialog />
      {compare.error && <ErrorMessage error={compare.error} title="Could not compare" />}
      {report && (
        <>
          <table className="table" aria-label="Metric deltas">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Baseline</th>
                <th scope="col">Candidate</th>
                <th scope="col">Δ</th>
              </tr>
            </thead>
            <tbody>
              {METRIC_NAMES.map((name) => {
                const delta = report.deltas[name];
                return (
                  <tr key={name}>
                    <th scope="row">{METRIC_LABELS[name]}</th>
                    <td className="mono">{formatMetric(report.baseline[name])}</td>
                    <td className="mono">{formatMetric(report.candidate[name])}</td>
                    <td className={`mono ${delta === null ? "" : delta > 0 ? "delta-up" : delta < 0 ? "delta-down" : ""}`}>{delta === null ? "—" : `${delta > 0 ? "+" : ""}${delta.toFixed(3)}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h3 className="subheading">
            {report.flips.length} changed items ({report.sharedItems} shared; {report.flips.filter((flip) => flip.changed.includes("flag")).length} flipped at the threshold)
          </h3>
          {report.flips.length > 0 && (
            <ul className="plain-list flips" aria-label="Flipped items">
              {report.flips.slice(0, shown).map((flip) => (
                <li key={flip.id} className="flip">
                  <button type="button" className="link-button" onClick={() => void openComparedItem(flip.id)} aria-label={`Open item ${flip.id} side by side`}>
                    {flip.id}
                  </button>
                  <span className="small">
                    {describeFlip(flip)} · P(unsafe) {formatScore(flip.baselineScore)} → {formatScore(flip.candidateScore)}
                  </span>
                  {flip.effect !== "same" && <span className={`badge ${flip.effect === "fixed" ? "badge-ok" : flip.effect === "regressed" ? "badge-danger" : ""}`}>{flip.effect}</span>}
                </li>
              ))}
            </ul>
          )}
          {report.flips.length > shown && (
            <button type="button" className="button button-small" onClick={() => setShown(shown + 50)}>
              Show more
            </button>
          )}
        </>
      )}
    </Panel>
  );
}

/** What changed for the item, in words: the flag at the threshold, the model's verdict, the categories it named. */
export function describeFlip(flip: VerdictFlip): string {
  const parts: string[] = [];
  if (flip.direction) parts.push(`flag ${flip.direction === "safe-to-unsafe" ? "not flagged → flagged" : "flagged → not flagged"}`);
  if (flip.changed.includes("verdict")) parts.push(`verdict ${flip.baselineVerdict} → ${flip.candidateVerdict}`);
  if (flip.changed.includes("categories")) {
    const list = (codes: string[] | undefined) => (codes && codes.length > 0 ? codes.join(", ") : "none");
    parts.push(`categories ${list(flip.baselineCategories)} → ${list(flip.candidateCategories)}`);
  }
  return parts.join(" · ");
}
