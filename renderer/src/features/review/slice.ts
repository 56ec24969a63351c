/**
 * The review queue: a page of a dataset's items (with a run's outcomes), filters, the current item, and labelling.
 *
 * A label shows as saved only once `review:label` has answered: until then the item carries a pending entry
 * ("saving…"); a failed save keeps the chosen label on screen with the error, so nothing the reviewer did is lost.
 * Every label of one visit to the screen belongs to one labeling session, which `review:undo` steps back through.
 */
import type { PolicyCategory } from "../../../../shared/taxonomy/index.ts";
import type { ResultError, ReviewItem } from "../../../../shared/ipc/index.ts";
import type { SafetyLabel } from "../../../../shared/datasets/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";

export interface ReviewFilter {
  disagreements: boolean;
  /** near the threshold: |score − threshold| < UNCERTAIN_MARGIN */
  uncertain: boolean;
  unlabeled: boolean;
  category?: string;
}

export interface PendingLabel {
  status: "saving" | "failed";
  label: SafetyLabel;
  categories: string[];
  note?: string;
  error?: ResultError;
}

export interface ReviewDraft {
  categories: string[];
  note: string;
}

export interface ReviewState {
  datasetId?: number;
  runId?: number;
  /** the categories number keys toggle (the run's policy, enabled ones, in order) */
  categories: PolicyCategory[];
  filter: ReviewFilter;
  items: ReviewItem[];
  total: number;
  threshold?: number;
  index: number;
  loading: boolean;
  error?: ResultError;
  pending: Record<string, PendingLabel>;
  draft: ReviewDraft;
  session: string;
  undoing: boolean;
  undoError?: ResultError;
}

export interface ReviewSlice {
  review: ReviewState;
  openReview(datasetId: number, runId?: number): Promise<void>;
  loadReviewQueue(): Promise<void>;
  setReviewFilter(changes: Partial<ReviewFilter>): Promise<void>;
  moveReview(delta: number): void;
  selectReviewItem(index: number): void;
  toggleReviewCategory(code: string): void;
  /** number key n: toggles the n-th enabled category */
  toggleReviewCategoryAt(position: number): void;
  setReviewNote(note: string): void;
  /** labels the current item and moves on; resolves once the main side answered */
  labelCurrent(label: SafetyLabel): Promise<void>;
  undoLabel(): Promise<void>;
}

export const UNCERTAIN_MARGIN = 0.1;
export const REVIEW_PAGE_SIZE = 200;

const noFilter: ReviewFilter = { disagreements: false, uncertain: false, unlabeled: false };

let sessionCounter = 0;
function newSession(): string {
  sessionCounter += 1;
  return `review-${Date.now().toString(36)}-${sessionCounter}`;
}

export const initialReviewState = (): ReviewState => ({
  categories: [],
  filter: noFilter,
  items: [],
  total: 0,
  index: 0,
  loading: false,
  pending: {},
  draft: { categories: [], note: "" },
  session: newSession(),
  undoing: false,
});

function draftFor(item: ReviewItem | undefined): ReviewDraft {
  return { categories: item?.label?.categories ? [...item.label.categories] : [], note: item?.label?.note ?? "" };
}

