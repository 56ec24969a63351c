/**
 * The main side's handle on the engine worker. A crashed worker fails the calls in flight with `engine-crashed`, and the
 * next call starts a fresh worker and reloads the last model, so one bad input never ends a session.
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EngineError } from "./errors.ts";
import type { EngineMethod, EngineMethods, FromEngine, ToEngine } from "./protocol.ts";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";
import type { LoadedModelInfo, ScorerLoadOptions } from "./engine.ts";
import type { ClassificationResult, ClassifyOptions } from "../../shared/classify/result.ts";
import type { MemoryEstimate } from "../../shared/models/fit.ts";
import type { ClassifierEngine, EngineInfo } from "./engine.ts";

/** What EngineProcess needs of a worker: child_process.fork's ChildProcess and Electron's UtilityProcess both fit. */
export interface WorkerHandle {
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  /** `signal`: the signal that ended the process, where the platform tells (child_process does) */
  onExit(listener: (description: string, signal?: string) => void): void;
  kill(): void;
}

export type WorkerSpawner = () => WorkerHandle;

/**
 * Forks the worker as a Node child process (CLI, `guardbench serve`, tests): the bundled `engine-worker.js` beside a
 * built `dist/` entry, else worker.ts under tsx. The desktop app passes a utilityProcess spawner instead.
 */
export const forkWorker: WorkerSpawner = () => {
  const bundled = fileURLToPath(new URL("./engine-worker.js", import.meta.url));
  const useBundle = existsSync(bundled);
  const child = fork(useBundle ? bundled : fileURLToPath(new URL("./worker.ts", import.meta.url)), [], {
    execArgv: useBundle ? [] : ["--import", import.meta.resolve("tsx")],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    env: { ...process.env, NODE_LLAMA_CPP_LOG_LEVEL: "error" },
    // Its own process group: a terminal's Ctrl+C signals the whole foreground group, and a worker still starting up
    // (before its SIGINT handler exists) would die of it and look like an engine crash. The command that started it
    // decides what an interrupt means; the worker ends when its IPC channel to that command closes.
    detached: true,
  });
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  return {
    send: (message) => child.send(message),
    onMessage: (listener) => child.on("message", (m) => listener(m as FromEngine)),
    onExit: (listener) =>
      child.on("exit", (code, signal) => {
        const lastLine = stderrTail.trim().split("\n").at(-1);
        listener(`${signal ? `killed by ${signal}` : `exit code ${code}`}${lastLine ? `; last output: ${lastLine}` : ""}`, signal ?? undefined);
      }),
    kill: () => child.kill("SIGKILL"),
  };
};

interface Pending {
  resolve(value: unknown): void;
  reject(error: EngineError): void;
  progress?(value: number): void;
}

interface RunningWorker {
  handle: WorkerHandle;
  /** the worker process answers messages */
  ready: Promise<void>;
  /**
   * the worker has the caller's model loaded: after a crash, every call but `load` waits for the reload, so that calls
   * made while the restarted worker is still loading (a batch run keeps several in flight) are not refused with
   * `no-model-loaded`
   */
  modelReady: Promise<void>;
  failStart(error: EngineError): void;
}

/**
 * Hardware detection in a worker of its own, started for it and stopped after: probing GPU backends loads drivers that
 * can abort the process, which must never be the window's process (or the engine's, with a model loaded).
 */
export function detectHardwareInWorker(spawn: WorkerSpawner, gpu: EngineMethods["detectHardware"]["params"]["gpu"]): Promise<EngineMethods["detectHardware"]["result"]> {
  return inOwnWorker(spawn, (worker) => worker.detectHardware(gpu));
}

/**
 * node-llama-cpp's memory estimates for model files, keyed by path, from a worker of its own: they need its native
 * addon, which the caller's process (CLI, `guardbench serve`, the app) never loads. A file that cannot be estimated is
 * left out; a worker that dies leaves them all out (callers fall back to catalog data), so no file can take the caller
 * down.
 */
