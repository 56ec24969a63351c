/**
 * Several models over one dataset (#15.5, runs:start-multi): tick installed models (each with the family it is scored
 * as, its detected one first), start a run per model — scored one after another, each loading its model — and, once
 * they are done, open them side by side on Evaluation.
 */
import { useState, type FormEvent } from "react";
import { MAX_MULTI_RUN_MODELS } from "../../../../shared/ipc/index.ts";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { datasetsSelectors } from "../datasets/selectors.ts";
import { modelsSelectors } from "../models/selectors.ts";
import { FamilyOptions } from "../policy/FamilyOptions.tsx";
import { RunFamilySettings, runFamilySettings, type ChosenSettings } from "./RunFamilySettings.tsx";
import { isThresholdText, RunThresholdField } from "./RunThresholdField.tsx";
import { runsSelectors } from "./selectors.ts";

export function MultiRunPanel() {
  const datasets = useAppStore(datasetsSelectors.list);
  const installed = useAppStore(modelsSelectors.installed);
  const datasetId = useAppStore(runsSelectors.startDatasetId);
  const multiRun = useAppStore(runsSelectors.multiRun);
  const runs = useAppStore(runsSelectors.list);
  const startMultiRun = useAppStore((s) => s.startMultiRun);
  const openSideBySide = useAppStore((s) => s.openSideBySide);
  /** ticked models, in the order ticked, with the family each is scored as and that family's settings ticked */
  const [chosen, setChosen] = useState<{ modelId: string; family: PromptFamily | ""; familySettings: ChosenSettings }[]>([]);
  const [threshold, setThreshold] = useState("0.5");
  const usable = installed.filter((model) => !model.problem);
  const dataset = datasets.find((candidate) => candidate.id === datasetId) ?? datasets[0];
  const thresholdValid = isThresholdText(threshold);
  const familiesChosen = chosen.every((model) => model.family !== "");
  const ready = dataset !== undefined && chosen.length >= 2 && familiesChosen && thresholdValid && !multiRun.starting;
  const made = multiRun.runIds?.map((runId) => runs.find((run) => run.id === runId));
  const allDone = made !== undefined && made.every((run) => run?.state === "done");

  function toggle(modelId: string, detected: PromptFamily | undefined) {
    setChosen((current) => (current.some((model) => model.modelId === modelId) ? current.filter((model) => model.modelId !== modelId) : [...current, { modelId, family: detected ?? "", familySettings: {} }]));
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready || !dataset) return;
    const models = chosen.map(({ modelId, family, familySettings }) => {
      const settings = runFamilySettings(family as PromptFamily, familySettings);
      return { modelId, family: family as PromptFamily, ...(settings && { familySettings: settings }) };
    });
    void startMultiRun({ datasetId: dataset.id, models, threshold: Number(threshold) });
  }

  if (datasets.length === 0) return null;
  return (
    <Panel title="Run several models">
      <form className="run-form" onSubmit={submit} aria-label="Run several models">
        <p className="muted small">
          One run per model on <strong>{dataset?.name}</strong> (the dataset chosen above), each with its family&apos;s preset policy, scored one after another: the engine holds one model at a time, so each run loads its
          own, replacing the loaded one.
        </p>
        {usable.length < 2 ? (
          <p className="empty">Install at least two models on the Models screen to compare them.</p>
        ) : (
          <ul className="plain-list" aria-label="Models to run">
            {usable.map((model) => {
              const pick = chosen.find((entry) => entry.modelId === model.id);
              const detected = model.info?.promptFamily?.family;
              return (
                <li key={model.id} className="checkbox-row">
                  <label className="checkbox-row">
                    <input type="checkbox" checked={pick !== undefined} disabled={!pick && chosen.length >= MAX_MULTI_RUN_MODELS} onChange={() => toggle(model.id, detected)} /> {model.fileName}
                  </label>
                  {pick && (
                    <select
                      className="select select-small"
                      aria-label={`Prompt family of ${model.fileName}`}
                      value={pick.family}
                      onChange={(event) => setChosen((current) => current.map((entry) => (entry.modelId === model.id ? { ...entry, family: event.target.value as PromptFamily } : entry)))}
                    >
                      {pick.family === "" && <option value="">Choose its family…</option>}
                      <FamilyOptions />
                    </select>
                  )}
                  {pick && pick.family !== "" && (
                    <RunFamilySettings
                      family={pick.family}
                      chosen={pick.familySettings}
                      legend={`Settings of ${model.fileName}`}
                      onChange={(familySettings) => setChosen((current) => current.map((entry) => (entry.modelId === model.id ? { ...entry, familySettings } : entry)))}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        )}
        <RunThresholdField value={threshold} onChange={setThreshold} />
        <button type="submit" className="button button-primary" aria-disabled={!ready}>
          {multiRun.starting ? "Starting…" : `Start ${chosen.length} runs`}
        </button>
      </form>
      {multiRun.error && <ErrorMessage error={multiRun.error} title="The runs could not start" />}
      {multiRun.runIds && (
        <p className="small" role="status">
          Runs {multiRun.runIds.join(", ")}: {allDone ? "all done." : "scored one after another."}{" "}
          <button type="button" className="button button-small" aria-disabled={!allDone} onClick={() => allDone && void openSideBySide(multiRun.runIds!)}>
            Compare them side by side
          </button>
        </p>
      )}
    </Panel>
  );
}
