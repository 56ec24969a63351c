/**
 * A run's items joined with labels and results (runItems.joinedItems), kept between metric requests so that a label
 * change costs the changed items, not the dataset: reading and parsing 100,000 rows takes about a second, while
 * Evaluation asks again after every label (labels:changed). The cache is checked against the store on every read —
 * the run's results version and the newest label event — so it never answers from stale rows; a new result re-reads
 * the run, a new label event re-reads only the items it touched (itemsChangedSince). A few runs are kept per store.
 */
import type { RunSummary } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore } from "../store/index.ts";
import { joinedItems, type JoinedItem } from "../runs/runItems.ts";

const RUNS_KEPT = 4;

interface CachedRun {
  resultsVersion: string;
  /** the label history point the items' labels are as of */
  labelsAsOf: number;
  items: JoinedItem[];
  /** item row id → index in `items` */
  indexOfRow: Map<number, number>;
}

const cachesByStore = new WeakMap<GuardbenchStore, Map<number, CachedRun>>();

/** The run's items with their labels in effect now and their results, as joinedItems gives them. */
export function currentJoinedItems(store: GuardbenchStore, run: RunSummary): readonly JoinedItem[] {
  let cache = cachesByStore.get(store);
  if (!cache) cachesByStore.set(store, (cache = new Map()));
  const resultsVersion = store.runs.resultsVersion(run.id);
  const newestLabel = store.labels.latestEventId();
  let cached = cache.get(run.id);
  if (!cached || cached.resultsVersion !== resultsVersion) {
    // Read the label point first: a label given during the read is then re-read next time rather than missed.
    const items = joinedItems(store, run.datasetId, run);
    cached = { resultsVersion, labelsAsOf: newestLabel, items, indexOfRow: new Map(items.map((item, index) => [item.rowId, index])) };
  } else if (cached.labelsAsOf !== newestLabel) {
    const changed = store.labels.itemsChangedSince(run.datasetId, cached.labelsAsOf);
    const items = cached.items.slice();
    for (const [rowId, fresh] of store.datasets.itemsWithLabelsOf(changed)) {
      const index = cached.indexOfRow.get(rowId);
      if (index === undefined) continue;
      const { label: _old, ...rest } = items[index]!;
      items[index] = { ...rest, ...(fresh.label ? { label: fresh.label } : {}) };
    }
    cached = { ...cached, labelsAsOf: newestLabel, items };
  }
  // Most recently used last: the first key is the one to drop.
  cache.delete(run.id);
  cache.set(run.id, cached);
  if (cache.size > RUNS_KEPT) cache.delete(cache.keys().next().value!);
  return cached.items;
}

const codesByStore = new WeakMap<GuardbenchStore, Map<number, readonly string[]>>();

/**
 * The MLCommons codes a dataset's items carry, read once per dataset: a dataset's items never change after its import
 * (and ids are never reused), while reading them scans every item.
 */
export function datasetMlcommonsCodes(store: GuardbenchStore, datasetId: number): readonly string[] {
  let codes = codesByStore.get(store);
  if (!codes) codesByStore.set(store, (codes = new Map()));
  let known = codes.get(datasetId);
  if (!known) codes.set(datasetId, (known = store.datasets.mlcommonsCodes(datasetId)));
  return known;
}
