/**
 * Scores the items of a run that have no result yet, keeping `concurrency` classifications in flight (the engine runs
 * them on its parallel sequences, each keeping the policy prefix it evaluated), in dataset order, and commits each
 * result to SQLite the moment it finishes — so a crash or a kill loses at most the items in flight, and a resume scores
 * exactly the items without a result.
 *
 * What stops what:
 * - an item-level failure (the conversation does not fit the context, the engine crashed while scoring it …) is stored
 *   as that item's result (an error), and the run goes on; `retryFailed` scores such items again later;
 * - a run-level failure (no model loaded, the model cannot be (re)loaded, the engine switched to another model, the
 *   database cannot be written) stops the run in state "failed" with the reason, resumable once fixed;
 * - the signal stops it early, its reason (a {@link RunStop}) deciding the state: cancelled, paused, or left "running"
 *   when the host shuts down (start-up resumes it). Items in flight are abandoned, not stored, and stay pending.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ClassificationResult, ClassifyOptions } from "../../shared/classify/result.ts";
import type { ResultError } from "../../shared/ipc/result.ts";
import type { ClassifyRequest, RunJobProgress, RunSettings, RunState } from "../../shared/ipc/contract.ts";
import { EngineError, type EngineErrorCode } from "../engine/errors.ts";
import { toResultError } from "../core/errors.ts";
import { etaSeconds, RateMeter } from "../core/progressMeter.ts";
import type { GuardbenchStore, ItemOutcomeRecord, PendingItem } from "../store/index.ts";
import { RunError } from "./errors.ts";
import { isProcessAlive } from "../store/processIdentity.ts";

/** What a run needs of the engine: EngineProcess (CLI) and the host's EngineControl both fit. */
export interface RunEngine {
  classify(request: ClassifyRequest, options: ClassifyOptions, signal: AbortSignal): Promise<ClassificationResult>;
}

export type RunStopKind = "cancel" | "pause" | "shutdown";

/** The reason to abort a run's signal with: it decides the state the run is left in. */
export class RunStop extends Error {
  override readonly name = "RunStop";

  constructor(readonly kind: RunStopKind) {
    super(`the run was stopped (${kind})`);
  }
}

/** The state a stop leaves the run in; a shutdown leaves it as it was (running: start-up resumes it; paused: stays paused). */
export const STATE_AFTER_STOP: Record<RunStopKind, RunState | undefined> = { cancel: "cancelled", pause: "paused", shutdown: undefined };

/** Errors that say nothing about the item but that the engine cannot score at all right now: they stop the run. */
const RUN_LEVEL_ENGINE_ERRORS: ReadonlySet<EngineErrorCode> = new Set([
  "no-model-loaded",
  "model-not-found",
  "model-invalid",
  "model-unsupported",
  "model-load-failed",
  "prompt-family-mismatch",
  "family-unknown",
]);

/** How long to wait before asking again when every sequence is busy with someone else's classification. */
const BUSY_RETRY_MS = 100;

/** Holds dispatching while paused (`job:pause`); items already in flight finish and are stored. */
export class PauseGate {
  private reopen: (() => void) | undefined;
  private opened: Promise<void> = Promise.resolve();
  private readonly pauseListeners = new Set<() => void>();

  get paused(): boolean {
    return this.reopen !== undefined;
  }

  pause(): void {
    if (this.reopen) return;
    this.opened = new Promise((resolve) => (this.reopen = resolve));
    for (const listener of [...this.pauseListeners]) listener();
  }

  /** Calls `listener` at each pause; returns its remover. */
  onPause(listener: () => void): () => void {
    this.pauseListeners.add(listener);
    return () => this.pauseListeners.delete(listener);
  }

  resume(): void {
    const reopen = this.reopen;
    this.reopen = undefined;
    reopen?.();
  }

  /** Resolves when not paused, or as soon as `signal` aborts. */
  whenOpen(signal: AbortSignal): Promise<void> {
    if (!this.reopen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      void this.opened.then(done);
    });
  }
}

/** What a run's `job:progress` reports about its items. */
export type RunProgress = Pick<RunJobProgress, "done" | "total" | "failed" | "itemsPerSecond" | "etaSeconds">;

/** One item's outcome, handed over once it is committed. */
export interface FinishedItem {
  itemId: string;
  rowId: number;
  outcome: ItemOutcomeRecord;
}

export interface RunExecution {
  store: GuardbenchStore;
  runId: number;
  engine: RunEngine;
  /** classifications kept in flight: the engine's parallel sequences */
  concurrency: number;
  /** also score again the items whose classification failed */
  retryFailed?: boolean;
  /** abort with a RunStop to say why (another reason counts as a cancel) */
  signal: AbortSignal;
  pauseGate?: PauseGate;
  /** this process's id, recorded as the run's owner while it runs (default: process.pid) */
  pid?: number;
  onProgress?(progress: RunProgress): void;
  onItem?(item: FinishedItem): void;
}

export interface RunExecutionOutcome {
  state: RunState;
  stopReason?: ResultError;
  /** classifications this call completed (stored), by outcome */
  scoredNow: number;
  failedNow: number;
  /** items that already had a result when this call started (and were left alone) */
  alreadyDone: number;
}