export async function estimateMemoryInWorker(spawn: WorkerSpawner, paths: readonly string[], contextSize: number): Promise<Map<string, MemoryEstimate>> {
  if (paths.length === 0) return new Map();
  try {
    const results = await inOwnWorker(spawn, (worker) => worker.estimateMemory({ paths: [...paths], contextSize }));
    return new Map(paths.flatMap((path, index) => {
      const result = results[index];
      return result?.ok ? [[path, result.estimate] as const] : [];
    }));
  } catch (error) {
    if (error instanceof EngineError) return new Map();
    throw error;
  }
}

async function inOwnWorker<T>(spawn: WorkerSpawner, use: (worker: EngineProcess) => Promise<T>): Promise<T> {
  const worker = new EngineProcess(spawn);
  try {
    return await use(worker);
  } finally {
    worker.dispose();
  }
}

export class EngineProcess implements ClassifierEngine {
  private worker: RunningWorker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lastLoad: ScorerLoadOptions | undefined;
  private loaded: LoadedModelInfo | undefined;
  private readonly crashListeners = new Set<(description: string) => void>();

  constructor(private readonly spawn: WorkerSpawner = forkWorker) {}

  get model(): LoadedModelInfo | undefined {
    return this.loaded;
  }

  info(): EngineInfo {
    return { kind: "local", model: this.loaded };
  }

