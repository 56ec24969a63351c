import type { EffectiveLabel, ReviewItem } from "../../../../shared/ipc/index.ts";
import type { AppState } from "../../store/types.ts";
import type { PendingLabel } from "./slice.ts";

export type ShownLabel =
  | { state: "none" }
  | ({ state: "saved" } & Pick<EffectiveLabel, "label" | "categories" | "source" | "note">)
  | ({ state: "saving" | "failed"; error?: { message: string; hint?: string } } & Pick<EffectiveLabel, "label" | "categories">);

export const reviewSelectors = {
  datasetId: (s: AppState) => s.review.datasetId,
  runId: (s: AppState) => s.review.runId,
  filter: (s: AppState) => s.review.filter,
  items: (s: AppState) => s.review.items,
  total: (s: AppState) => s.review.total,
  threshold: (s: AppState) => s.review.threshold,
  index: (s: AppState) => s.review.index,
  loading: (s: AppState) => s.review.loading,
  error: (s: AppState) => s.review.error,
  categories: (s: AppState) => s.review.categories,
  draft: (s: AppState) => s.review.draft,
  undoing: (s: AppState) => s.review.undoing,
  undoError: (s: AppState) => s.review.undoError,
  current: (s: AppState) => s.review.items[s.review.index],
  pending: (s: AppState) => s.review.pending,
};

/** What to show as an item's label: a pending save wins over the stored label. */
export function shownLabel(item: ReviewItem, pending: PendingLabel | undefined): ShownLabel {
  if (pending) return { state: pending.status, label: pending.label, categories: pending.categories, ...(pending.error && { error: pending.error }) };
  const label = item.label;
  return label ? { state: "saved", label: label.label, categories: label.categories, source: label.source, ...(label.note && { note: label.note }) } : { state: "none" };
}
