/**
 * Evaluation runs: the list, starting one (dataset + the loaded model + a saved policy version + threshold), resuming
 * one. A run's progress is its job's `job:progress` (kept with the other jobs in `app.jobs`).
 */
import type { JobDone, ResultError, RunSettings, RunSummary, StartRunRequest } from "../../../../shared/ipc/index.ts";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { endpointsSelectors } from "../endpoints/selectors.ts";

/**
 * The form's run: a saved policy version (`policyVersion`; without one the loaded model family's preset), a threshold
 * and the loaded model family's settings (when it has any).
 */
export type RunRequest = Pick<StartRunRequest, "datasetId" | "policyVersion"> & Pick<RunSettings, "threshold" | "familySettings">;

export interface RunsState {
  list: RunSummary[];
  loaded: boolean;
  listError?: ResultError;
  starting: boolean;
  startError?: ResultError;
  /** the run whose Resume is being asked for */
  resumingId?: number;
  /** the dataset the start form has chosen (a dataset row's Run button chooses it); undefined: the newest */
  startDatasetId?: number;
  multiRun: MultiRunState;
}

/** Several models over one dataset (runs:start-multi). */
export interface MultiRunState {
  starting: boolean;
  error?: ResultError;
  /** the runs the last multi-run made, in the order of its models */
  runIds?: number[];
}

export interface MultiRunRequest {
  datasetId: number;
  models: { modelId: string; family: PromptFamily; familySettings?: Record<string, boolean> }[];
  threshold: number;
}

export interface RunsSlice {
  runs: RunsState;
  refreshRuns(): Promise<void>;
  /** chooses the dataset in the start form */
  chooseRunDataset(datasetId: number): void;
  /** a dataset row's Run button: the Runs screen, its form on that dataset */
  prepareRun(datasetId: number): void;
  startRun(request: RunRequest): Promise<number | undefined>;
  /** a run per model over the dataset, scored one after another (each with its family's preset policy) */
  startMultiRun(request: MultiRunRequest): Promise<void>;
  resumeRun(runId: number, retryFailed?: boolean): Promise<void>;
  runJobFinished(done: JobDone): void;
  /** renames a run and/or sets its note ("" gives back the generated name, or removes the note); the error, if refused */
  updateRun(runId: number, changes: { name?: string; note?: string }): Promise<ResultError | undefined>;
  /** deletes a run and its results; the dataset and its labels stay */
  deleteRun(runId: number): Promise<void>;
}

export const initialRunsState: RunsState = { list: [], loaded: false, starting: false, multiRun: { starting: false } };

export const createRunsSlice: SliceCreator<RunsSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<RunsState>) => patchSlice(set, "runs", changes);
  return {
    runs: initialRunsState,

    async refreshRuns() {
      const listed = await bridge.invoke("runs:list", {});
      patch(listed.ok ? { list: listed.value.runs, loaded: true, listError: undefined } : { loaded: true, listError: listed.error });
    },

    chooseRunDataset: (startDatasetId) => patch({ startDatasetId }),

    prepareRun(datasetId) {
      patch({ startDatasetId: datasetId });
      get().navigate("runs");
    },

    async startRun({ datasetId, policyVersion, threshold, familySettings }) {
      patch({ starting: true, startError: undefined });
      // The pool chosen on the Endpoints part of the form; a local-only run sends no pool fields at all.
      const pool = endpointsSelectors.poolRequest(get());
      const started = await bridge.invoke("runs:start", { datasetId, ...(policyVersion && { policyVersion }), settings: { threshold, ...(familySettings && { familySettings }) }, ...pool });
      if (!started.ok) {
        patch({ starting: false, startError: started.error });
        return undefined;
      }
      patch({ starting: false });
      const { runId, reusedScores } = started.value;
      if (reusedScores) {
        get().notify({
          kind: "info",
          message: `Run ${runId} took ${reusedScores.count} score(s) from run ${reusedScores.fromRunId}, which differs only by its threshold: those items are not classified again.`,
        });
      }
      await get().refreshRuns();
      return runId;
    },

    async startMultiRun({ datasetId, models, threshold }) {
      patch({ multiRun: { starting: true } });
      const started = await bridge.invoke("runs:start-multi", { datasetId, models, settings: { threshold } });
      patch({ multiRun: started.ok ? { starting: false, runIds: started.value.runIds } : { starting: false, error: started.error } });
      if (started.ok) await get().refreshRuns();
    },

    async resumeRun(runId, retryFailed) {
      patch({ resumingId: runId, startError: undefined });
      const resumed = await bridge.invoke("runs:resume", { runId, ...(retryFailed && { retryFailed }) });
      patch({ resumingId: undefined, ...(resumed.ok ? {} : { startError: resumed.error }) });
      await get().refreshRuns();
    },

    async updateRun(runId, changes) {
      const updated = await bridge.invoke("runs:update", { runId, ...changes });
      if (!updated.ok) return updated.error;
      await get().refreshRuns();
      return undefined;
    },

    async deleteRun(runId) {
      const deleted = await bridge.invoke("runs:delete", { runId });
      if (!deleted.ok) return void get().notify({ kind: "error", message: deleted.error.message, hint: deleted.error.hint });
      get().notify({ kind: "info", message: `Deleted run ${runId}; the dataset and its labels stay.` });
      await Promise.all([get().refreshRuns(), get().evaluationRunChanged({ runId, datasetId: 0, changes: ["removed"] })]);
    },

    runJobFinished(done) {
      if (done.kind !== "run") return;
      if (done.result.ok) get().notify({ kind: "info", message: `Run ${done.result.value.id} on ${done.result.value.datasetName}: ${done.result.value.state}.` });
      else if (done.result.error.code !== "cancelled") get().notify({ kind: "error", message: done.result.error.message, hint: done.result.error.hint });
      void get().refreshRuns();
      void get().refreshDatasets();
    },
  };
};
