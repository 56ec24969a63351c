/**
 * A dataset's items joined with their labels in effect and, for a run, their results: the one view the review queue,
 * the metrics, the comparison and the export all read, so that they never disagree about what an item's label or
 * outcome is.
 */
import type { EffectiveLabel, ItemOutcome, RunResultLine, RunSummary } from "../../shared/ipc/contract.ts";
import { isFlagged } from "../../shared/metrics/index.ts";
import type { GuardbenchStore, ItemLabelRow, ResultLine } from "../store/index.ts";
import { RunError } from "./errors.ts";

export interface JoinedItem extends ItemLabelRow {
  /** absent without a run, and for an item the run has not scored yet */
  result?: ResultLine;
}

/** Items of the dataset in order; with a run (which must be of that dataset), each with its result. */
export function joinedItems(store: GuardbenchStore, datasetId: number, run?: RunSummary): JoinedItem[] {
  if (run && run.datasetId !== datasetId) {
    throw new RunError("run-dataset-mismatch", `run ${run.id} scored dataset ${run.datasetId} (${run.datasetName}), not dataset ${datasetId}`, "Pick a run of this dataset (runs:list with its datasetId).");
  }
  const items = store.datasets.itemsWithLabels(datasetId);
  if (!run) return items;
  const results = store.runs.results(run.id);
  return items.map((item) => {
    const result = results.get(item.rowId);
    return result ? { ...item, result } : item;
  });
}

/** `runs:results`: every item of the run with its label in effect and, once scored, its outcome at the run's threshold. */
export function runResultLines(store: GuardbenchStore, run: RunSummary): RunResultLine[] {
  return joinedItems(store, run.datasetId, run).map((item) => ({
    rowId: item.rowId,
    itemId: item.itemId,
    ...(item.label ? { label: item.label.label } : {}),
    ...(item.result ? { outcome: outcomeOf(item.result, run.settings.threshold) } : {}),
  }));
}

/** The short outcome of a result at a threshold: a stored line, or a classification just made. */
export function outcomeOf(result: Pick<ResultLine, "score" | "verdict" | "categories" | "error">, threshold: number): ItemOutcome {
  if (result.score === undefined) return { ok: false, error: result.error! };
  return { ok: true, score: result.score, verdict: result.verdict!, flagged: isFlagged(result.score, threshold), categories: result.categories ?? [] };
}

/** The scored item's verdict at the threshold disagrees with its label; undefined when either is missing. */
export function disagrees(item: { label?: Pick<EffectiveLabel, "label"> | undefined; result?: ResultLine | undefined }, threshold: number): boolean | undefined {
  if (!item.label || item.result?.score === undefined) return undefined;
  return isFlagged(item.result.score, threshold) !== (item.label.label === "unsafe");
}
