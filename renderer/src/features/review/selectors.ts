import type { EffectiveLabel, ReviewItem } from "../../../../shared/ipc/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import { keyLabel, keyOfSlot } from "./categoryKeys.ts";
import { reviewCategorySlots, reviewItemAt, type PendingLabel } from "./slice.ts";

export type ShownLabel =
  | { state: "none" }
  | ({ state: "saved" } & Pick<EffectiveLabel, "label" | "categories" | "source" | "note">)
  | ({ state: "saving" | "failed"; error?: { message: string; hint?: string } } & Pick<EffectiveLabel, "label" | "categories">);

/** A category as a chip under the current item: its key, whether it is ticked, and where it comes from. */
export interface CategoryChip {
  code: string;
  /** the policy's name, or the code alone for a category the policy lacks */
  name: string;
  /** the key(s) that toggle it, as shown: "6", "0", "Shift+1", "c 1" */
  keys: string;
  checked: boolean;
  /** "policy": enabled in the policy; "excluded": in the policy but switched off; "label": only on the item's label */
  origin: "policy" | "excluded" | "label";
}

const review = (s: AppState) => s.review;

export const reviewSelectors = {
  datasetId: (s: AppState) => s.review.datasetId,
  runId: (s: AppState) => s.review.runId,
  filter: (s: AppState) => s.review.filter,
  total: (s: AppState) => s.review.total,
  labeled: (s: AppState) => s.review.labeled,
  threshold: (s: AppState) => s.review.threshold,
  index: (s: AppState) => s.review.index,
  loading: (s: AppState) => s.review.loading,
  seeking: (s: AppState) => s.review.seeking,
  error: (s: AppState) => s.review.error,
  categories: (s: AppState) => s.review.categories,
  draft: (s: AppState) => s.review.draft,
  undoing: (s: AppState) => s.review.undoing,
  undoError: (s: AppState) => s.review.undoError,
  keyLeaders: (s: AppState) => s.review.keyLeaders,
  current: (s: AppState) => reviewItemAt(s.review, s.review.index),
  pending: (s: AppState) => s.review.pending,
  /** the chips under the current item: every policy category (excluded ones too) and any other its label names */
  categoryChips: memoSelector([review], (state): CategoryChip[] => {
    const slots = reviewCategorySlots(state);
    const inPolicy = new Set(state.categories.map((category) => category.code));
    const chip = (code: string, name: string, origin: CategoryChip["origin"]): CategoryChip => ({ code, name, keys: keyLabel(keyOfSlot(slots.get(code)!)), checked: state.draft.categories.includes(code), origin });
    const extra = [...slots.keys()].filter((code) => !inPolicy.has(code));
    return [...state.categories.map((category) => chip(category.code, category.name.replace(/\.\s*$/, "").trim(), category.enabled ? "policy" : "excluded")), ...extra.map((code) => chip(code, "", "label"))];
  }),
};

/** What to show as an item's label: a pending save wins over the stored label. */
export function shownLabel(item: ReviewItem, pending: PendingLabel | undefined): ShownLabel {
  if (pending) return { state: pending.status, label: pending.label, categories: pending.categories, ...(pending.error && { error: pending.error }) };
  const label = item.label;
  return label ? { state: "saved", label: label.label, categories: label.categories, source: label.source, ...(label.note && { note: label.note }) } : { state: "none" };
}
