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
import type { DatasetDeletion, DatasetSummary, MultiRunStarted, RunDeletion, RunSettings, RunStarted, RunSummary, StartRunRequest } from "../../shared/ipc/contract.ts";
import { presetPolicy, type Policy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../shared/classify/result.ts";
import { familyOf } from "../../shared/families/registry.ts";
import { CUSTOM_GUARD_ID, customGuardMissing, type CustomGuardDefinition } from "../../shared/families/customGuard.ts";
import type { FamilySettings } from "../../shared/families/types.ts";
import { unknownSettingProblem } from "../../shared/families/settingChoice.ts";
import { EngineError } from "../engine/errors.ts";
import type { EngineControl } from "../engine/engineControl.ts";
import { toResultError } from "../core/errors.ts";
import { isJobShutdown, type JobManager, type ProgressUpdate } from "../core/jobs.ts";
import type { EventHub } from "../core/eventHub.ts";
import { DEFAULT_ENDPOINT_CONCURRENCY, type GuardbenchStore, type RunActivity } from "../store/index.ts";
import { isProcessAlive } from "../store/processIdentity.ts";
import { RunError, RunStopped } from "./errors.ts";
import { cliRunKey, type ScoringSettings } from "./cliRunKey.ts";
import { assertRunModelUnchanged } from "./modelCheck.ts";
import { PauseGate, RunStop, type RunEngine } from "./runExecutor.ts";
import { outcomeOf } from "./runItems.ts";
import { createRun, scoreRun, type RunScorers, type VocabularyOpener } from "./runService.ts";
import type { PoolOptions } from "../engine/remote/pool.ts";
import { ModelVocabulary } from "../engine/remote/promptEncoding.ts";
import type { SecretStore } from "../endpoints/keyStore.ts";
import { resolveSavedEndpoints, type ScoringEndpoint } from "../endpoints/savedEndpoints.ts";

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

/** The stop reason of a multi-run's run that waits for the one before it. */
const WAITING_TURN = "waiting-turn";

/** Loading the run's model in its job: how to compute. */
interface ModelLoad {
  compute: "auto" | "cpu";
}

/** Who scores a run this time: endpoints (with their keys) and whether the local engine scores too. */
interface ChosenScorers {
  endpoints: ScoringEndpoint[];
  includeLocal: boolean;
  /** refuse at once an endpoint that serves another model (endpoints the request gave, never checked before) */
  refuseOtherModels?: boolean;
}

/** What `runs:start-multi` asks of the run manager once each model id is a file with a family. */
export interface MultiRunRequest {
  datasetId: number;
  models: ReadonlyArray<{ path: string; family: PromptFamily; policyVersion?: { name: string; version: number }; familySettings?: FamilySettings }>;
  settings?: Partial<ScoringSettings>;
}

interface JobOptions {
  retryFailed: boolean;
  /** the run's model is loaded first */
  load?: ModelLoad;
  /** absent: the run's saved endpoints, looked up again (a resume) */
  scorers?: ChosenScorers;
}

/** What a run is scored with: the settings asked for, the classifier's defaults for the rest (threshold 0.5, top-k 5, check "last"). */
function scoringSettingsOf(requested: Partial<ScoringSettings> | undefined): ScoringSettings {
  return {
    threshold: requested?.threshold ?? DEFAULT_CLASSIFY_OPTIONS.threshold,
    topK: requested?.topK ?? DEFAULT_CLASSIFY_OPTIONS.topK,
    check: requested?.check ?? "last",
  };
}

export class RunManager {
  private readonly active = new Map<number, ActiveRun>();
  /** set once a job saw the host shut down: a multi-run starts no next turn then */
  private shuttingDown = false;

  constructor(
    private readonly store: GuardbenchStore,
    private readonly jobs: JobManager,
    private readonly engineControl: EngineControl,
    /** `runs:item` and `runs:endpoint` go out here */
    private readonly events: EventHub,
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

  /**
   * Starts a run, or with `earlier`, continues the run of an identical earlier request (see StartRunRequest). The model
   * is the loaded one, or `request.model`, which the run's job loads when the local engine scores it.
   */
  async start(request: StartRunRequest): Promise<RunStarted> {
    const scorers = await this.chosenScorers(request);
    const model = this.runModel(request, scorers.includeLocal);
    refuseFamilyOnEndpoints(model.family, scorers);
    const dataset = this.datasetToScore(request.datasetId);
    const { policy, saved } = this.policyFor(model.family, request, {
      model: model.loaded ? "the loaded model uses" : `${model.path} is scored with`,
      hint: "Choose a policy for this model's family, or load a model of that family.",
    });
    const scoring = scoringSettingsOf(request.settings);
    const familySettings = knownFamilySettings(model.family, request.settings?.familySettings);
    const customGuard = this.customGuardOf(model);
    const runKey =
      request.earlier === undefined ? undefined : cliRunKey({ datasetId: dataset.id, modelPath: model.path, family: model.family, policy, ...scoring, familySettings, ...(customGuard && { customGuard }) });
    if (runKey !== undefined && request.earlier !== "new") {
      const earlier = this.store.runs.findByKey(runKey);
      if (earlier !== undefined) return this.continueEarlier(earlier, scorers, { retryFailed: request.retryFailed ?? false, load: model.load });
      if (request.earlier === "require") {
        throw new RunError("no-earlier-run", "no earlier run of this request (same dataset, model, policy and settings) to continue", "Start it instead (earlier: continue or new).");
      }
    }
    const localSequences = this.engineControl.loadedModel?.sequences ?? 1;
    const settings: RunSettings = {
      ...scoring,
      familySettings,
      ...(customGuard && { customGuard }),
      // The engine's actual parallelism replaces this once the run is scored (the executor records it).
      sequences: scorers.endpoints.reduce((sum, { concurrency }) => sum + concurrency, scorers.includeLocal ? localSequences : 0),
      ...(scorers.endpoints.length > 0 ? { endpoints: scorers.endpoints.map(({ endpoint }) => endpoint.name), includeLocal: scorers.includeLocal } : {}),
    };
    // Hashed before answering (cached by path, size and mtime, so only a model's first run waits for it).
    const { runId, reusedScores } = await createRun(this.store, {
      datasetId: dataset.id,
      model: { path: model.path, family: model.family },
      policy,
      ...(saved ? { policyVersion: saved.version } : {}),
      settings,
      origin: runKey === undefined ? "app" : "cli",
      ...(runKey !== undefined ? { runKey } : {}),
    });
    const pending = this.store.runs.get(runId).counts.pending;
    const jobId = this.startJob(runId, { retryFailed: false, ...(model.load && pending > 0 ? { load: model.load } : {}), scorers });
    return { runId, jobId, ...(reusedScores ? { reusedScores } : {}) };
  }

  /**
   * A multi-run (`runs:start-multi`): a run per model over one dataset, all made now, scored one after another. The
   * first starts at once; each next one starts when the one before it has finished (done or failed), and none after
   * a cancelled one.
   */
  async startMany(request: MultiRunRequest): Promise<MultiRunStarted> {
    const dataset = this.datasetToScore(request.datasetId);
    // Every policy and family setting is checked before anything is stored: a multi-run starts whole or not at all.
    const planned = request.models.map((model) => ({
      model,
      familySettings: knownFamilySettings(model.family, model.familySettings),
      customGuard: this.customGuardOf({ ...model, loaded: false }),
      ...this.policyFor(model.family, model, { model: `${model.path} is scored with`, hint: "Choose a policy of each model's family, or its preset." }),
    }));
    const scoring: RunSettings = { ...scoringSettingsOf(request.settings), sequences: this.engineControl.loadedModel?.sequences ?? 1 };
    const runIds: number[] = [];
    for (const { model, familySettings, customGuard, policy, saved } of planned) {
      const { runId } = await createRun(this.store, {
        datasetId: dataset.id,
        model: { path: model.path, family: model.family },
        policy,
        ...(saved ? { policyVersion: saved.version } : {}),
        settings: { ...scoring, familySettings, ...(customGuard && { customGuard }) },
        origin: "app",
      });
      runIds.push(runId);
    }
    // Waiting runs are paused, not running: a restart resumes running runs all at once, and these take turns.
    for (const [index, runId] of runIds.entries()) {
      if (index > 0) this.store.runs.setState(runId, "paused", { code: WAITING_TURN, message: `waits for run ${runIds[index - 1]}: the runs of a multi-run are scored one after another`, hint: "It starts by itself; resume it to score it now instead." });
    }
    return { runIds, jobId: this.startTurn(runIds, 0) };
  }

  /** Starts the multi-run's run at `index` (loading its model unless the engine holds it) and, once done, the next. */
  private startTurn(runIds: readonly number[], index: number): string {
    const runId = runIds[index]!;
    const holding = this.engineHolds(this.store.runs.get(runId).model);
    this.store.runs.setState(runId, "running");
    const jobId = this.startJob(runId, { retryFailed: false, ...(holding ? {} : { load: { compute: "auto" } }) });
    void this.jobs.whenDone(jobId)?.then((done) => {
      const next = runIds[index + 1];
      if (next === undefined || this.shuttingDown) return;
      try {
        if (!done.result.ok && done.result.error.code === "cancelled") {
          for (const waiting of runIds.slice(index + 1)) {
            this.store.runs.setState(waiting, "paused", { code: "cancelled", message: `not scored: run ${runId} of its multi-run was cancelled`, hint: "Resume it to score it." });
          }
          return;
        }
        // Resumed (or deleted) by the user meanwhile: its turn is taken.
        if (this.active.has(next) || this.store.runs.get(next).state !== "paused") return;
        this.startTurn(runIds, index + 1);
      } catch {
        // the host is shutting down (the store is closed): the waiting runs stay paused, resumable
      }
    });
    return jobId;
  }

  /** `earlier` found this run: it continues with the scorers of this request (its model file unchanged). */
  private async continueEarlier(runId: number, scorers: ChosenScorers, options: { retryFailed: boolean; load: ModelLoad | undefined }): Promise<RunStarted> {
    const active = this.active.get(runId);
    const run = this.store.runs.get(runId);
    const continued = { results: run.counts.scored + run.counts.failed };
    if (active) return { runId, jobId: active.jobId, continued };
    if (run.state === "cancelled") throw new RunError("run-not-resumable", `run ${runId} of this request was cancelled in the app; its ${run.counts.scored} results stay as they are`, "Start a new run (earlier: new) to score the dataset again.");
    await assertRunModelUnchanged(this.store, run);
    if (scorers.endpoints.length > 0) this.store.runs.recordScorers(runId, scorers.endpoints.map(({ endpoint }) => endpoint.name), scorers.includeLocal);
    const pending = run.counts.pending + (options.retryFailed ? run.counts.failed : 0);
    const jobId = this.startJob(runId, { retryFailed: options.retryFailed, ...(options.load && pending > 0 ? { load: options.load } : {}), scorers });
    return { runId, jobId, continued };
  }

  /** The endpoints a start names (saved ones with their keys, or the request's own) and whether the local engine scores too. */
  private async chosenScorers(request: StartRunRequest): Promise<ChosenScorers> {
    const endpoints: ScoringEndpoint[] = request.endpointUrls
      ? request.endpointUrls.map(({ concurrency, ...endpoint }) => ({ endpoint, concurrency: concurrency ?? DEFAULT_ENDPOINT_CONCURRENCY }))
      : (request.endpoints ?? []).length > 0
        ? await resolveSavedEndpoints(this.store, this.requireRemote().secretStore, request.endpoints ?? [])
        : [];
    if (endpoints.length > 0) this.requireRemote();
    return { endpoints, includeLocal: endpoints.length === 0 || (request.includeLocal ?? false), refuseOtherModels: request.endpointUrls !== undefined };
  }

  /** The dataset a run is started on; one without items is refused. */
  private datasetToScore(datasetId: number): DatasetSummary {
    const dataset = this.store.datasets.summary(datasetId);
    if (dataset.items === 0) throw new RunError("dataset-empty", `dataset ${dataset.id} (${dataset.name}) has no items to classify`, "Import a file with at least one good row.");
    return dataset;
  }

  /**
   * The policy a run scores with — a saved version, an unsaved policy, or the family's preset — refused when it is
   * written for another family than the model's (`words.model` says how the message names the model).
   */
  private policyFor(family: PromptFamily, asked: { policyVersion?: { name: string; version: number } | undefined; policy?: Policy | undefined }, words: { model: string; hint: string }) {
    const saved = asked.policyVersion ? this.store.policies.get(asked.policyVersion.name, asked.policyVersion.version) : undefined;
    const policy = saved?.policy ?? asked.policy ?? presetPolicy(family);
    if (policy.family !== family) {
      throw new RunError("policy-family-mismatch", `the policy "${policy.name}" is written for ${policy.family}, but ${words.model} the ${family} prompt format`, words.hint);
    }
    return { policy, saved };
  }

  /** Whether the engine holds this model, loaded (or crashed, reloading it by itself on the next request). */
  private engineHolds(model: { path: string; family: PromptFamily }): boolean {
    const { state, model: held } = this.engineControl.status;
    return (state === "ready" || state === "crashed") && held?.path === model.path && held.family === model.family;
  }

  /**
   * The model a start scores with: the loaded one, or `request.model` (loaded by the job when the local engine scores
   * and does not hold it). A model the engine holds is never replaced by a run.
   */
  /**
   * A custom guard run's definition: the one the engine loaded, for the loaded model, else the one saved with the file
   * (which its load will use). Stored with the run, so a resume can tell when it changed.
   */
  private customGuardOf(model: { path: string; family: PromptFamily; loaded: boolean }): CustomGuardDefinition | undefined {
    if (model.family !== CUSTOM_GUARD_ID) return undefined;
    // After a crash the worker's model info is gone until it reloads: the saved definition is the one it loaded with
    // (saving another in the editor loads the model again).
    const definition = (model.loaded ? this.engineControl.loadedModel?.customGuard : undefined) ?? this.engineControl.customGuardFor(model.path);
    if (!definition) {
      const { message, hint } = customGuardMissing(model.path);
      throw new RunError("custom-guard-missing", message, hint);
    }
    return definition;
  }

  private runModel(request: StartRunRequest, scoresLocally: boolean): { path: string; family: PromptFamily; loaded: boolean; load?: ModelLoad } {
    const { state, model } = this.engineControl.status;
    const holding = state === "ready" || state === "crashed";
    if (!request.model) {
      if (!model || !holding) {
        throw new EngineError("no-model-loaded", "load a model to start a run", "Choose a model in the model library and load it; the run classifies with the loaded model.");
      }
      return { path: model.path, family: model.family, loaded: true };
    }
    const { path, family, compute } = request.model;
    if (!scoresLocally) return { path, family, loaded: false };
    if (this.engineHolds({ path, family })) return { path, family, loaded: true };
    if ((holding || state === "loading") && model) {
      throw new RunError(
        "model-mismatch",
        `the engine has ${model.path} (${model.family}) ${state === "loading" ? "loading" : "loaded"}, not ${path} (${family})`,
        "Load the run's model, or start the run with the loaded one; a run never replaces the model the engine holds.",
      );
    }
    return { path, family, loaded: false, load: { compute: compute ?? "auto" } };
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
      return { runId, jobId: this.startJob(runId, { retryFailed }) };
    }
    if (engineBusyWithModel && !sameModel) {
      throw new RunError(
        "model-mismatch",
        `run ${runId} was scored with ${run.model.path} (${run.model.family}), but the engine has ${model?.path ?? "another model"} ${state === "loading" ? "loading" : "loaded"}`,
        "Load the run's model, then resume; a run never mixes results from two models.",
      );
    }
    await assertRunModelUnchanged(this.store, run);
    return { runId, jobId: this.startJob(runId, { retryFailed, ...(engineBusyWithModel && sameModel ? {} : { load: { compute: "auto" } }) }) };
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
    this.rewordOrphanedTurns();
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

  /** A multi-run's waiting runs waited for a chain that ended with the process that ran it: they now say so. */
  private rewordOrphanedTurns(): void {
    try {
      for (const runId of this.store.runs.inState("paused", "app")) {
        if (this.store.runs.get(runId).stopReason?.code !== WAITING_TURN) continue;
        this.store.runs.setState(runId, "paused", { code: "multi-run-interrupted", message: "its multi-run stopped when Guardbench did, before this run's turn came", hint: "Resume it to score it." });
      }
    } catch {
      // the database is unusable; the handlers report that on first use
    }
  }

  private startJob(runId: number, options: JobOptions): string {
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
        phase: options.load ? "loading" : "scoring",
        // Failed items being retried count as not done yet, as the executor counts them.
        done: run.counts.scored + (options.retryFailed ? 0 : run.counts.failed),
        total: run.counts.items,
        failed: options.retryFailed ? 0 : run.counts.failed,
        itemsPerSecond: 0,
        etaSeconds: null,
      },
      pause: async () => setPaused(true),
      resume: () => setPaused(false),
      run: async ({ jobId, signal, report }) => {
        reportState = (state) => report({ state });
        // The job's signal says cancel or shutdown; the run's says which, as a RunStop.
        const stopper = new AbortController();
        const forward = () => {
          if (isJobShutdown(signal)) this.shuttingDown = true;
          stopper.abort(new RunStop(isJobShutdown(signal) ? "shutdown" : "cancel"));
        };
        if (signal.aborted) forward();
        else signal.addEventListener("abort", forward, { once: true });
        try {
          if (options.load) await this.loadRunModel(runId, options.load, stopper.signal);
          report({ phase: "scoring" } satisfies ProgressUpdate<"run">);
          const engine: RunEngine = { classify: async (request, classifyOptions, classifySignal) => (await this.engineControl.classify(request, classifyOptions, classifySignal)).result };
          const threshold = run.settings.threshold;
          // From here on the executor records the run's state itself.
          const outcome = await scoreRun(this.store, runId, await this.scorersOf(runId, engine, options.scorers), {
            retryFailed: options.retryFailed,
            signal: stopper.signal,
            pauseGate: gate,
            onProgress: (progress) => report(progress),
            onItem: ({ rowId, itemId, outcome: finished, endpoint }) =>
              this.events.emit("runs:item", { runId, jobId, rowId, itemId, outcome: outcomeOf(finished.ok ? finished.result : { error: finished.error }, threshold), ...(endpoint ? { endpoint } : {}) }),
            onEvent: (event) => {
              if (event.kind === "suspended") this.events.emit("runs:endpoint", { runId, jobId, endpoint: event.endpoint, kind: "suspended", problem: event.problem, requeued: event.requeued });
              else if (event.kind === "recovered") this.events.emit("runs:endpoint", { runId, jobId, endpoint: event.endpoint, kind: "recovered" });
            },
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
  private async scorersOf(runId: number, engine: RunEngine, chosen: ChosenScorers | undefined): Promise<RunScorers> {
    const run = this.store.runs.get(runId);
    const local = { engine, concurrency: this.engineControl.loadedModel?.sequences ?? (run.settings.endpoints?.length ? 1 : run.settings.sequences) };
    const scorers = chosen ?? (await this.savedScorersOf(run));
    if (scorers.endpoints.length === 0) return { local, endpoints: [] };
    const remote = this.requireRemote();
    return {
      ...(scorers.includeLocal ? { local } : {}),
      endpoints: scorers.endpoints,
      openVocabulary: remote.openVocabulary ?? ((path, family) => ModelVocabulary.open(path, family)),
      ...(remote.poolOptions ? { poolOptions: remote.poolOptions } : {}),
      ...(scorers.refuseOtherModels ? { refuseOtherModels: true } : {}),
    };
  }

  /** A resumed run's scorers: its saved endpoints looked up again (their current addresses and keys). */
  private async savedScorersOf(run: RunSummary): Promise<ChosenScorers> {
    const names = run.settings.endpoints ?? [];
    if (names.length === 0) return { endpoints: [], includeLocal: true };
    try {
      return { endpoints: await resolveSavedEndpoints(this.store, this.requireRemote().secretStore, names), includeLocal: run.settings.includeLocal ?? false };
    } catch (error) {
      const reason = toResultError(error, `resolving the endpoints of run ${run.id}`);
      this.store.runs.setState(run.id, "failed", reason);
      throw new RunStopped(reason);
    }
  }

  private requireRemote(): RemoteScoring {
    if (!this.remote) throw new RunError("endpoint-not-found", "this Guardbench has no endpoint support configured", "Start the run without endpoints.");
    return this.remote;
  }

  /**
   * Loads the run's model through EngineControl (so the app's engine status shows it) and waits for it. A load that
   * fails marks the run failed with the reason; a cancel leaves it as it was.
   */
  private async loadRunModel(runId: number, load: ModelLoad, signal: AbortSignal): Promise<void> {
    const run = this.store.runs.get(runId);
    const loadJob = this.engineControl.startLoad({ modelId: this.libraryIdOf(run.model.path), path: run.model.path, family: run.model.family, compute: load.compute });
    const cancelLoad = () => this.jobs.cancel(loadJob);
    signal.addEventListener("abort", cancelLoad, { once: true });
    try {
      const done = await this.jobs.whenDone(loadJob);
      if (signal.aborted) throw new RunError("cancelled", `run ${runId} was cancelled while its model was loading`);
      if (done && !done.result.ok) {
        const { error } = done.result;
        const reason = { ...error, message: `could not load ${run.model.path} to score run ${runId}: ${error.message}` };
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

/**
 * The settings asked of a family, refused when the family has no such setting (a typo would otherwise score at the
 * default silently). Those left out are filled with the family's defaults when the run is stored.
 */
function knownFamilySettings(family: PromptFamily, chosen: FamilySettings | undefined): FamilySettings {
  for (const id of Object.keys(chosen ?? {})) {
    const problem = unknownSettingProblem(family, id);
    if (problem) throw new RunError("family-setting-unknown", problem, "Leave it out, or choose a model of the family it belongs to.");
  }
  return chosen ?? {};
}

/**
 * Endpoints read P(unsafe) as the first answer token's `safe`/`unsafe` (RemoteEngine); a family whose decision follows
 * other text (Qwen3Guard's `Safety:`) or comes per category is scored by the local engine only.
 */
function refuseFamilyOnEndpoints(family: PromptFamily, scorers: ChosenScorers): void {
  const { firstTokenDecision, displayName } = familyOf(family);
  if (scorers.endpoints.length === 0 || firstTokenDecision) return;
  throw new RunError(
    "family-not-on-endpoints",
    `${displayName} models are scored by the local engine only: endpoints score Llama Guard 1–3 and chat judges`,
    "Start the run without endpoints, on the local engine.",
  );
}
