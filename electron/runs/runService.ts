/**
 * Creating a run and scoring its pending items, for the RunManager's jobs (`runs:start`, `runs:resume`, which the app,
 * `guardbench serve` and `guardbench run` all call), so a run means the same wherever it started: the model file hashed
 * into the run, scores reused from a twin that differs only by threshold, the local engine and the endpoints sharing
 * the items through one pool.
 */
import type { ReusedScores } from "../../shared/ipc/contract.ts";
import type { RemoteEndpoint } from "../../shared/remote/endpoint.ts";
import { remoteMember, type PoolEvent, type PoolOptions } from "../engine/remote/pool.ts";
import type { PromptVocabulary } from "../engine/remote/promptEncoding.ts";
import { refuseOtherModels, RemoteEngine } from "../engine/remote/remoteEngine.ts";
import { toResultError } from "../core/errors.ts";
import type { GuardbenchStore, NewRun } from "../store/index.ts";
import { RunStopped } from "./errors.ts";
import { cachedSha256OfFile } from "../core/fileHash.ts";
import { executePoolRun, localMember, type PoolRunProgress } from "./poolExecutor.ts";
import { executeRun, type FinishedItem, type PauseGate, type RunEngine, type RunExecutionOutcome, type RunProgress } from "./runExecutor.ts";
import { reuseTwinScores } from "./scoreReuse.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";

/** A model's tokenizer for the remote engine's token-id prompts, closed by the run that opened it. */
export type VocabularyOpener = (modelPath: string, family: PromptFamily) => Promise<PromptVocabulary & { dispose(): void }>;

export interface RunToCreate extends Omit<NewRun, "model"> {
  model: { path: string; family: PromptFamily };
}

/**
 * Hashes the model file (cached by path, size and mtime: only a model's first run waits for it), stores the run, and
 * copies the scores of a twin run that differs only by its threshold.
 */
export async function createRun(store: GuardbenchStore, run: RunToCreate): Promise<{ runId: number; reusedScores?: ReusedScores }> {
  const { sha256, size } = await cachedSha256OfFile(store.fileHashes, run.model.path);
  const runId = store.runs.create({ ...run, model: { ...run.model, sha256, sizeBytes: size } });
  const reusedScores = reuseTwinScores(store, runId);
  return { runId, ...(reusedScores ? { reusedScores } : {}) };
}

export interface RunScorers {
  /** the local engine and the classifications it keeps in flight; absent: the endpoints alone */
  local?: { engine: RunEngine; concurrency: number };
  endpoints: ReadonlyArray<{ endpoint: RemoteEndpoint; concurrency: number }>;
  /** needed with endpoints: the run's model file gives the tokenizer */
  openVocabulary?: VocabularyOpener;
  poolOptions?: Omit<PoolOptions, "onEvent">;
  /** with endpoints: refuse at once when one serves another model than the run's (instead of failing every item) */
  refuseOtherModels?: boolean;
}

export interface ScoringHooks {
  retryFailed: boolean;
  /** abort with a RunStop to say why */
  signal: AbortSignal;
  pauseGate?: PauseGate;
  onProgress?(progress: RunProgress | PoolRunProgress): void;
  onItem?(item: FinishedItem & { endpoint?: string }): void;
  onEvent?(event: PoolEvent): void;
}

/**
 * Scores the run's pending items: on the local engine alone, or through the endpoint pool (with the local engine as
 * one more member when given). A tokenizer that cannot be read marks the run failed with the reason (RunStopped).
 */
export async function scoreRun(store: GuardbenchStore, runId: number, scorers: RunScorers, hooks: ScoringHooks): Promise<RunExecutionOutcome> {
  const { retryFailed, signal, pauseGate, onProgress, onItem } = hooks;
  const shared = { store, runId, retryFailed, signal, ...(pauseGate ? { pauseGate } : {}), ...(onProgress ? { onProgress } : {}), ...(onItem ? { onItem } : {}) };
  if (scorers.endpoints.length === 0) {
    if (!scorers.local) throw new Error(`run ${runId} has neither the local engine nor an endpoint to score it`);
    return executeRun({ ...shared, engine: scorers.local.engine, concurrency: scorers.local.concurrency });
  }
  const run = store.runs.get(runId);
  let vocabulary: PromptVocabulary & { dispose(): void };
  try {
    if (!scorers.openVocabulary) throw new Error("no tokenizer reader was given for token-id prompts");
    vocabulary = await scorers.openVocabulary(run.model.path, run.model.family);
  } catch (error) {
    const reason = toResultError(error, `reading the tokenizer of ${run.model.path} for run ${runId}`);
    store.runs.setState(runId, "failed", reason);
    throw new RunStopped(reason);
  }
  const engines = scorers.endpoints.map(({ endpoint }) => new RemoteEngine({ endpoint, vocabulary }));
  try {
    if (scorers.refuseOtherModels) await refuseOtherModels(engines);
    const members = scorers.endpoints.map(({ concurrency }, i) => remoteMember(engines[i]!, concurrency));
    if (scorers.local) members.push(localMember(scorers.local.engine, scorers.local.concurrency));
    return await executePoolRun({
      ...shared,
      members,
      ...(scorers.poolOptions ? { poolOptions: scorers.poolOptions } : {}),
      ...(hooks.onEvent ? { onEvent: hooks.onEvent } : {}),
    });
  } finally {
    for (const remote of engines) remote.dispose();
    vocabulary.dispose();
  }
}