/** What each item of a run is classified with, wherever it is scored: the family's settings change P(unsafe) itself. */
export function runClassifyOptions(settings: RunSettings): ClassifyOptions {
  return { threshold: settings.threshold, topK: settings.topK, ...(settings.familySettings ? { familySettings: settings.familySettings } : {}) };
}

export async function executeRun(execution: RunExecution): Promise<RunExecutionOutcome> {
  const { store, runId, engine, signal } = execution;
  const pid = execution.pid ?? process.pid;
  const concurrency = Math.max(1, Math.floor(execution.concurrency));
  const claimed = store.runs.claim(runId, pid, isProcessAlive);
  if (!claimed.ok) {
    throw new RunError("run-busy", `run ${runId} is being scored by another process (pid ${claimed.ownerPid})`, "Wait for it to finish, or stop that process; then resume the run.");
  }
  try {
    const run = store.runs.get(runId);
    const queue = store.runs.pendingItems(runId, { retryFailed: execution.retryFailed ?? false });
    store.runs.setState(runId, "running");
    store.runs.updateSequences(runId, concurrency);

    const total = run.counts.items;
    const alreadyDone = total - queue.length;
    const counts = { done: alreadyDone, failed: execution.retryFailed ? 0 : run.counts.failed, scoredNow: 0, failedNow: 0 };
    const meter = new RateMeter(10_000);
    meter.sample(0);
    const report = () => {
      const itemsPerSecond = meter.sample(counts.scoredNow + counts.failedNow);
      execution.onProgress?.({ done: counts.done, total, failed: counts.failed, itemsPerSecond, etaSeconds: etaSeconds(total - counts.done, itemsPerSecond) });
    };
    report();

    let stopReason: ResultError | undefined;
    const stop = (reason: ResultError) => (stopReason ??= reason);
    const retryFirst: PendingItem[] = [];
    let next = 0;
    const takeItem = (): PendingItem | undefined => retryFirst.shift() ?? queue[next++];
    // Token details where no stored number needs them wait until a result is opened (results:get computes them then).
    const options: ClassifyOptions = { ...runClassifyOptions(run.settings), deferTokenDetails: true };

    const commit = (item: PendingItem, outcome: ItemOutcomeRecord) => {
      try {
        store.runs.recordResult(runId, item.rowId, outcome);
      } catch (error) {
        stop(toResultError(error, `storing the result of item ${item.itemId}`));
        return;
      }
      counts.done++;
      if (outcome.ok) counts.scoredNow++;
      else {
        counts.failed++;
        counts.failedNow++;
      }
      execution.onItem?.({ itemId: item.itemId, rowId: item.rowId, outcome });
      report();
    };

    const scoreOne = async (item: PendingItem): Promise<void> => {
      const turns = store.datasets.turnsOf([item.rowId]).get(item.rowId)!;
      try {
        const result = await engine.classify({ turns, policy: run.policy, check: run.settings.check }, options, signal);
        if (signal.aborted) return;
        // The engine is shared with the rest of the app: a model loaded meanwhile must not contribute to this run.
        if (result.model.path !== run.model.path) return void stop(modelSwitched(run.model.path, result.model.path));
        commit(item, { ok: true, result });
      } catch (error) {
        if (signal.aborted) return;
        if (!(error instanceof EngineError)) return void stop(toResultError(error, `scoring item ${item.itemId}`));
        if (error.code === "cancelled") return;
        if (error.code === "engine-busy") return void retryFirst.push(item);
        if (RUN_LEVEL_ENGINE_ERRORS.has(error.code)) return void stop(error.toData());
        commit(item, { ok: false, error: error.toData() });
      }
    };

    const inFlight = new Set<Promise<void>>();
    while (!signal.aborted && !stopReason) {
      await execution.pauseGate?.whenOpen(signal);
      if (signal.aborted || stopReason) break;
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      if (retryFirst.length > 0 && inFlight.size === 0) {
        // Every sequence is busy with someone else's classifications and none of ours is running to wait for.
        await sleep(BUSY_RETRY_MS, undefined, { signal }).catch(() => undefined);
      }
      const item = takeItem();
      if (!item) {
        if (inFlight.size === 0) break;
        await Promise.race(inFlight);
        continue;
      }
      const task: Promise<void> = scoreOne(item).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);

    const state = stopReason ? "failed" : signal.aborted ? STATE_AFTER_STOP[stopKindOf(signal)] : "done";
    if (state) store.runs.setState(runId, state, stopReason);
    return { state: state ?? store.runs.get(runId).state, ...(stopReason ? { stopReason } : {}), scoredNow: counts.scoredNow, failedNow: counts.failedNow, alreadyDone };
  } finally {
    store.runs.release(runId, pid);
  }
}

export function stopKindOf(signal: AbortSignal): RunStopKind {
  return signal.reason instanceof RunStop ? signal.reason.kind : "cancel";
}

export function modelSwitched(runModel: string, engineModel: string): ResultError {
  return {
    code: "model-mismatch",
    message: `the engine switched to ${engineModel} while the run was scoring with ${runModel}; the run stopped so that no result comes from another model`,
    hint: "Load the run's model again and resume the run.",
  };
}

export { isProcessAlive };
