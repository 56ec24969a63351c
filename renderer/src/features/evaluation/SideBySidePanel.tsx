/**
 * Several runs of one dataset side by side (#15.5): tick the runs (different models, families or policy versions),
 * read one metrics table and one chart with a curve per run, how often each pair agrees, and the items they flag
 * differently — each run's result of such an item opens in full.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { SideBySideCategories, SideBySideReport } from "../../../../shared/ipc/index.ts";
import { runName } from "../../../../shared/runs/runName.ts";
import { PrCurvesChart, SERIES_COLOURS } from "../../components/charts.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { fileNameOf, formatMetric, formatScore } from "../../components/format.ts";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { runsSelectors } from "../runs/selectors.ts";
import { EachRunThresholdInput } from "./EachRunThresholdInput.tsx";
import { evaluationSelectors } from "./selectors.ts";

const percent = (value: number | null) => (value === null ? "—" : `${(value * 100).toFixed(1)}%`);

export function SideBySidePanel() {
  const runs = useAppStore(runsSelectors.list);
  const sideBySide = useAppStore(evaluationSelectors.sideBySide);
  const toggle = useAppStore((s) => s.toggleSideBySideRun);
  const compare = useAppStore((s) => s.compareSideBySide);
  const setThreshold = useAppStore((s) => s.setSideBySideThreshold);
  const refreshComparisons = useAppStore((s) => s.refreshComparisons);
  const thresholdId = useId();
  useEffect(() => void refreshComparisons(), [refreshComparisons]);
  const tooFew = sideBySide.runIds.length < 2;
  return (
    <Panel title="Side by side">
      <fieldset className="choices">
        <legend className="field-label">Runs to put side by side (of one dataset)</legend>
        {runs.length === 0 && <p className="muted small">No runs yet.</p>}
        <div className="run-choices">
          {runs.map((run) => (
            <label key={run.id} className="checkbox-row">
              <input type="checkbox" checked={sideBySide.runIds.includes(run.id)} onChange={() => toggle(run.id)} /> {runName(run)}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="inline-form">
        <label htmlFor={thresholdId} className="field-label">
          Threshold
        </label>
        <EachRunThresholdInput id={thresholdId} value={sideBySide.threshold} onChange={(value) => void setThreshold(value)} />
        <button type="button" className="button button-small" aria-disabled={tooFew || sideBySide.loading} onClick={() => void compare()}>
          {sideBySide.loading ? "Comparing…" : `Compare ${sideBySide.runIds.length} runs`}
        </button>
        {tooFew && <span className="muted small">Tick at least two runs.</span>}
      </div>
      <SavedComparisons />
      {sideBySide.error && <ErrorMessage error={sideBySide.error} title="Could not put the runs side by side" />}
      {sideBySide.report && <SideBySideView report={sideBySide.report} />}
    </Panel>
  );
}

function SavedComparisons() {
  const { saved } = useAppStore(evaluationSelectors.sideBySide);
  const openComparison = useAppStore((s) => s.openComparison);
  const deleteComparison = useAppStore((s) => s.deleteComparison);
  if (saved.length === 0) return null;
  return (
    <ul className="plain-list small" aria-label="Saved comparisons">
      {saved.map((comparison) => (
        <li key={comparison.id}>
          <strong>{comparison.name}</strong> <span className="muted">(runs {comparison.runIds.join(", ")})</span>{" "}
          <button type="button" className="link-button" aria-label={`Open the comparison ${comparison.name}`} onClick={() => void openComparison(comparison)}>
            Open
          </button>{" "}
          <button type="button" className="link-button" aria-label={`Delete the comparison ${comparison.name}`} onClick={() => void deleteComparison(comparison.id)}>
            Delete
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Each run's categories onto the dataset's (a select per code), and per shared category each run's recall and precision. */
function CategoriesSideBySide({ report, perCategory }: { report: SideBySideReport; perCategory: SideBySideCategories }) {
  const mapCategory = useAppStore((s) => s.mapSideBySideCategory);
  if (perCategory.sharedCodes.length === 0) return <p className="muted small">The dataset&apos;s labels name no category, so there is nothing to compare per category.</p>;
  return (
    <div className="stack">
      <table className="table" aria-label="Per category, side by side">
        <thead>
          <tr>
            <th scope="col">Category</th>
            {report.runs.map((run) => (
              <th key={run.runId} scope="col">
                Run {run.runId} recall · precision
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {perCategory.rows.map((row) => (
            <tr key={row.code}>
              <th scope="row">{row.code}</th>
              {row.perRun.map((cell, index) => (
                <td key={report.runs[index]!.runId} className="mono">
                  {cell ? `${formatMetric(cell.recall)} · ${formatMetric(cell.precision)}` : "—"}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {perCategory.unknownHazardItems > 0 && <p className="muted small">{perCategory.unknownHazardItems} unsafe items name no category and count for none.</p>}
      <details>
        <summary>Map each run&apos;s categories onto the dataset&apos;s</summary>
        {report.runs.map((run, index) => (
          <fieldset key={run.runId} className="choices" aria-label={`Categories of run ${run.runId}`}>
            <legend className="field-label">
              Run {run.runId} ({run.family})
            </legend>
            <div className="run-choices">
              {run.categories.map((category) => (
                <label key={category.code} className="checkbox-row">
                  {category.code} {category.name}{" "}
                  <select
                    className="select select-small"
                    aria-label={`Run ${run.runId}: ${category.code} counts as`}
                    value={perCategory.mappings[index]?.[category.code] ?? ""}
                    onChange={(event) => void mapCategory(run.runId, category.code, event.target.value)}
                  >
                    <option value="">none</option>
                    {perCategory.sharedCodes.map((code) => (
                      <option key={code} value={code}>
                        {code}
                      </option>
                    ))}
                  </select>
                </label>
              ))}
            </div>
          </fieldset>
        ))}
      </details>
    </div>
  );
}

function SaveComparison() {
  const saveComparison = useAppStore((s) => s.saveComparison);
  const { saveError } = useAppStore(evaluationSelectors.sideBySide);
  const [name, setName] = useState("");
  const id = useId();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === "") return;
    if (await saveComparison(name.trim())) setName("");
  }
  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)} aria-label="Save this comparison">
      <label htmlFor={id} className="field-label">
        Save as
      </label>
      <input id={id} className="input" value={name} onChange={(event) => setName(event.target.value)} placeholder="a name for this comparison" />
      <button type="submit" className="button button-small" aria-disabled={name.trim() === ""}>
        Save comparison
      </button>
      {saveError && <ErrorMessage error={saveError} title="Could not save the comparison" />}
    </form>
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
                {fileNameOf(run.modelPath)} <span className="muted small">({run.family})</span>
              </td>
              <td className="mono">{formatScore(run.threshold)}</td>
              <td className="mono">{formatMetric(run.evaluation.precision)}</td>
              <td className="mono">{formatMetric(run.evaluation.recall)}</td>
              <td className="mono">{formatMetric(run.evaluation.f1)}</td>
              <td className="mono">{formatMetric(run.evaluation.fpr)}</td>
              <td className="mono">{formatMetric(run.evaluation.auprc)}</td>
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
                  <td className="mono">{formatMetric(pair.kappa)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      </div>
      <h3 className="subheading">Per category</h3>
      <CategoriesSideBySide report={report} perCategory={report.perCategory} />
      <SaveComparison />
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
