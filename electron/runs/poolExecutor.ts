/**
 * Scores a run's items through an {@link EndpointPool} — remote endpoints, optionally the local engine — with the same
 * guarantees as {@link executeRun}: the run is claimed by this process, each outcome is committed to SQLite the moment
 * the pool hands it over (once per item: the pool gives every item exactly one outcome, and the results table's
 * (run, item) key refuses a second), and a resume scores exactly the items without a result.
 *
 * Differences from the local executor:
 * - a pause aborts the pool's attempts in flight (they stay pending and are scored after the resume) instead of letting
 *   them finish;
 * - an endpoint that fails is suspended and re-probed by the pool, its items going to the others; only when every
 *   endpoint stays down (the pool's `allDownTimeoutMs`) does the run stop, as "failed" with `no-endpoint-available`,
 *   resumable, the items left pending rather than marked failed;
 * - progress carries each scorer's share (`perEndpoint`).
 *
 * Items are handed to the pool in chunks, so a dataset's conversations are never all in memory at once.
 */
import type { ClassifyOptions } from "../../shared/classify/result.ts";
import type { EndpointProgress } from "../../shared/ipc/contract.ts";
import type { ResultError } from "../../shared/ipc/result.ts";
import type { ClassifierEngine } from "../engine/engine.ts";
import { EndpointPool, type ItemOutcome, type PoolEvent, type PoolMember, type PoolOptions } from "../engine/remote/pool.ts";
import { toResultError } from "../core/errors.ts";
import { etaSeconds, RateMeter } from "../core/progressMeter.ts";
import type { GuardbenchStore, ItemOutcomeRecord, PendingItem } from "../store/index.ts";
import { RunError } from "./errors.ts";
import { isProcessAlive, modelSwitched, runClassifyOptions, STATE_AFTER_STOP, stopKindOf, type FinishedItem, type PauseGate, type RunEngine, type RunExecutionOutcome, type RunProgress } from "./runExecutor.ts";

/** The pool member name of the local engine, in progress and settings. */
export const LOCAL_MEMBER_NAME = "local";

/** Conversations handed to the pool at once. */
const CHUNK_ITEMS = 256;

export interface PoolRunProgress extends RunProgress {
  perEndpoint: EndpointProgress[];
}

export interface PoolRunExecution {
  store: GuardbenchStore;
  runId: number;
  members: PoolMember[];
  poolOptions?: Omit<PoolOptions, "onEvent">;
  retryFailed?: boolean;
  /** abort with a RunStop to say why (another reason counts as a cancel) */
  signal: AbortSignal;
  pauseGate?: PauseGate;
  pid?: number;
  onProgress?(progress: PoolRunProgress): void;
  onItem?(item: FinishedItem & { endpoint?: string }): void;
  onEvent?(event: PoolEvent): void;
}

/** The local engine (EngineProcess in the CLI, EngineControl in the app) as a pool member. */
export function localMember(engine: RunEngine, concurrency: number): PoolMember {
  const classifier: ClassifierEngine = {
    classify: (request, options, signal) => engine.classify(request, options ?? {}, signal ?? new AbortController().signal),
    info: () => ({ kind: "local", model: undefined }),
    dispose: () => undefined,
  };
  return { name: LOCAL_MEMBER_NAME, engine: classifier, concurrency };
}

