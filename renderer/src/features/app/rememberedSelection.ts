/**
 * Review and Evaluation keep what the user chose across a reload of the page: Review its dataset, run, filters and the
 * item it was on; Evaluation its run. Kept in the page's own storage (localStorage: this machine, this browser profile),
 * and put back once the lists they name are loaded — only when they still exist, and never over a choice the user
 * made in the meantime.
 */
import type { StateStorage } from "zustand/middleware";
import type { StoreApi } from "zustand/vanilla";
import type { AppState } from "../../store/types.ts";
import type { ReviewFilter } from "../review/slice.ts";

const KEY = "guardbench.selection.v1";

/** The workspace's storage (store/persistence.ts: the page's localStorage), under a key of its own. */
export type SelectionStorage = StateStorage;

export interface RememberedSelection {
  review?: { datasetId: number; runId?: number; filter: ReviewFilter; index: number };
  evaluation?: { runId: number };
}

function parse(text: string | null): RememberedSelection {
  try {
    const parsed: unknown = JSON.parse(text ?? "{}");
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
  let remembered: RememberedSelection | undefined;
  let restored = false;
  let written = "";

  function restoreOnce(state: AppState) {
    // Both the remembered selection and the lists it names are needed; nothing is written before (the empty start
    // would overwrite what was remembered).
    if (restored || !remembered || !state.datasets.loaded || !state.runs.loaded) return;
    restored = true;
    const { review, evaluation } = remembered;
    if (review && state.review.datasetId === undefined && state.datasets.list.some((dataset) => dataset.id === review.datasetId)) {
      const runStillThere = review.runId !== undefined && state.runs.list.some((run) => run.id === review.runId && run.datasetId === review.datasetId);
      void state.openReview(review.datasetId, runStillThere ? review.runId : undefined, { filter: review.filter, index: review.index, navigate: false });
    }
    if (evaluation && state.evaluation.runId === undefined && state.runs.list.some((run) => run.id === evaluation.runId)) void state.selectEvaluationRun(evaluation.runId);
  }

  void Promise.resolve()
    .then(() => storage.getItem(KEY))
    .then(
      (text) => {
        remembered = parse(text);
        written = JSON.stringify(remembered);
      },
      () => (remembered = {}),
    )
    .then(() => restoreOnce(store.getState()));

  return store.subscribe((state) => {
    if (!restored) return restoreOnce(state);
    const now = JSON.stringify(selectionOf(state));
    if (now === written) return;
    written = now;
    try {
      void Promise.resolve(storage.setItem(KEY, now)).catch(() => undefined);
    } catch {
      // Storage full or refused (a private window): the selection is simply not remembered.
    }
  });
}
