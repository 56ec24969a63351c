/**
 * The engine as the app sees it: one status object (pushed whole as `engine:status` on every change), model loads as
 * cancellable jobs, and crash reports. The worker itself restarts and reloads on the next request (EngineProcess).
 */
import type { ClassificationResult, ClassifyOptions, DetailedToken } from "../../shared/classify/result.ts";
import type { EngineCompute, EngineModel, EngineStatus } from "../../shared/ipc/contract.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";
import { CUSTOM_GUARD_ID, sameCustomGuard, type CustomGuardDefinition } from "../../shared/families/customGuard.ts";
import type { ModelFileInfo } from "../../shared/models/modelInfo.ts";
import type { EngineProcess } from "./engineProcess.ts";
import { EngineError } from "./errors.ts";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";
import type { LoadedModelInfo, ScorerLoadOptions, TokenDetailsParams } from "./engine.ts";
import type { EventHub } from "../core/eventHub.ts";
import { toResultError } from "../core/errors.ts";
import { checkModelTemplate } from "./templateCheck.ts";
import type { JobManager } from "../core/jobs.ts";
import type { Disposer } from "../core/lifecycle.ts";

/** What AppHost needs of an engine: EngineProcess fits (over child_process.fork or Electron's utilityProcess). */
export type EnginePort = Pick<EngineProcess, "load" | "unload" | "classify" | "tokenDetails" | "tokenizePrompt" | "onCrash" | "model">;

/** Settings every load uses unless the request says otherwise (tests: CPU, one thread). */
export type EngineDefaults = Pick<ScorerLoadOptions, "gpu" | "threads" | "sequences" | "contextSize" | "mmap">;

/** The sha256 of a model file (cached by the caller); a result's provenance names it. */
export type ModelHasher = (path: string, signal: AbortSignal) => Promise<string>;

/** The model a result was scored with: its file, family and, for a custom guard, the definition. */
export interface ScoredWith {
  path: string;
  family: PromptFamily;
  customGuard?: CustomGuardDefinition;
}

/** The custom guard definition saved with a model file, if any (the store's). */
export type SavedCustomGuards = (path: string) => CustomGuardDefinition | undefined;

export interface LoadRequest {
  modelId: string;
  path: string;
  family: PromptFamily;
  contextSize?: number;
  compute?: "auto" | "cpu";
  /** the file's quantisation, when the caller read its header */
  quant?: string;
  /** the file's header, when the caller read it: the chat template check on load need not read it again */
  header?: Pick<ModelFileInfo, "chatTemplate">;
}

export class EngineControl {
  private current: EngineStatus = { state: "idle" };
  private loadJobId: string | undefined;
  private classifiedSinceLoad = 0;
  private readonly stopWatchingCrashes: Disposer;

  constructor(
    private readonly engine: EnginePort,
    private readonly jobs: JobManager,
    private readonly events: EventHub,
    private readonly defaults: EngineDefaults = {},
    private readonly hashModel?: ModelHasher,
    private readonly savedCustomGuard: SavedCustomGuards = () => undefined,
  ) {
    this.stopWatchingCrashes = engine.onCrash((description) => {
      // A crash during a load is reported by the load job's own failure; here only a loaded model's crash counts.
      if (this.current.state !== "ready") return;
      this.setStatus({
        state: "crashed",
        ...(this.current.model ? { model: this.current.model } : {}),
        error: {
          code: "engine-crashed",
          message: `the inference engine stopped unexpectedly (${description})`,
          hint: "It restarts and reloads the model by itself on the next classification.",
        },
      });
    });
  }

  /**
   * The status with the classifications answered since the model loaded; the count is read here, never pushed (an
   * event per classification would flood a batch run's listeners).
   */
  get status(): EngineStatus {
    return this.current.state === "ready" ? { ...this.current, classified: this.classifiedSinceLoad } : this.current;
  }

  /** What the worker reports about the loaded model (its parallel sequences …); undefined while none is loaded or after a crash. */
  get loadedModel(): LoadedModelInfo | undefined {
    return this.engine.model;
  }

  /**
   * The definition a load of `path` as a custom guard uses: the one saved with the file. Callers check it before they
   * start a load, so that a missing one is an immediate answer; the load itself fails without it too.
   */
  customGuardFor(path: string): CustomGuardDefinition | undefined {
    return this.savedCustomGuard(path);
  }