export async function executePoolRun(execution: PoolRunExecution): Promise<RunExecutionOutcome> {
  const { store, runId, signal, members } = execution;
  const pid = execution.pid ?? process.pid;
  const claimed = store.runs.claim(runId, pid, isProcessAlive);
  if (!claimed.ok) {
    throw new RunError("run-busy", `run ${runId} is being scored by another process (pid ${claimed.ownerPid})`, "Wait for it to finish, or stop that process; then resume the run.");
  }
  try {
    const run = store.runs.get(runId);
    const queue: PendingItem[] = store.runs.pendingItems(runId, { retryFailed: execution.retryFailed ?? false });
    store.runs.setState(runId, "running");
    store.runs.updateSequences(runId, members.reduce((sum, member) => sum + member.concurrency, 0));

    const total = run.counts.items;
    const alreadyDone = total - queue.length;
    const counts = { done: alreadyDone, failed: execution.retryFailed ? 0 : run.counts.failed, scoredNow: 0, failedNow: 0 };
    const perEndpoint = new Map<string, EndpointProgress>(members.map((member) => [member.name, { name: member.name, done: 0, failed: 0, itemsPerSecond: 0, state: "active" }]));
    const started = performance.now();
    const meter = new RateMeter(10_000);
    meter.sample(0);
    const report = () => {
      const itemsPerSecond = meter.sample(counts.scoredNow + counts.failedNow);
      const seconds = Math.max((performance.now() - started) / 1000, 1e-3);
      const shares = [...perEndpoint.values()].map((share) => ({ ...share, itemsPerSecond: share.done / seconds }));
      execution.onProgress?.({ done: counts.done, total, failed: counts.failed, itemsPerSecond, etaSeconds: etaSeconds(total - counts.done, itemsPerSecond), perEndpoint: shares });
    };

    let stopReason: ResultError | undefined;
    const stopper = new AbortController();
    const stop = (reason: ResultError) => {
      stopReason ??= reason;
      stopper.abort();
    };

    const pool = new EndpointPool(members, {
      ...execution.poolOptions,
      onEvent: (event) => {
        const share = perEndpoint.get(event.endpoint);
        if (share) share.state = event.kind === "recovered" ? "active" : "suspended";
        execution.onEvent?.(event);
        report();
      },
    });
    report();

    const options: ClassifyOptions = runClassifyOptions(run.settings);
    const byRow = new Map<number, PendingItem>();
    const commit = (outcome: ItemOutcome<number>) => {
      const item = byRow.get(outcome.id)!;
      if (!outcome.ok && outcome.error.code === "no-endpoint-available") {
        // Not the item's fault: it stays pending, and the run stops resumable.
        return void stop({ code: "no-endpoint-available", message: outcome.error.message, ...(outcome.error.hint ? { hint: outcome.error.hint } : {}) });
      }
      if (outcome.ok && outcome.result.model.path !== run.model.path) return void stop(modelSwitched(run.model.path, outcome.result.model.path));
      const record: ItemOutcomeRecord = outcome.ok ? { ok: true, result: outcome.result } : { ok: false, error: outcome.error };
      try {
        store.runs.recordResult(runId, item.rowId, record);
      } catch (error) {
        return void stop(toResultError(error, `storing the result of item ${item.itemId}`));
      }
      counts.done++;
      if (outcome.ok) counts.scoredNow++;
      else {
        counts.failed++;
        counts.failedNow++;
      }
      const share = outcome.endpoint ? perEndpoint.get(outcome.endpoint) : undefined;
      if (share) {
        share.done++;
        if (!outcome.ok) share.failed++;
      }
      execution.onItem?.({ itemId: item.itemId, rowId: item.rowId, outcome: record, ...(outcome.endpoint ? { endpoint: outcome.endpoint } : {}) });
      report();
    };

    let next = 0;
    const putBack: PendingItem[] = [];
    while (!signal.aborted && !stopReason) {
      await execution.pauseGate?.whenOpen(signal);
      if (signal.aborted || stopReason) break;
      const fresh = queue.slice(next, next + CHUNK_ITEMS);
      next += fresh.length;
      const chunk = [...putBack.splice(0), ...fresh];
      if (chunk.length === 0) break;
      byRow.clear();
      for (const item of chunk) byRow.set(item.rowId, item);
      const turns = store.datasets.turnsOf(chunk.map((item) => item.rowId));
      const paused = new AbortController();
      const removePauseListener = execution.pauseGate?.onPause(() => paused.abort()) ?? (() => undefined);
      try {
        const outcome = await pool.run(
          chunk.map((item) => ({ id: item.rowId, request: { turns: turns.get(item.rowId)!, policy: run.policy, check: run.settings.check } })),
          { classifyOptions: options, signal: AbortSignal.any([signal, stopper.signal, paused.signal]), onItem: commit },
        );
        // Paused mid-chunk: the items without an outcome go first after the resume.
        if (!signal.aborted && !stopReason) putBack.push(...outcome.unfinished.map((rowId) => byRow.get(rowId)!));
      } finally {
        removePauseListener();
      }
    }

    const state = stopReason ? "failed" : signal.aborted ? STATE_AFTER_STOP[stopKindOf(signal)] : "done";
    if (state) store.runs.setState(runId, state, stopReason);
    report();
    return { state: state ?? store.runs.get(runId).state, ...(stopReason ? { stopReason } : {}), scoredNow: counts.scoredNow, failedNow: counts.failedNow, alreadyDone };
  } finally {
    store.runs.release(runId, pid);
  }
}
