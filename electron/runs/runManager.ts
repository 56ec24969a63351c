/**
 * Runs inside the app: each start or resume is a JobManager job (`job:progress` with done/total, rate and ETA;
 * `job:cancel`, `job:pause`, `job:resume`) driving {@link executeRun} on the engine the rest of the app shares.
 *
 * - start: the loaded model, a policy (saved version, unsaved, or the family preset) and settings over a dataset.
 * - resume: a running (interrupted), paused or failed run continues with its items that have no result. The model
 *   file must still hash to what the run started with; when no model is loaded the job loads the run's model itself,
 *   but it never replaces another model the user loaded.
 * - start-up: runs the app left "running" (it quit or was killed mid-run) resume by themselves; paused runs wait for
 *   the user; runs of `guardbench run` are resumed by running that command again.
 */
import { isAbsolute, relative, sep } from "node:path";
import type { DatasetDeletion, RunDeletion, RunSettings, RunStarted, RunSummary, StartRunRequest } from "../../shared/ipc/contract.ts";
import { presetPolicy } from "../../shared/taxonomy/index.ts";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../shared/classify/result.ts";
import { EngineError } from "../engine/errors.ts";
import type { EngineControl } from "../engine/engineControl.ts";
import { toResultError } from "../core/errors.ts";
import { isJobShutdown, type JobManager, type ProgressUpdate } from "../core/jobs.ts";
import type { GuardbenchStore, RunActivity } from "../store/index.ts";
import { isProcessAlive } from "../store/processIdentity.ts";
import { RunError, RunStopped } from "./errors.ts";
import { assertRunModelUnchanged } from "./modelCheck.ts";
import { PauseGate, RunStop, type RunEngine } from "./runExecutor.ts";
import { createRun, scoreRun, type RunScorers, type VocabularyOpener } from "./runService.ts";
import type { PoolOptions } from "../engine/remote/pool.ts";
import { ModelVocabulary } from "../engine/remote/promptEncoding.ts";
import type { SecretStore } from "../endpoints/keyStore.ts";
import { resolveSavedEndpoints } from "../endpoints/savedEndpoints.ts";

export type { VocabularyOpener } from "./runService.ts";

/** What runs scored across endpoints need; without it, runs naming endpoints are refused. */
export interface RemoteScoring {
  secretStore: SecretStore;
  /** default: ModelVocabulary.open with the default engine worker */
  openVocabulary?: VocabularyOpener;
  /** the endpoint pool's timings (tests shorten the re-probe delay) */
  poolOptions?: Omit<PoolOptions, "onEvent">;
}

interface ActiveRun {
  jobId: string;
  gate: PauseGate;
}

export class RunManager {
  private readonly active = new Map<number, ActiveRun>();

  constructor(
    private readonly store: GuardbenchStore,
    private readonly jobs: JobManager,
    private readonly engineControl: EngineControl,
    /** the model library's folder: a run's model inside it is loaded by its library id */
    private readonly modelsDir: string,
    private readonly remote?: RemoteScoring,
  ) {}

  /** Whether the run is scored by endpoints only (the local engine need not hold its model). */
  private static remoteOnly(run: RunSummary): boolean {
    return (run.settings.endpoints ?? []).length > 0 && !run.settings.includeLocal;
  }

  /** The run with the id of the job scoring it in this process, when one is. */
  withJob<R extends RunSummary>(run: R): R {
    const jobId = this.active.get(run.id)?.jobId;
    return jobId ? { ...run, jobId } : run;
  }

  async start(request: StartRunRequest): Promise<RunStarted> {
    const { state, model } = this.engineControl.status;
    if (!model || (state !== "ready" && state !== "crashed")) {
      throw new EngineError("no-model-loaded", "load a model to start a run", "Choose a model in the model library and load it; the run classifies with the loaded model.");
    }
    const dataset = this.store.datasets.summary(request.datasetId);
    if (dataset.items === 0) throw new RunError("dataset-empty", `dataset ${dataset.id} (${dataset.name}) has no items to classify`, "Import a file with at least one good row.");
    const saved = request.policyVersion ? this.store.policies.get(request.policyVersion.name, request.policyVersion.version) : undefined;
    const policy = saved?.policy ?? request.policy ?? presetPolicy(model.family);
    if (policy.family !== model.family) {
      throw new RunError(
        "policy-family-mismatch",
        `the policy "${policy.name}" is written for ${policy.family}, but the loaded model uses the ${model.family} prompt format`,
        "Choose a policy for this model's family, or load a model of that family.",
      );
    }
    const endpointNames = request.endpoints ?? [];
    const endpoints = endpointNames.length > 0 ? await resolveSavedEndpoints(this.store, this.requireRemote().secretStore, endpointNames) : [];
    const localSequences = this.engineControl.loadedModel?.sequences ?? 1;
    const includeLocal = endpoints.length === 0 || (request.includeLocal ?? false);
    const settings: RunSettings = {
      threshold: request.settings?.threshold ?? DEFAULT_CLASSIFY_OPTIONS.threshold,
      topK: request.settings?.topK ?? DEFAULT_CLASSIFY_OPTIONS.topK,
      check: request.settings?.check ?? "last",
      sequences: endpoints.reduce((sum, endpoint) => sum + endpoint.concurrency, includeLocal ? localSequences : 0),
      ...(endpoints.length > 0 ? { endpoints: endpointNames, includeLocal } : {}),
    };
    // Hashed before answering (cached by path, size and mtime, so only a model's first run waits for it).
    const { runId, reusedScores } = await createRun(this.store, {
      datasetId: dataset.id,
      model: { path: model.path, family: model.family },
      policy,
      ...(saved ? { policyVersion: saved.version } : {}),
      settings,
      origin: "app",
    });
    return { runId, jobId: this.startJob(runId, { retryFailed: false, loadModel: false }), ...(reusedScores ? { reusedScores } : {}) };
  }

