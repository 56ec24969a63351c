/**
 * electron/review: the review queue and the labels a reviewer gives.
 *
 * - queue.ts: a dataset's items filtered and ordered for labeling, paged by offset, with offsets that stay true while
 *   the reviewer labels (`review:queue`, `review:next-unlabeled`).
 * - labeling.ts: giving and undoing a label (`review:label`, `review:undo`), for the Review screen and `guardbench label`
 *   alike.
 *
 * May import: store/ (items, labels, results), runs/ (a run's items joined with its results and labels, runs/runItems.ts,
 * and RunError). Imported by host/ (handlers/review.ts) and cli/ (`guardbench label`).
 * This file is the folder's map; import the modules themselves.
 */
export {};
