/** Runs: start one (dataset + the loaded model + a saved policy version + threshold), follow, cancel, resume, list. */
import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import type { ResultError, RunJobProgress, RunSummary } from "../../../../shared/ipc/index.ts";
import { runDescription, runName } from "../../../../shared/runs/runName.ts";
import { ConfirmButton } from "../../components/ConfirmButton.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatDateTime, formatEta } from "../../components/format.ts";
import { Panel, RefreshButton, ScreenHeader } from "../../components/Panel.tsx";
import { ProgressBar } from "../../components/ProgressBar.tsx";
import { useAppStore } from "../../store/index.ts";
import { datasetsSelectors } from "../datasets/selectors.ts";
import { endpointsSelectors } from "../endpoints/selectors.ts";
import { RunEndpointProgress, RunPoolPicker } from "../endpoints/RunPool.tsx";
import { modelsSelectors } from "../models/selectors.ts";
import { MultiRunPanel } from "./MultiRunPanel.tsx";
import { RunFamilySettings, runFamilySettings, runFamilySettingsText, type ChosenSettings } from "./RunFamilySettings.tsx";
import { isThresholdText, RunThresholdField } from "./RunThresholdField.tsx";
import { runsSelectors } from "./selectors.ts";

export function RunsScreen() {
  return (
    <div className="screen">
      <ScreenHeader title="Runs" description="Classify every item of a dataset with the loaded model and a saved policy; the results are kept and can be resumed." />
      <div className="stack">
        <StartRunPanel />
        <MultiRunPanel />
        <RunList />
      </div>
    </div>
  );
}

function StartRunPanel() {
  const datasets = useAppStore(datasetsSelectors.list);
  const saved = useAppStore((s) => s.policy.saved);
  const engineState = useAppStore(modelsSelectors.engineState);
  const modelName = useAppStore(modelsSelectors.loadedModelName);
  const family = useAppStore(modelsSelectors.readyFamily);
  const startRun = useAppStore((s) => s.startRun);
  const starting = useAppStore(runsSelectors.starting);
  const error = useAppStore(runsSelectors.startError);
  const poolValid = useAppStore(endpointsSelectors.poolValid);
  const navigate = useAppStore((s) => s.navigate);
  const datasetId = useAppStore(runsSelectors.startDatasetId);
  const chooseDataset = useAppStore((s) => s.chooseRunDataset);
  const [policy, setPolicy] = useState("");
  const [threshold, setThreshold] = useState("0.5");
  const [familySettings, setFamilySettings] = useState<ChosenSettings>({});
  const ids = { dataset: useId(), policy: useId() };
  const chosenDataset = datasetId !== undefined && datasets.some((dataset) => dataset.id === datasetId) ? datasetId : datasets[0]?.id;
  const thresholdValue = Number(threshold);
  const thresholdValid = isThresholdText(threshold);
  const ready = engineState === "ready" && chosenDataset !== undefined && thresholdValid && poolValid && !starting;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready || chosenDataset === undefined) return;
    const [name, version] = policy === "" ? [] : [policy.slice(0, policy.lastIndexOf("@")), Number(policy.slice(policy.lastIndexOf("@") + 1))];
    const settings = runFamilySettings(family, familySettings);
    void startRun({ datasetId: chosenDataset, threshold: thresholdValue, ...(name && version && { policyVersion: { name, version } }), ...(settings && { familySettings: settings }) });
  }

  return (
    <Panel title="Start a run">
      {datasets.length === 0 ? (
        <p className="empty">
          No dataset yet.{" "}
          <button type="button" className="link-button" onClick={() => navigate("datasets")}>
            Import one
          </button>
        </p>
      ) : (
        <form className="run-form" onSubmit={submit}>
          <div className="field field-inline">
            <label htmlFor={ids.dataset} className="field-label">
              Dataset
            </label>
            <select id={ids.dataset} className="select select-small" value={chosenDataset ?? ""} onChange={(event) => chooseDataset(Number(event.target.value))}>
              {datasets.map((dataset) => (
                <option key={dataset.id} value={dataset.id}>
                  {dataset.name} ({dataset.items} items)
                </option>
              ))}
            </select>
          </div>
          <div className="field field-inline">
            <label htmlFor={ids.policy} className="field-label">
              Policy
            </label>
            <select id={ids.policy} className="select select-small" value={policy} onChange={(event) => setPolicy(event.target.value)}>
              <option value="">The model family's preset</option>
              {saved.flatMap((summary) =>
                summary.versions.map((version) => (
                  <option key={`${summary.name}@${version.version}`} value={`${summary.name}@${version.version}`}>
                    {summary.name} v{version.version}
                  </option>
                )),
              )}
            </select>
          </div>
          <RunThresholdField value={threshold} onChange={setThreshold} />
          <RunFamilySettings family={family} chosen={familySettings} onChange={setFamilySettings} />
          <RunPoolPicker />
          <p className="small run-model">
            Model: {engineState === "ready" ? <strong>{modelName}</strong> : <span className="muted">none loaded — load one on the Models screen</span>}
          </p>
          <button type="submit" className="button button-primary" aria-disabled={!ready}>
            {starting ? "Starting…" : "Start run"}
          </button>
        </form>
      )}
      {error && <ErrorMessage error={error} title="The run could not start" />}
    </Panel>
  );
}