  async resume(runId: number, options: { retryFailed?: boolean } = {}): Promise<RunStarted> {
    const active = this.active.get(runId);
    if (active) {
      if (active.gate.paused) this.jobs.resume(active.jobId);
      return { runId, jobId: active.jobId };
    }
    const run = this.store.runs.get(runId);
    const retryFailed = options.retryFailed ?? false;
    if (run.state === "cancelled") throw new RunError("run-not-resumable", `run ${runId} was cancelled; its ${run.counts.scored} results stay as they are`, "Start a new run to score the dataset again.");
    if (run.state === "done" && !(retryFailed && run.counts.failed > 0)) {
      const failures = run.counts.failed > 0 ? ` (${run.counts.failed} failed: resume with retryFailed to score them again)` : "";
      throw new RunError("run-not-resumable", `run ${runId} is done: every item has a result${failures}`);
    }
    const { state, model } = this.engineControl.status;
    const engineBusyWithModel = state === "ready" || state === "crashed" || state === "loading";
    const sameModel = model?.path === run.model.path && model.family === run.model.family;
    if (RunManager.remoteOnly(run)) {
      // The endpoints score it; the local engine keeps whatever model the user has loaded.
      await assertRunModelUnchanged(this.store, run);
      return { runId, jobId: this.startJob(runId, { retryFailed, loadModel: false }) };
    }
    if (engineBusyWithModel && !sameModel) {
      throw new RunError(
        "model-mismatch",
        `run ${runId} was scored with ${run.model.path} (${run.model.family}), but the engine has ${model?.path ?? "another model"} ${state === "loading" ? "loading" : "loaded"}`,
        "Load the run's model, then resume; a run never mixes results from two models.",
      );
    }
    await assertRunModelUnchanged(this.store, run);
    return { runId, jobId: this.startJob(runId, { retryFailed, loadModel: !(engineBusyWithModel && sameModel) }) };
  }

  /** Deletes a run and its results; refused while it is being scored (see {@link refuseRunsInProgress}). */
  deleteRun(runId: number): RunDeletion {
    return this.store.runs.delete(runId, (runs) => this.refuseRunsInProgress(runs));
  }

  /** Deletes a dataset with its items, labels, runs and results; refused while one of its runs is being scored. */
  deleteDataset(datasetId: number): DatasetDeletion {
    return this.store.datasets.delete(datasetId, (runs) => this.refuseRunsInProgress(runs, datasetId));
  }

  /**
   * A run is in progress while a job here has it (scoring, loading its model, or paused mid-job) or a live process
   * holds it (`guardbench run`, another serve): deleting it would pull its rows from under the scorer.
   */
  private refuseRunsInProgress(runs: readonly RunActivity[], datasetId?: number): void {
    const busy = runs.find((run) => this.active.has(run.id) || (run.ownerPid !== null && isProcessAlive(run.ownerPid)));
    if (!busy) return;
    const here = this.active.has(busy.id);
    const what = datasetId === undefined ? `run ${busy.id} is being scored` : `dataset ${datasetId} has a run being scored (run ${busy.id})`;
    throw new RunError(
      "run-in-progress",
      `${what}${here ? "" : ` by another Guardbench process (pid ${busy.ownerPid})`}, so it cannot be deleted`,
      here ? "Cancel the run first (Runs screen, or job:cancel), then delete." : "Stop that process's run first (Ctrl+C where `guardbench run` runs), then delete.",
    );
  }

  /** Start-up: resumes the runs the app left running. A run that cannot continue is marked failed with the reason. */
  async resumeInterrupted(): Promise<void> {
    let interrupted: number[];
    try {
      interrupted = this.store.runs.inState("running", "app");
    } catch {
      return; // the database is unusable; the handlers report that on first use
    }
    for (const runId of interrupted) {
      try {
        await this.resume(runId);
      } catch (error) {
        // Another live process scoring it is no failure of the run.
        if (error instanceof RunError && error.code === "run-busy") continue;
        try {
          this.store.runs.setState(runId, "failed", toResultError(error, `resuming run ${runId}`));
        } catch {
          // the reason cannot be stored; the run stays as it was and start-up tries again next time
        }
      }
    }
  }