  onCrash(listener: (description: string) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /** `onProgress`: the share of the weights loaded so far, 0 to 1, as llama.cpp reports it. */
  async load(options: ScorerLoadOptions, signal?: AbortSignal, onProgress?: (fraction: number) => void): Promise<LoadedModelInfo> {
    this.lastLoad = options;
    this.loaded = undefined;
    // An explicit load supersedes a reload after a crash: later calls no longer wait for (or fail with) that reload.
    if (this.worker) this.worker.modelReady = this.worker.ready;
    this.loaded = await this.call("load", options, signal, onProgress);
    return this.loaded;
  }

  async unload(): Promise<void> {
    this.lastLoad = undefined;
    this.loaded = undefined;
    if (this.worker) await this.call("unload", {});
  }

  classify(request: ClassifyRequest, options?: ClassifyOptions, signal?: AbortSignal): Promise<ClassificationResult> {
    return this.call("classify", { request, options }, signal);
  }

  tokenDetails(params: EngineMethods["tokenDetails"]["params"], signal?: AbortSignal): Promise<EngineMethods["tokenDetails"]["result"]> {
    return this.call("tokenDetails", params, signal);
  }

  tokenizePrompt(request: ClassifyRequest): Promise<EngineMethods["tokenizePrompt"]["result"]> {
    return this.call("tokenizePrompt", { request });
  }

  // For `guardbench worker` and remote engines (the model loaded with `vocabOnly` serves all but completeTokens).
  completeTokens(params: EngineMethods["completeTokens"]["params"], signal?: AbortSignal): Promise<EngineMethods["completeTokens"]["result"]> {
    return this.call("completeTokens", params, signal);
  }

  vocabulary(): Promise<EngineMethods["vocabulary"]["result"]> {
    return this.call("vocabulary", {});
  }

  tokenizeTexts(params: EngineMethods["tokenizeTexts"]["params"]): Promise<EngineMethods["tokenizeTexts"]["result"]> {
    return this.call("tokenizeTexts", params);
  }

  describeTokens(tokens: number[]): Promise<EngineMethods["describeTokens"]["result"]> {
    return this.call("describeTokens", { tokens });
  }

  detectHardware(gpu: EngineMethods["detectHardware"]["params"]["gpu"]): Promise<EngineMethods["detectHardware"]["result"]> {
    return this.call("detectHardware", { gpu });
  }

  estimateMemory(params: EngineMethods["estimateMemory"]["params"]): Promise<EngineMethods["estimateMemory"]["result"]> {
    return this.call("estimateMemory", params);
  }

  /** Kills the worker; calls still waiting for it fail as cancelled, and the next call starts a new one. */
  dispose(): void {
    this.stopWorker(new EngineError("cancelled", "the engine was stopped before it answered"));
  }

  /** For tests and the run manager: the worker handle, e.g. to simulate a crash. */
  killWorkerForTesting(): void {
    this.worker?.handle.kill();
  }

  private async call<M extends EngineMethod>(method: M, params: EngineMethods[M]["params"], signal?: AbortSignal, onProgress?: (value: number) => void): Promise<EngineMethods[M]["result"]> {
    const cancelled = () => new EngineError("cancelled", `${method} was cancelled`);
    if (signal?.aborted) throw cancelled();
    let sent: { handle: WorkerHandle; id: number } | undefined;
    // A load cannot be cancelled inside llama.cpp (nor while the file is read): the worker, loading nothing else, is
    // stopped instead, so a cancel (or Ctrl+C) takes effect at once; the next call starts a fresh worker.
    const onAbort = () => {
      if (method === "load") this.stopWorker(new EngineError("cancelled", "loading the model was cancelled"));
      else if (sent) sent.handle.send({ kind: "cancel", id: sent.id });
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const handle = await this.ensureWorker(method);
      // Aborted while the worker started (or reloaded): nothing was sent, so nothing needs cancelling there.
      if (signal?.aborted) throw cancelled();
      const id = this.nextId++;
      const result = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject, ...(onProgress ? { progress: onProgress } : {}) }));
      handle.send({ kind: "call", id, method, params } as ToEngine);
      sent = { handle, id };
      return (await result) as EngineMethods[M]["result"];
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Starts the worker on first use, and after a crash reloads the model the caller had loaded. */
  private async ensureWorker(forMethod: EngineMethod): Promise<WorkerHandle> {
    if (!this.worker) {
      const handle = this.spawn();
      let markReady!: () => void;
      let failStart!: (error: EngineError) => void;
      const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failStart = reject)));
      handle.onMessage((message) => {
        if (message.kind === "ready") return markReady();
        const pending = this.pending.get(message.id);
        if (!pending) return;
        if (message.kind === "progress") return pending.progress?.(message.value);
        this.pending.delete(message.id);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(EngineError.fromData(message.error));
      });
      handle.onExit((description, signal) => this.handleExit(handle, description, signal));
      const worker: RunningWorker = { handle, ready, modelReady: ready, failStart };
      this.worker = worker;
      const reload = forMethod !== "load" ? this.lastLoad : undefined;
      if (reload) {
        worker.modelReady = ready.then(async () => {
          this.loaded = await this.call("load", reload);
        });
      }
    }
    const worker = this.worker;
    await (forMethod === "load" ? worker.ready : worker.modelReady);
    return worker.handle;
  }

  /** Kills the worker on purpose: what waits for it fails with `reason`, and no crash is reported. */
  private stopWorker(reason: EngineError): void {
    const worker = this.worker;
    this.worker = undefined;
    this.loaded = undefined;
    if (!worker) return;
    worker.handle.kill();
    this.failWaiting(worker, reason);
  }

  private handleExit(handle: WorkerHandle, description: string, signal?: string): void {
    const worker = this.worker;
    if (worker?.handle !== handle) return;
    this.worker = undefined;
    this.loaded = undefined;
    // Ended by a signal someone sent (the worker ignores Ctrl+C's SIGINT; its parent decides): not a sign of a bad model.
    const stoppedFromOutside = signal === "SIGTERM" || signal === "SIGINT" || signal === "SIGHUP";
    const error = stoppedFromOutside
      ? new EngineError("engine-crashed", `the inference engine was stopped by ${signal} from outside Guardbench (${description})`, "The engine restarts by itself on the next request and reloads the model.")
      : new EngineError(
          "engine-crashed",
          `the inference engine stopped unexpectedly (${description})`,
          "The engine restarts by itself on the next request and reloads the model; if it keeps crashing, the model file may be damaged or memory may be short.",
        );
    this.failWaiting(worker, error);
    for (const listener of this.crashListeners) listener(description);
  }

  /** Every call sent to `worker` fails with `error` (calls are only ever in flight on the current worker). */
  private failWaiting(worker: RunningWorker, error: EngineError): void {
    worker.failStart(error);
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(error);
    }
  }
}
