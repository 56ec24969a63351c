/**
 * Several runs of one dataset side by side (#15.5): tick the runs (different models, families or policy versions),
 * read one metrics table and one chart with a curve per run, how often each pair agrees, and the items they flag
 * differently — each run's result of such an item opens in full.
 */
import { useId, useRef, useState } from "react";
import { THRESHOLD_RANGE } from "../../../../shared/classify/result.ts";
import type { SideBySideReport } from "../../../../shared/ipc/index.ts";
import { runName } from "../../../../shared/runs/runName.ts";
import { PrCurvesChart, SERIES_COLOURS } from "../../components/charts.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatScore } from "../../components/format.ts";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { runsSelectors } from "../runs/selectors.ts";
import { evaluationSelectors } from "./selectors.ts";

const f3 = (value: number | null) => (value === null ? "—" : value.toFixed(3));
const percent = (value: number | null) => (value === null ? "—" : `${(value * 100).toFixed(1)}%`);
const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;

export function SideBySidePanel() {
  const runs = useAppStore(runsSelectors.list);
  const sideBySide = useAppStore(evaluationSelectors.sideBySide);
  const toggle = useAppStore((s) => s.toggleSideBySideRun);
  const compare = useAppStore((s) => s.compareSideBySide);
  const setThreshold = useAppStore((s) => s.setSideBySideThreshold);
  const thresholdId = useId();
  const tooFew = sideBySide.runIds.length < 2;
  return (
    <Panel title="Side by side">
      <fieldset className="run-choices">
        <legend className="field-label">Runs to put side by side (of one dataset)</legend>
        {runs.length === 0 && <p className="muted small">No runs yet.</p>}
        {runs.map((run) => (
          <label key={run.id} className="checkbox-row">
            <input type="checkbox" checked={sideBySide.runIds.includes(run.id)} onChange={() => toggle(run.id)} /> {runName(run)}
          </label>
        ))}
      </fieldset>
      <div className="inline-form">
        <label htmlFor={thresholdId} className="field-label">
          Threshold
        </label>
        <input
          id={thresholdId}
          className="input input-narrow"
          type="number"
          min={THRESHOLD_RANGE.min}
          max={THRESHOLD_RANGE.max}
          step={0.01}
          placeholder="each run's"
          value={sideBySide.threshold ?? ""}
          onChange={(event) => void setThreshold(event.target.value === "" ? undefined : Number(event.target.value))}
        />
        <button type="button" className="button button-small" aria-disabled={tooFew || sideBySide.loading} onClick={() => void compare()}>
          {sideBySide.loading ? "Comparing…" : `Compare ${sideBySide.runIds.length} runs`}
        </button>
        {tooFew && <span className="muted small">Tick at least two runs.</span>}
      </div>
      {sideBySide.error && <ErrorMessage error={sideBySide.error} title="Could not put the runs side by side" />}
      {sideBySide.report && <SideBySideView report={sideBySide.report} />}
    </Panel>
  );
}

function SideBySideView({ report }: { report: SideBySideReport }) {
  const openResult = useAppStore((s) => s.openResult);
  const exportChart = useAppStore((s) => s.exportChart);
  const chartRef = useRef<SVGSVGElement>(null);
  const [shown, setShown] = useState(50);
  const { agreement } = report;
  return (
    <div className="stack">
      <table className="table" aria-label="Side-by-side metrics">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Model</th>
            <th scope="col">Threshold</th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
            <th scope="col">F1</th>
            <th scope="col">FPR</th>
            <th scope="col">AUPRC</th>
            <th scope="col">Counted</th>
          </tr>
        </thead>
        <tbody>
          {report.runs.map((run, index) => (
            <tr key={run.runId}>
              <th scope="row">
                <span className="legend-swatch" style={{ background: SERIES_COLOURS[index % SERIES_COLOURS.length] }} aria-hidden="true" /> {run.name}
              </th>
              <td>
                {fileName(run.modelPath)} <span className="muted small">({run.family})</span>
              </td>
              <td className="mono">{formatScore(run.threshold)}</td>
              <td className="mono">{f3(run.evaluation.precision)}</td>
              <td className="mono">{f3(run.evaluation.recall)}</td>
              <td className="mono">{f3(run.evaluation.f1)}</td>
              <td className="mono">{f3(run.evaluation.fpr)}</td>
              <td className="mono">{f3(run.evaluation.auprc)}</td>
              <td className="mono">
                {run.evaluated} / {run.items}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="charts-layout">
        <Panel
          title="Precision-recall curves"
          actions={
            <button type="button" className="button button-quiet button-small" aria-label="Export the side-by-side curves as SVG" onClick={() => chartRef.current && void exportChart(chartRef.current, `pr-curves-dataset-${report.datasetId}`, "svg")}>
              SVG
            </button>
          }
        >
          <PrCurvesChart ref={chartRef} series={report.runs.map((run) => ({ name: run.name, curve: run.curve, auprc: run.evaluation.auprc }))} />
        </Panel>
        <Panel title="Agreement">
          <p>
            {agreement.compared} items scored by every run; {agreement.unanimous} flagged alike by all, {agreement.disagreementCount} not.
          </p>
          <table className="table" aria-label="Agreement between runs">
            <thead>
              <tr>
                <th scope="col">Runs</th>
                <th scope="col">Agree</th>
                <th scope="col">Cohen&apos;s κ</th>
              </tr>
            </thead>
            <tbody>
              {agreement.pairs.map((pair) => (
                <tr key={pair.runIds.join("-")}>
                  {/* The metrics table above names each run in full; here its number is enough. */}
                  <th scope="row">
                    Run {pair.runIds[0]} · Run {pair.runIds[1]}
                  </th>
                  <td className="mono">
                    {percent(pair.share)} ({pair.agreed} / {pair.compared})
                  </td>
                  <td className="mono">{f3(pair.kappa)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      </div>
      {agreement.disagreements.length > 0 && (
        <>
          <h3 className="subheading">Items the runs flag differently</h3>
          <ul className="plain-list flips" aria-label="Items the runs flag differently">
            {agreement.disagreements.slice(0, shown).map((item) => (
              <li key={item.itemId} className="flip">
                <strong>{item.itemId}</strong> <span className="small">{item.label ? `labelled ${item.label}` : "unlabelled"}</span>
                {report.runs.map((run, index) => (
                  <button
                    key={run.runId}
                    type="button"
                    className="link-button small"
                    aria-label={`Open item ${item.itemId} in ${run.name}`}
                    onClick={() => void openResult(run.runId, item.itemId)}
                  >
                    {item.flagged[index] ? "flagged" : "not flagged"} {formatScore(item.scores[index]!)}
                  </button>
                ))}
              </li>
            ))}
          </ul>
          {agreement.disagreements.length > shown && (
            <button type="button" className="button button-small" onClick={() => setShown(shown + 50)}>
              Show more
            </button>
          )}
          {agreement.disagreementCount > agreement.disagreements.length && (
            <p className="muted small">The first {agreement.disagreements.length} of {agreement.disagreementCount} are listed.</p>
          )}
        </>
      )}
    </div>
  );
}