  private startJob(runId: number, options: { retryFailed: boolean; loadModel: boolean }): string {
    const run = this.store.runs.get(runId);
    const gate = new PauseGate();
    let reportState: ((state: "running" | "paused") => void) | undefined;
    const setPaused = (paused: boolean) => {
      if (paused) gate.pause();
      else gate.resume();
      this.store.runs.setState(runId, paused ? "paused" : "running");
      reportState?.(paused ? "paused" : "running");
    };
    const jobId = this.jobs.start({
      kind: "run",
      initial: {
        state: "running",
        runId,
        datasetId: run.datasetId,
        phase: options.loadModel ? "loading" : "scoring",
        // Failed items being retried count as not done yet, as the executor counts them.
        done: run.counts.scored + (options.retryFailed ? 0 : run.counts.failed),
        total: run.counts.items,
        failed: options.retryFailed ? 0 : run.counts.failed,
        itemsPerSecond: 0,
        etaSeconds: null,
      },
      pause: async () => setPaused(true),
      resume: () => setPaused(false),
      run: async ({ signal, report }) => {
        reportState = (state) => report({ state });
        // The job's signal says cancel or shutdown; the run's says which, as a RunStop.
        const stopper = new AbortController();
        const forward = () => stopper.abort(new RunStop(isJobShutdown(signal) ? "shutdown" : "cancel"));
        if (signal.aborted) forward();
        else signal.addEventListener("abort", forward, { once: true });
        try {
          if (options.loadModel) await this.loadRunModel(runId, stopper.signal);
          report({ phase: "scoring" } satisfies ProgressUpdate<"run">);
          const engine: RunEngine = { classify: async (request, classifyOptions, classifySignal) => (await this.engineControl.classify(request, classifyOptions, classifySignal)).result };
          // From here on the executor records the run's state itself.
          const outcome = await scoreRun(this.store, runId, await this.scorersOf(runId, engine), {
            retryFailed: options.retryFailed,
            signal: stopper.signal,
            pauseGate: gate,
            onProgress: (progress) => report(progress),
          });
          if (outcome.state === "cancelled") throw new RunError("cancelled", `run ${runId} was cancelled; its ${outcome.scoredNow + outcome.alreadyDone} results so far are kept`);
          if (outcome.stopReason) throw new RunStopped(outcome.stopReason);
          return this.store.runs.get(runId);
        } finally {
          signal.removeEventListener("abort", forward);
          this.active.delete(runId);
        }
      },
    });
    this.active.set(runId, { jobId, gate });
    return jobId;
  }

  /**
   * Who scores the run: the local engine alone, or its endpoints (settings.endpoints, looked up again: a resume uses
   * their current addresses and keys) and, with includeLocal, the local engine too. Endpoints that cannot be resolved
   * mark the run failed with the reason.
   */
  private async scorersOf(runId: number, engine: RunEngine): Promise<RunScorers> {
    const run = this.store.runs.get(runId);
    const local = { engine, concurrency: this.engineControl.loadedModel?.sequences ?? (run.settings.endpoints?.length ? 1 : run.settings.sequences) };
    if ((run.settings.endpoints ?? []).length === 0) return { local, endpoints: [] };
    const remote = this.requireRemote();
    let endpoints;
    try {
      endpoints = await resolveSavedEndpoints(this.store, remote.secretStore, run.settings.endpoints ?? []);
    } catch (error) {
      const reason = toResultError(error, `resolving the endpoints of run ${runId}`);
      this.store.runs.setState(runId, "failed", reason);
      throw new RunStopped(reason);
    }
    return {
      ...(run.settings.includeLocal ? { local } : {}),
      endpoints,
      openVocabulary: remote.openVocabulary ?? ((path, family) => ModelVocabulary.open(path, family)),
      ...(remote.poolOptions ? { poolOptions: remote.poolOptions } : {}),
    };
  }

  private requireRemote(): RemoteScoring {
    if (!this.remote) throw new RunError("endpoint-not-found", "this Guardbench has no endpoint support configured", "Start the run without endpoints.");
    return this.remote;
  }

  /**
   * Loads the run's model through EngineControl (so the app's engine status shows it) and waits for it. A load that
   * fails marks the run failed with the reason; a cancel leaves it as it was.
   */
  private async loadRunModel(runId: number, signal: AbortSignal): Promise<void> {
    const run = this.store.runs.get(runId);
    const loadJob = this.engineControl.startLoad({ modelId: this.libraryIdOf(run.model.path), path: run.model.path, family: run.model.family });
    const cancelLoad = () => this.jobs.cancel(loadJob);
    signal.addEventListener("abort", cancelLoad, { once: true });
    try {
      const done = await this.jobs.whenDone(loadJob);
      if (signal.aborted) throw new RunError("cancelled", `run ${runId} was cancelled while its model was loading`);
      if (done && !done.result.ok) {
        const { error } = done.result;
        const reason = { ...error, message: `could not load ${run.model.path} to resume run ${runId}: ${error.message}` };
        this.store.runs.setState(runId, "failed", reason);
        throw new RunStopped(reason);
      }
    } finally {
      signal.removeEventListener("abort", cancelLoad);
    }
  }

  private libraryIdOf(path: string): string {
    const inside = relative(this.modelsDir, path);
    return inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside.split(sep).join("/") : path;
  }
}
