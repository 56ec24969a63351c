/**
 * Review and Evaluation keep what the user chose across a reload of the page: Review its dataset, run, filters and the
 * item it was on; Evaluation its run. Kept in the page's own storage (localStorage: this machine, this browser profile),
 * and put back once the lists they name are loaded — only when they still exist, and never over a choice the user
 * made in the meantime.
 */
import type { StoreApi } from "zustand/vanilla";
import type { AppState, SelectionStorage } from "../../store/types.ts";
import type { ReviewFilter } from "../review/slice.ts";

const KEY = "guardbench.selection.v1";

export interface RememberedSelection {
  review?: { datasetId: number; runId?: number; filter: ReviewFilter; index: number };
  evaluation?: { runId: number };
}

function read(storage: SelectionStorage): RememberedSelection {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(KEY) ?? "{}");
    return typeof parsed === "object" && parsed !== null ? (parsed as RememberedSelection) : {};
  } catch {
    return {};
  }
}

function selectionOf(state: AppState): RememberedSelection {
  const { review, evaluation } = state;
  return {
    ...(review.datasetId !== undefined && { review: { datasetId: review.datasetId, ...(review.runId !== undefined && { runId: review.runId }), filter: review.filter, index: review.index } }),
    ...(evaluation.runId !== undefined && { evaluation: { runId: evaluation.runId } }),
  };
}

/** Writes the selection whenever it changes, and restores the remembered one once datasets and runs are listed. */
export function keepSelectionAcrossReloads(store: StoreApi<AppState>, storage: SelectionStorage): () => void {
  const remembered = read(storage);
  let restored = false;
  let written = JSON.stringify(remembered);

  function restore(state: AppState) {
    restored = true;
    const { review, evaluation } = remembered;
    if (review && state.review.datasetId === undefined && state.datasets.list.some((dataset) => dataset.id === review.datasetId)) {
      const runStillThere = review.runId !== undefined && state.runs.list.some((run) => run.id === review.runId && run.datasetId === review.datasetId);
      void state.openReview(review.datasetId, runStillThere ? review.runId : undefined, { filter: review.filter, index: review.index, navigate: false });
    }
    if (evaluation && state.evaluation.runId === undefined && state.runs.list.some((run) => run.id === evaluation.runId)) void state.selectEvaluationRun(evaluation.runId);
  }

  return store.subscribe((state) => {
    if (!restored) {
      // Nothing is written before the restore: the empty start would overwrite what was remembered.
      if (state.datasets.loaded && state.runs.loaded) restore(state);
      return;
    }
    const now = JSON.stringify(selectionOf(state));
    if (now === written) return;
    written = now;
    try {
      storage.setItem(KEY, now);
    } catch {
      // Storage full or refused (a private window): the selection is simply not remembered.
    }
  });
}
