/**
 * electron/evaluation: a run's results read against the dataset's labels.
 *
 * - metrics.ts: `eval:metrics` (a run measured against the labels in effect, shared/metrics doing the arithmetic) and
 *   `eval:compare` / `eval:compare-item` (two runs side by side, the items where they disagree).
 * - sideBySide.ts: `eval:side-by-side` (two to eight runs of one dataset: metrics, curves, agreement, and per category
 *   after each run's codes are mapped onto the dataset's); comparisons are kept in store/comparisons.ts.
 * - joinedItemsCache.ts: a run's joined rows kept between metric requests; only the items a change touched are read
 *   again.
 * - itemResult.ts: one item in full (`results:get`), computing the token details a batch run stored without.
 * - exportRows.ts: items with their labels and a run's outcome as flat rows, the same fields for `datasets:export` and
 *   `guardbench run --out`.
 *
 * May import: store/ (items, labels, results), runs/ (a run's items joined with its results, runs/runItems.ts, and
 * RunError), engine/ (the token-details request and EngineError, for itemResult.ts), datasets/ (the JSONL/CSV writer,
 * datasets/export.ts). Imported by host/ (handlers/evaluation.ts, handlers/datasets.ts) and cli/.
 * This file is the folder's map; import the modules themselves.
 */
export {};
