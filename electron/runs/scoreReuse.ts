/**
 * A run whose scores another run already has — the same dataset, model file, family, policy, check and top-k, so only
 * the threshold differs — takes them instead of classifying again: a flag is computed from the score at whatever
 * threshold is asked (Evaluation, Review, Compare, export), so the threshold alone never needs new scoring. Only the
 * items the other run has no score for are classified.
 */
import type { ReusedScores } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore } from "../store/index.ts";

/** Copies a scoring twin's scores into the new run, when it has a twin; what was reused, else undefined. */
export function reuseTwinScores(store: GuardbenchStore, runId: number): ReusedScores | undefined {
  const twin = store.runs.scoringTwin(runId);
  if (twin === undefined) return undefined;
  const count = store.runs.copyScores(twin, runId);
  return count > 0 ? { fromRunId: twin, count } : undefined;
}