  /** Starts loading; a load already under way is cancelled first (the newest request wins). */
  startLoad(request: LoadRequest): string {
    const previous = this.loadJobId;
    if (previous) this.jobs.cancel(previous);
    const previousDone = previous ? this.jobs.whenDone(previous) : undefined;
    const customGuard = request.family === CUSTOM_GUARD_ID ? this.savedCustomGuard(request.path) : undefined;
    const model: EngineModel = {
      id: request.modelId,
      path: request.path,
      family: request.family,
      ...(request.quant ? { quant: request.quant } : {}),
      ...(customGuard && { customGuardName: customGuard.name }),
    };
    const jobId = this.jobs.start({
      kind: "load",
      initial: { state: "queued", modelId: request.modelId, path: request.path, stage: "starting" },
      run: async ({ jobId: id, signal, report }) => {
        await previousDone;
        if (signal.aborted) throw cancelledLoad(request.path);
        report({ state: "running", stage: "loading" });
        this.setStatus({ state: "loading", model, jobId: id });
        const hashed = this.startHashing(request.path, signal);
        try {
          const info = await this.engine.load({ ...this.loadOptions(request), ...(customGuard && { customGuard }) }, signal, (progress) => report({ progress }));
          const templateCheck = await checkModelTemplate(request.path, request.family, info.specialTokens, request.header);
          if (signal.aborted) {
            // The worker finished before it saw the cancel: honour the cancel rather than leave an unwanted model loaded.
            await this.engine.unload();
            throw cancelledLoad(request.path);
          }
          this.classifiedSinceLoad = 0;
          const ready = this.setStatus({ state: "ready", model: { ...model, contextSize: info.contextSize, ...hashed.value(), templateCheck }, compute: computeOf(info) });
          // Hashing gigabytes can outlast the load: the status gains the hash when it is known, if the model is still the one loaded.
          if (!ready.model?.sha256) void hashed.done.then((sha256) => sha256 && this.addHash(ready, sha256));
          return ready;
        } catch (error) {
          if (signal.aborted || (error instanceof EngineError && error.code === "cancelled")) {
            this.setStatus({ state: "idle" });
            throw cancelledLoad(request.path);
          }
          this.setStatus({ state: "failed", model, error: toResultError(error, `loading ${request.path}`) });
          throw error;
        } finally {
          if (this.loadJobId === id) this.loadJobId = undefined;
        }
      },
    });
    this.loadJobId = jobId;
    return jobId;
  }

  async unload(): Promise<EngineStatus> {
    if (this.loadJobId) this.jobs.cancel(this.loadJobId);
    await this.engine.unload();
    return this.setStatus({ state: "idle" });
  }

  async classify(request: ClassifyRequest, options: ClassifyOptions | undefined, signal?: AbortSignal): Promise<{ result: ClassificationResult; model: EngineModel }> {
    const model = this.requireModel("classify");
    const result = await this.engine.classify(request, options, signal);
    this.classifiedSinceLoad++;
    this.markRecovered();
    return { result, model };
  }

  /**
   * The details a result scored with deferTokenDetails left out, when the model it was scored with is the one loaded;
   * undefined when another model (or none) is loaded, so the caller keeps the result as it is.
   */
  async tokenDetails(scoredWith: ScoredWith, params: TokenDetailsParams): Promise<DetailedToken[] | undefined> {
    const { state, model } = this.current;
    if (state !== "ready" || model?.path !== scoredWith.path || model.family !== scoredWith.family) return undefined;
    // A custom guard loaded with another definition would compute another prompt's details.
    if (scoredWith.family === CUSTOM_GUARD_ID && !sameCustomGuard(this.engine.model?.customGuard, scoredWith.customGuard)) return undefined;
    const details = await this.engine.tokenDetails(params);
    this.markRecovered();
    return details;
  }

  async tokenize(request: ClassifyRequest): Promise<{ text: string; tokens: number[]; pieces: string[] }> {
    this.requireModel("count tokens");
    const tokenized = await this.engine.tokenizePrompt(request);
    this.markRecovered();
    return tokenized;
  }

  dispose(): void {
    this.stopWatchingCrashes();
  }

  private requireModel(purpose: string): EngineModel {
    const { state, model } = this.current;
    if ((state === "ready" || state === "crashed") && model) return model;
    if (state === "loading") throw new EngineError("no-model-loaded", `load a model to ${purpose}: ${model?.path ?? "a model"} is still loading`, "Wait for the load to finish.");
    throw new EngineError("no-model-loaded", `load a model to ${purpose}`, "Choose a model in the model library and load it.");
  }

  /** After a crash, a successful call means the worker restarted and reloaded the model. */
  private markRecovered(): void {
    const info = this.engine.model;
    if (this.current.state !== "crashed" || !info || !this.current.model) return;
    this.setStatus({ state: "ready", model: { ...this.current.model, contextSize: info.contextSize }, compute: computeOf(info) });
  }

  /** Hashes the file beside the load; a failed hash only leaves the hash out. */
  private startHashing(path: string, signal: AbortSignal): { value(): { sha256?: string }; done: Promise<string | undefined> } {
    let sha256: string | undefined;
    const done = this.hashModel
      ? this.hashModel(path, signal).then(
          (hash) => (sha256 = hash),
          () => undefined,
        )
      : Promise.resolve(undefined);
    return { value: () => (sha256 ? { sha256 } : {}), done };
  }

  private addHash(status: EngineStatus, sha256: string): void {
    if (this.current !== status || !status.model) return;
    this.setStatus({ ...status, model: { ...status.model, sha256 } });
  }

  private loadOptions(request: LoadRequest): ScorerLoadOptions {
    return {
      ...this.defaults,
      modelPath: request.path,
      family: request.family,
      ...(request.contextSize ? { contextSize: request.contextSize } : {}),
      ...(request.compute === "cpu" ? { gpu: false as const } : {}),
    };
  }

  private setStatus(status: EngineStatus): EngineStatus {
    this.current = status;
    this.events.emit("engine:status", status);
    return status;
  }
}

function computeOf(info: LoadedModelInfo): EngineCompute {
  if (info.gpu === false) return { device: "cpu", ...(info.gpuFallbackReason ? { reason: info.gpuFallbackReason } : {}) };
  return { device: "gpu", backend: info.gpu };
}

function cancelledLoad(path: string): EngineError {
  return new EngineError("cancelled", `loading ${path} was cancelled`);
}
