/**
 * A download job: one model file from the Hub into `<modelsDir>/<owner>/<repo>/<file>`, with progress events,
 * pause/resume and cancel. The work itself is transfer.ts; this file is the state machine around it.
 *
 *   queued → running → completed | failed
 *   running/queued → paused (partial kept) → queued …      any unsettled state → cancelled
 *
 * Cancelling deletes the partial download, unless the job was paused: a paused download is one the user chose
 * to keep, so it stays on disk and a later pull resumes it.
 */
import { randomUUID } from "node:crypto";
import { DownloadError } from "./downloadError.ts";
import type { HubClient } from "./hubClient.ts";
import { defaultRevision } from "./hubUrls.ts";
import { discardPartial } from "./partialFile.ts";
import { ifDownloadLockFree } from "./downloadLock.ts";
import { installedModelPath } from "./paths.ts";
import { etaSeconds, RateMeter } from "../core/progressMeter.ts";
import type { RetryNotice } from "./retry.ts";
import { freeBytesAt, transferVerifiedFile, type DownloadResult, type DownloadTarget, type FreeSpaceProbe, type TransferPhase } from "./transfer.ts";

export type { DownloadResult, FreeSpaceProbe, TransferPhase } from "./transfer.ts";

export interface DownloadRequest {
  /** `owner/name` */
  repo: string;
  /** Path of the file inside the repo, e.g. `Llama-Guard-3-1B.Q4_K_M.gguf`. */
  file: string;
  /** Branch, tag or commit; default `main`. */
  revision?: string;
}

export type DownloadState = "queued" | "running" | "paused" | "completed" | "failed" | "cancelled";

export interface DownloadProgress {
  jobId: string;
  repo: string;
  file: string;
  phase: TransferPhase;
  bytesDone: number;
  bytesTotal: number;
  /** Over the last few seconds; 0 until there is enough to measure. */
  bytesPerSecond: number;
  /** null while the rate is unknown. */
  etaSeconds: number | null;
}

export interface DownloadEvents {
  progress: DownloadProgress;
  /** A connection broke, stalled or was refused (429/5xx) and the download will try again after `delayMs`. */
  retry: RetryNotice;
  state: DownloadState;
}

/** Decides when a job may transfer; the queue hands out a limited number of slots. Rejects if `signal` aborts first. */
export interface DownloadSlots {
  acquire(signal: AbortSignal): Promise<() => void>;
}

const unlimitedSlots: DownloadSlots = { acquire: async () => () => {} };

export interface DownloadSettings {
  modelsDir: string;
  hub: HubClient;
  /** Default: the real free space (statfs) at the destination. */
  freeBytes?: FreeSpaceProbe;
  /** Minimum time between progress events (the last event of a phase is always sent). Default 250 ms. */
  progressIntervalMs?: number;
}

export interface DownloadOptions {
  /** Aborting it cancels the job (as `cancel()`). */
  signal?: AbortSignal;
  slots?: DownloadSlots;
}

/** How often progress is re-sent while no bytes arrive (never more often than the configured progress interval). */
const HEARTBEAT_MS = 1_000;

type Intent = "run" | "pause" | "cancel";
const settledStates: readonly DownloadState[] = ["completed", "failed", "cancelled"];

export class ModelDownload {
  readonly id = randomUUID();
  readonly repo: string;
  readonly file: string;
  readonly revision: string;
  /** Where the verified file will be. */
  readonly destination: string;
  /** Resolves when the file is installed and verified; rejects with a DownloadError (code `cancelled` on cancel). */
  readonly result: Promise<DownloadResult>;

  #state: DownloadState = "queued";
  #intent: Intent = "run";
  #keepPartialOnCancel = false;
  #attempt: AbortController | undefined;
  #wake: (() => void) | undefined;
  #latestProgress: DownloadProgress | undefined;
  /** the newest byte count, also between throttled progress events */
  #latestBytes: { phase: TransferPhase; bytesDone: number; bytesTotal: number } | undefined;
  #lastProgressAt = -Infinity;
  readonly #meter = new RateMeter();
  readonly #listeners = new Map<keyof DownloadEvents, Set<(event: never) => void>>();
  readonly #settings: Required<DownloadSettings>;
  readonly #slots: DownloadSlots;