const STATE_LABELS: Record<RunSummary["state"], string> = { running: "running", paused: "paused", cancelled: "cancelled", done: "done", failed: "failed" };

function RunList() {
  const runs = useAppStore(runsSelectors.list);
  const error = useAppStore(runsSelectors.listError);
  const progress = useAppStore(runsSelectors.progressByRun);
  const refresh = useAppStore((s) => s.refreshRuns);
  return (
    <Panel
      title="Runs"
      actions={<RefreshButton onRefresh={refresh} />}
    >
      {error && <ErrorMessage error={error} />}
      {runs.length === 0 ? (
        <p className="empty">No runs yet.</p>
      ) : (
        <table className="table runs-table" aria-label="Run list">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Dataset</th>
              <th scope="col">Policy · threshold</th>
              <th scope="col">State</th>
              <th scope="col">Progress</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <RunRow key={run.id} run={run} job={progress[run.id]} />
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

/** "scored by gpu-1, gpu-2 and this machine": what produced a pooled run's results, once it is no longer running. */
function scoredBy(endpoints: readonly string[], includeLocal: boolean): string {
  const scorers = [...endpoints, ...(includeLocal ? ["this machine"] : [])];
  const listed = scorers.length > 1 ? `${scorers.slice(0, -1).join(", ")} and ${scorers.at(-1)}` : scorers[0];
  return `scored by ${listed}`;
}

function RunRow({ run, job }: { run: RunSummary; job?: RunJobProgress }) {
  const cancelJob = useAppStore((s) => s.cancelJob);
  const pauseJob = useAppStore((s) => s.pauseJob);
  const resumeJob = useAppStore((s) => s.resumeJob);
  const resumeRun = useAppStore((s) => s.resumeRun);
  const resumingId = useAppStore(runsSelectors.resumingId);
  const openReview = useAppStore((s) => s.openReview);
  const openEvaluation = useAppStore((s) => s.openEvaluation);
  const deleteRun = useAppStore((s) => s.deleteRun);
  const done = job ? job.done : run.counts.scored + run.counts.failed;
  const total = job ? job.total : run.counts.items;
  const state = job ? (job.state === "paused" ? "paused" : "running") : run.state;
  const resumable = !job && (run.state === "running" || run.state === "paused" || run.state === "failed");
  const name = `run ${run.id}`;
  const familySettingsText = runFamilySettingsText(run);
  return (
    <tr>
      <td>
        <RunNameCell run={run} />
        <div className="muted small">{formatDateTime(run.createdAt)}</div>
      </td>
      <td>{run.datasetName}</td>
      <td className="small">
        {run.policyName}
        {run.policyVersion ? ` v${run.policyVersion}` : ""} · {run.settings.threshold}
        {familySettingsText && <div className="muted small">{familySettingsText}</div>}
        {run.settings.customGuard && <div className="muted small">Custom guard “{run.settings.customGuard.name}”</div>}
        {run.settings.endpoints && <div className="muted small">{scoredBy(run.settings.endpoints, run.settings.includeLocal === true)}</div>}
        {run.settings.scoresFrom !== undefined && <div className="muted small">scores from run {run.settings.scoresFrom} (only the threshold differs)</div>}
      </td>
      <td>
        <span className={`badge run-state run-state-${state}`}>{STATE_LABELS[state]}</span>
        {run.stopReason && <div className="small field-error">{run.stopReason.message}</div>}
      </td>
      <td className="run-progress">
        <ProgressBar
          label={`Progress of ${name}`}
          value={job?.phase === "scoring" || !job ? done : undefined}
          max={total || 1}
          detail={
            job
              ? job.phase === "scoring"
                ? `${done} / ${total} · ${job.itemsPerSecond.toFixed(1)} items/s · ETA ${formatEta(job.etaSeconds)}`
                : `${job.phase}…`
              : `${done} / ${total}${run.counts.failed > 0 ? ` · ${run.counts.failed} failed` : ""}`
          }
        />
        <RunEndpointProgress job={job} runName={name} />
      </td>
      <td>
        <div className="run-actions">
          {job && (
            <>
              {job.state === "paused" ? (
                <button type="button" className="button button-small" onClick={() => void resumeJob(job.jobId)} aria-label={`Resume ${name}`}>
                  Resume
                </button>
              ) : (
                <button type="button" className="button button-small" onClick={() => void pauseJob(job.jobId)} aria-label={`Pause ${name}`}>
                  Pause
                </button>
              )}
              <button type="button" className="button button-small button-danger-text" onClick={() => void cancelJob(job.jobId)} aria-label={`Cancel ${name}`}>
                Cancel
              </button>
            </>
          )}
          {resumable && (
            <button type="button" className="button button-small" onClick={() => void resumeRun(run.id)} aria-label={`Resume ${name}`} aria-disabled={resumingId === run.id}>
              Resume
            </button>
          )}
          {!job && run.state === "done" && run.counts.failed > 0 && (
            <button type="button" className="button button-small" onClick={() => void resumeRun(run.id, true)} aria-label={`Retry failed items of ${name}`}>
              Retry failed
            </button>
          )}
          <button type="button" className="button button-quiet button-small" onClick={() => void openReview(run.datasetId, run.id)} aria-label={`Review ${name}`}>
            Review
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => void openEvaluation(run.id)} aria-label={`Evaluate ${name}`}>
            Evaluate
          </button>
          {!job && (
            <ConfirmButton
              label="Delete"
              ariaLabel={`Delete ${name}`}
              title={`Delete run ${run.id}?`}
              message={() => `Its ${run.counts.scored + run.counts.failed} results are deleted; the dataset ${run.datasetName} and its labels stay. This cannot be undone.`}
              confirmLabel="Delete run"
              onConfirm={() => deleteRun(run.id)}
            />
          )}
        </div>
      </td>
    </tr>
  );
}

/**
 * The run's name (shared/runs/runName.ts) and note, renamed in place: Rename opens the fields, Enter (or Save) keeps
 * them, Esc (or Cancel) leaves them; an empty name gives back the generated one, an empty note removes it.
 */
function RunNameCell({ run }: { run: RunSummary }) {
  const updateRun = useAppStore((s) => s.updateRun);
  const [editing, setEditing] = useState<{ name: string; note: string } | undefined>(undefined);
  const [error, setError] = useState<ResultError | undefined>(undefined);
  const ids = { name: useId(), note: useId() };
  if (!editing) {
    return (
      <>
        <strong>{runName(run)}</strong>
        {run.note && <div className="small run-note">{run.note}</div>}
        <button type="button" className="button button-quiet button-small" aria-label={`Rename run ${run.id}`} onClick={() => setEditing({ name: run.name ?? "", note: run.note ?? "" })}>
          Rename
        </button>
      </>
    );
  }
  const save = async () => {
    const refused = await updateRun(run.id, { name: editing.name, note: editing.note });
    setError(refused);
    if (!refused) setEditing(undefined);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      setEditing(undefined);
      setError(undefined);
    } else if (event.key === "Enter" && !(event.target instanceof HTMLTextAreaElement && event.shiftKey)) {
      event.preventDefault();
      void save();
    }
  };
  return (
    <div className="stack run-rename" onKeyDown={onKeyDown}>
      <label htmlFor={ids.name} className="field-label">
        Name of run {run.id}
      </label>
      <input id={ids.name} className="input input-small" value={editing.name} placeholder={runDescription(run)} autoFocus onChange={(event) => setEditing({ ...editing, name: event.target.value })} />
      <label htmlFor={ids.note} className="field-label">
        Note on run {run.id}
      </label>
      <textarea id={ids.note} className="input input-small" rows={2} value={editing.note} onChange={(event) => setEditing({ ...editing, note: event.target.value })} />
      {error && <ErrorMessage error={error} title="Could not rename the run" />}
      <div className="inline-form">
        <button type="button" className="button button-small" onClick={() => void save()}>
          Save
        </button>
        <button type="button" className="button button-quiet button-small" onClick={() => setEditing(undefined)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