export const createReviewSlice: SliceCreator<ReviewSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<ReviewState> | ((current: ReviewState) => Partial<ReviewState>)) => patchSlice(set, "review", changes);
  const withoutKey = <T>(record: Record<string, T>, key: string): Record<string, T> => {
    const { [key]: _dropped, ...rest } = record;
    return rest;
  };

  return {
    review: initialReviewState(),

    async openReview(datasetId, runId) {
      patch({ datasetId, runId, index: 0, items: [], total: 0, filter: noFilter, pending: {}, session: newSession(), error: undefined, undoError: undefined });
      get().navigate("review");
      let categories = get().policy.drafts[get().policy.family].categories;
      if (runId !== undefined) {
        const run = await bridge.invoke("runs:get", { runId });
        if (run.ok) categories = run.value.policy.categories;
      }
      patch({ categories: categories.filter((category) => category.enabled) });
      await get().loadReviewQueue();
    },

    async loadReviewQueue() {
      const { datasetId, runId, filter } = get().review;
      if (datasetId === undefined) return;
      patch({ loading: true, error: undefined });
      const page = await bridge.invoke("review:queue", {
        datasetId,
        ...(runId !== undefined && { runId }),
        filter: {
          ...(filter.disagreements && { disagreements: true }),
          ...(filter.uncertain && { uncertainMargin: UNCERTAIN_MARGIN }),
          ...(filter.unlabeled && { unlabeled: true }),
          ...(filter.category && { category: filter.category }),
        },
        limit: REVIEW_PAGE_SIZE,
      });
      if (!page.ok) {
        patch({ loading: false, error: page.error, items: [], total: 0 });
        return;
      }
      const items = page.value.items;
      patch({ loading: false, items, total: page.value.total, threshold: page.value.threshold, index: 0, draft: draftFor(items[0]) });
    },

    async setReviewFilter(changes) {
      patch((state) => ({ filter: { ...state.filter, ...changes } }));
      await get().loadReviewQueue();
    },

    moveReview(delta) {
      const { index, items } = get().review;
      if (items.length === 0) return;
      get().selectReviewItem(Math.min(items.length - 1, Math.max(0, index + delta)));
    },

    selectReviewItem(index) {
      const item = get().review.items[index];
      if (!item) return;
      const pending = get().review.pending[item.itemId];
      patch({ index, draft: pending ? { categories: [...pending.categories], note: pending.note ?? "" } : draftFor(item) });
    },

    toggleReviewCategory(code) {
      patch((state) => {
        const has = state.draft.categories.includes(code);
        return { draft: { ...state.draft, categories: has ? state.draft.categories.filter((c) => c !== code) : [...state.draft.categories, code] } };
      });
    },

    toggleReviewCategoryAt(position) {
      const category = get().review.categories[position - 1];
      if (category) get().toggleReviewCategory(category.code);
    },

    setReviewNote: (note) => patch((state) => ({ draft: { ...state.draft, note } })),

    async labelCurrent(label) {
      const { datasetId, items, index, draft, session } = get().review;
      const item = items[index];
      if (datasetId === undefined || !item) return;
      // A safe item names no hazard.
      const categories = label === "safe" ? [] : draft.categories;
      const note = draft.note.trim() === "" ? undefined : draft.note.trim();
      const itemId = item.itemId;
      patch((state) => ({ pending: { ...state.pending, [itemId]: { status: "saving", label, categories, ...(note && { note }) } } }));
      get().moveReview(1);
      const saved = await bridge.invoke("review:label", { datasetId, itemId, label, categories, ...(note && { note }), session });
      if (!saved.ok) {
        patch((state) => ({ pending: { ...state.pending, [itemId]: { status: "failed", label, categories, ...(note && { note }), error: saved.error } } }));
        return;
      }
      const event = saved.value;
      patch((state) => ({
        pending: withoutKey(state.pending, itemId),
        items: state.items.map((entry) =>
          entry.itemId === itemId
            ? {
                ...entry,
                label: { label: event.label, categories: event.categories, source: "review", eventId: event.eventId, ...(event.note && { note: event.note }), who: event.who, at: event.at },
                ...(entry.result?.ok && { disagreement: entry.result.flagged !== (event.label === "unsafe") }),
              }
            : entry,
        ),
      }));
    },

    async undoLabel() {
      const { session } = get().review;
      patch({ undoing: true, undoError: undefined });
      const undone = await bridge.invoke("review:undo", { session });
      if (!undone.ok) {
        patch({ undoing: false, undoError: undone.error });
        return;
      }
      const { undone: event, current } = undone.value;
      patch((state) => ({
        undoing: false,
        pending: withoutKey(state.pending, event.itemId),
        items: state.items.map((entry) => {
          if (entry.itemId !== event.itemId) return entry;
          const { label: _old, ...rest } = entry;
          return current ? { ...rest, label: current } : rest;
        }),
      }));
      const at = get().review.items.findIndex((entry) => entry.itemId === event.itemId);
      if (at !== -1) get().selectReviewItem(at);
      get().notify({ kind: "info", message: `Undid the ${event.label} label on ${event.itemId}.` });
    },
  };
};