  /** Throws a DownloadError at once for a malformed repo id or an unsafe file name. */
  constructor(request: DownloadRequest, settings: DownloadSettings, options: DownloadOptions = {}) {
    this.repo = request.repo;
    this.file = request.file;
    this.revision = request.revision ?? defaultRevision;
    this.destination = installedModelPath(settings.modelsDir, request.repo, request.file);
    this.#settings = { freeBytes: freeBytesAt, progressIntervalMs: 250, ...settings };
    this.#slots = options.slots ?? unlimitedSlots;

    this.result = this.#run();
    // Callers that only watch events must not crash the process with an unhandled rejection.
    this.result.catch(() => {});

    const { signal } = options;
    if (signal) {
      const onAbort = () => this.cancel();
      if (signal.aborted) this.cancel();
      else signal.addEventListener("abort", onAbort, { once: true });
      const detach = () => signal.removeEventListener("abort", onAbort);
      this.result.then(detach, detach);
    }
  }

  get state(): DownloadState {
    return this.#state;
  }

  get progress(): DownloadProgress | undefined {
    return this.#latestProgress;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof DownloadEvents>(event: E, listener: (payload: DownloadEvents[E]) => void): () => void {
    let listeners = this.#listeners.get(event);
    if (!listeners) this.#listeners.set(event, (listeners = new Set()));
    listeners.add(listener as (event: never) => void);
    return () => listeners.delete(listener as (event: never) => void);
  }

  /** Stops transferring and keeps the partial on disk. Resolves once the transfer has stopped (or the job had already ended). */
  async pause(): Promise<void> {
    if (this.#isSettled() || this.#intent === "cancel") return;
    this.#intent = "pause";
    this.#attempt?.abort();
    await this.#untilState((state) => state === "paused" || settledStates.includes(state));
  }

  /** Continues a paused job from its partial (it queues again for a slot). */
  resume(): void {
    if (this.#intent !== "pause") return;
    this.#intent = "run";
    this.#wake?.();
  }

  /** Ends the job; `result` rejects with code `cancelled`. Deletes the partial unless the job was paused. */
  cancel(): void {
    if (this.#isSettled() || this.#intent === "cancel") return;
    this.#keepPartialOnCancel = this.#intent === "pause";
    this.#intent = "cancel";
    this.#attempt?.abort();
    this.#wake?.();
  }

  async #run(): Promise<DownloadResult> {
    const target: DownloadTarget = { repo: this.repo, file: this.file, revision: this.revision, destination: this.destination };
    for (;;) {
      if (this.#wants("pause")) {
        this.#setState("paused");
        await new Promise<void>((wake) => (this.#wake = wake));
      }
      if (this.#wants("cancel")) throw await this.#finishCancelled();

      const attempt = new AbortController();
      this.#attempt = attempt;
      let release: (() => void) | undefined;
      try {
        this.#setState("queued");
        release = await this.#slots.acquire(attempt.signal);
        this.#setState("running");
        const stopHeartbeat = this.#startHeartbeat();
        const result = await transferVerifiedFile(target, this.#settings, {
          signal: attempt.signal,
          onBytes: (phase, done, total) => this.#reportBytes(phase, done, total),
          onRetry: (notice) => this.#emit("retry", notice),
        }).finally(stopHeartbeat);
        this.#setState("completed");
        return result;
      } catch (error) {
        if (!attempt.signal.aborted) {
          this.#setState("failed");
          throw asDownloadError(error, this.destination);
        }
        // The abort was pause() or cancel() (or a pause that resume() already undid). Settle the state before
        // `finally` hands the slot to the next job, so two jobs never both look "running" to one slot.
        if (this.#wants("cancel")) throw await this.#finishCancelled();
        if (this.#wants("pause")) this.#setState("paused");
      } finally {
        release?.();
      }
    }
  }

  async #finishCancelled(): Promise<DownloadError> {
    const kept = this.#keepPartialOnCancel;
    let hint = kept ? "Pull the same file again to resume it." : undefined;
    if (!kept) {
      // A partial another process is writing (this job was waiting for it) is that process's to keep.
      await ifDownloadLockFree(this.destination, () => discardPartial(this.destination)).catch((error: Error) => {
        hint = `The partial download could not be deleted (${error.message}); delete ${this.destination}.partial by hand.`;
      });
    }
    this.#setState("cancelled");
    return new DownloadError("cancelled", `cancelled the download of ${this.repo}/${this.file}${kept ? "; the paused partial download was kept" : ""}`, hint);
  }

  #reportBytes(phase: TransferPhase, bytesDone: number, bytesTotal: number): void {
    const phaseChanged = this.#latestBytes?.phase !== phase;
    if (phaseChanged) this.#meter.reset();
    this.#latestBytes = { phase, bytesDone, bytesTotal };
    const bytesPerSecond = this.#meter.sample(bytesDone);
    const due = phaseChanged || bytesDone === bytesTotal || performance.now() - this.#lastProgressAt >= this.#settings.progressIntervalMs;
    if (due) this.#emitProgress(bytesPerSecond);
  }

  /**
   * While a transfer runs but no bytes arrive (a stalled connection, a retry wait), progress still ticks so the rate
   * visibly falls to 0 and the ETA disappears, instead of the last good numbers staying on screen.
   */
  #startHeartbeat(): () => void {
    const period = Math.max(HEARTBEAT_MS, this.#settings.progressIntervalMs);
    const timer = setInterval(() => {
      if (this.#latestBytes && performance.now() - this.#lastProgressAt >= period) this.#emitProgress(this.#meter.sample(this.#latestBytes.bytesDone));
    }, period);
    timer.unref();
    return () => clearInterval(timer);
  }

  #emitProgress(bytesPerSecond: number): void {
    if (!this.#latestBytes) return;
    const { phase, bytesDone, bytesTotal } = this.#latestBytes;
    this.#lastProgressAt = performance.now();
    this.#latestProgress = {
      jobId: this.id,
      repo: this.repo,
      file: this.file,
      phase,
      bytesDone,
      bytesTotal,
      bytesPerSecond,
      etaSeconds: etaSeconds(bytesTotal - bytesDone, bytesPerSecond),
    };
    this.#emit("progress", this.#latestProgress);
  }

  #setState(state: DownloadState): void {
    if (this.#state === state) return;
    this.#state = state;
    // Throttling may have held back the last bytes: a paused job reports exactly what it has on disk.
    if (state === "paused") this.#emitProgress(0);
    this.#emit("state", state);
  }

  #emit<E extends keyof DownloadEvents>(event: E, payload: DownloadEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (payload: DownloadEvents[E]) => void)(payload);
      } catch (error) {
        // A faulty listener must not break the transfer; surface it the way EventEmitter would, just not in our stack.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** pause(), resume() and cancel() change the intent while #run awaits; a method call keeps TypeScript from assuming it cannot have changed. */
  #wants(intent: Intent): boolean {
    return this.#intent === intent;
  }

  #isSettled(): boolean {
    return settledStates.includes(this.#state);
  }

  #untilState(reached: (state: DownloadState) => boolean): Promise<void> {
    if (reached(this.#state)) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.on("state", (state) => {
        if (!reached(state)) return;
        stop();
        resolve();
      });
    });
  }
}

/** Starts downloading `request` now (no queue). */
export function startDownload(request: DownloadRequest, settings: DownloadSettings, options: DownloadOptions = {}): ModelDownload {
  return new ModelDownload(request, settings, options);
}

/** Local I/O failures (EACCES, EROFS …) arrive as plain Node errors; give them a code and a next step. */
function asDownloadError(error: unknown, destination: string): DownloadError {
  if (error instanceof DownloadError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && /^E[A-Z]+$/.test(code)) {
    return new DownloadError("filesystem", `could not write ${destination}: ${(error as Error).message}`, "Check that the models folder is writable (GUARDBENCH_HOME chooses where it is).");
  }
  return new DownloadError("http-error", `the download failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
}
