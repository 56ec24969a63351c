/**
 * The review queue: a dataset's items (with a run's outcomes) as one list of any length, read a page at a time, with
 * filters, the current item, and labeling.
 *
 * Pages are fetched by offset as the reviewer moves or scrolls (and the next one ahead of time); the first page's
 * `asOf` goes with every later request, so labels given meanwhile never move items between pages (see
 * electron/runs/review.ts). Pages far from the current item are dropped again, so memory stays flat at any size.
 *
 * A label shows as saved only once `review:label` has answered: until then the item carries a pending entry
 * ("saving…"); a failed save keeps the chosen label on screen with the error, so nothing the reviewer did is lost.
 * Every label of one visit to the screen belongs to one labeling session, which `review:undo` steps back through.
 */
import type { PolicyCategory } from "../../../../shared/taxonomy/index.ts";
import type { EffectiveLabel, Req, ResultError, ReviewItem } from "../../../../shared/ipc/index.ts";
import type { SafetyLabel } from "../../../../shared/datasets/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { categorySlots, codeOfSlot } from "./categoryKeys.ts";

export interface ReviewFilter {
  disagreements: boolean;
  /** near the threshold: |score − threshold| < UNCERTAIN_MARGIN */
  uncertain: boolean;
  unlabeled: boolean;
  category?: string;
  /** the threshold flags, disagreements and "uncertain" are read at; undefined: the run's own */
  threshold?: number;
}

export interface PendingLabel {
  status: "saving" | "failed";
  label: SafetyLabel;
  categories: string[];
  note?: string;
  error?: ResultError;
}

export interface ReviewDraft {
  /** the item the draft is for; undefined while the current item's page is loading */
  itemId?: string;
  categories: string[];
  note: string;
}

export interface ReviewState {
  datasetId?: number;
  runId?: number;
  /** the run's policy categories (without a run, the current policy's), excluded ones included: keys go by code */
  categories: PolicyCategory[];
  filter: ReviewFilter;
  /** loaded pages of REVIEW_PAGE_SIZE items, by page number */
  pages: Record<number, ReviewItem[]>;
  /** items in the queue */
  total: number;
  /** of those, items with a label in effect (imported or reviewed) */
  labeled: number;
  /** the label history point the queue's filters read (the first page's) */
  asOf?: number;
  threshold?: number;
  /** the current item's place in the queue */
  index: number;
  /** the first page is loading */
  loading: boolean;
  error?: ResultError;
  pending: Record<string, PendingLabel>;
  draft: ReviewDraft;
  session: string;
  undoing: boolean;
  undoError?: ResultError;
  /** `c` presses waiting for a digit (category keys above 20) */
  keyLeaders: number;
  /** looking for the next unlabeled item on the main side */
  seeking: boolean;
}

export interface ReviewOpenOptions {
  filter?: ReviewFilter;
  /** the item to start at (a restored place) */
  index?: number;
  /** show the Review screen (default); false restores the selection without leaving the current screen */
  navigate?: boolean;
}

export interface ReviewSlice {
  review: ReviewState;
  openReview(datasetId: number, runId?: number, options?: ReviewOpenOptions): Promise<void>;
  /** reads the queue again from its first page (filters changed, or the dataset), starting at `index` */
  loadReviewQueue(index?: number): Promise<void>;
  setReviewFilter(changes: Partial<ReviewFilter>): Promise<void>;
  moveReview(delta: number): void;
  selectReviewItem(index: number): void;
  /** makes sure the items in [first, last] are loaded or loading (the list's visible rows) */
  ensureReviewRange(first: number, last: number): Promise<void>;
  /** goes to the nearest item without a label after (or before) the current one, anywhere in the queue */
  nextUnlabeled(direction: "next" | "previous"): Promise<void>;
  toggleReviewCategory(code: string): void;
  /** a category key: toggles the category whose key slot this is (categoryKeys.ts) */
  toggleReviewCategorySlot(slot: number): void;
  setReviewKeyLeaders(leaders: number): void;
  setReviewNote(note: string): void;
  /** labels the current item and moves on; resolves once the main side answered */
  labelCurrent(label: SafetyLabel): Promise<void>;
  undoLabel(): Promise<void>;
  /** labels:changed: the dataset on screen reads its loaded pages' labels and the labelled count again */
  reviewLabelsChanged(datasetId: number): Promise<void>;
}

export const UNCERTAIN_MARGIN = 0.1;
export const REVIEW_PAGE_SIZE = 100;
/** the next page is fetched once the reviewer is this close to the end of the loaded ones */
const PREFETCH_WITHIN = 25;
/** pages kept in memory; the farthest from the current item go first */
const MAX_LOADED_PAGES = 12;

export const NO_REVIEW_FILTER: ReviewFilter = { disagreements: false, uncertain: false, unlabeled: false };

let sessionCounter = 0;
function newSession(): string {
  sessionCounter += 1;
  return `review-${Date.now().toString(36)}-${sessionCounter}`;
}

export const initialReviewState = (): ReviewState => ({
  categories: [],
  filter: NO_REVIEW_FILTER,
  pages: {},
  total: 0,
  labeled: 0,
  index: 0,
  loading: false,
  pending: {},
  draft: { categories: [], note: "" },
  session: newSession(),
  undoing: false,
  keyLeaders: 0,
  seeking: false,
});

const pageOf = (index: number) => Math.floor(index / REVIEW_PAGE_SIZE);

/** The item at a place in the queue, if its page is loaded. */
export function reviewItemAt(state: Pick<ReviewState, "pages">, index: number): ReviewItem | undefined {
  return state.pages[pageOf(index)]?.[index % REVIEW_PAGE_SIZE];
}

function draftFor(item: ReviewItem | undefined, pending?: PendingLabel): ReviewDraft {
  if (!item) return { categories: [], note: "" };
  if (pending) return { itemId: item.itemId, categories: [...pending.categories], note: pending.note ?? "" };
  return { itemId: item.itemId, categories: item.label?.categories ? [...item.label.categories] : [], note: item.label?.note ?? "" };
}

/** The category slots for the current item: the policy's categories, then the ones its label or draft adds. */
export function reviewCategorySlots(state: Pick<ReviewState, "categories" | "draft" | "pages" | "index">): Map<string, number> {
  const extra = [...(reviewItemAt(state, state.index)?.label?.categories ?? []), ...state.draft.categories];
  return categorySlots(
    state.categories.map((category) => category.code),
    extra,
  );
}

export const createReviewSlice: SliceCreator<ReviewSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<ReviewState> | ((current: ReviewState) => Partial<ReviewState>)) => patchSlice(set, "review", changes);
  const review = () => get().review;
  const withoutKey = <T>(record: Record<string, T>, key: string): Record<string, T> => {
    const { [key]: _dropped, ...rest } = record;
    return rest;
  };
  /** bumped when the queue is read again: answers for an older queue are dropped */
  let generation = 0;
  const loadingPages = new Map<number, Promise<void>>();
  /** where this session's labels were given, so an undo can return to an item whose page was dropped */
  const labeledAt = new Map<string, number>();
  /** the pages the list shows now (ensureReviewRange): never dropped */
  let shownPages = { first: 0, last: 0 };

  function queueRequest(): Omit<Req<"review:queue">, "offset" | "limit"> | undefined {
    const { datasetId, runId, filter, asOf } = review();
    if (datasetId === undefined) return undefined;
    return {
      datasetId,
      ...(runId !== undefined && { runId }),
      filter: {
        ...(filter.disagreements && { disagreements: true }),
        ...(filter.uncertain && { uncertainMargin: UNCERTAIN_MARGIN }),
        ...(filter.unlabeled && { unlabeled: true }),
        ...(filter.category && { category: filter.category }),
        ...(filter.threshold !== undefined && { threshold: filter.threshold }),
      },
      ...(asOf !== undefined && { asOf }),
    };
  }

  /** The current item's draft, once its page is there (and unless it already belongs to it). */
  function syncDraft() {
    const state = review();
    const item = reviewItemAt(state, state.index);
    if (item && state.draft.itemId !== item.itemId) patch({ draft: draftFor(item, state.pending[item.itemId]) });
  }

  /** Drops the pages farthest from the current item beyond MAX_LOADED_PAGES, never one with a label being saved. */
  function evictFarPages() {
    const state = review();
    const loaded = Object.keys(state.pages).map(Number);
    if (loaded.length <= MAX_LOADED_PAGES) return;
    const here = pageOf(state.index);
    const busy = (page: number) => (page >= shownPages.first && page <= shownPages.last) || state.pages[page]!.some((item) => state.pending[item.itemId]);
    const far = loaded.filter((page) => !busy(page)).sort((a, b) => Math.abs(b - here) - Math.abs(a - here));
    const drop = new Set(far.slice(0, loaded.length - MAX_LOADED_PAGES));
    if (drop.size > 0) patch((current) => ({ pages: Object.fromEntries(Object.entries(current.pages).filter(([page]) => !drop.has(Number(page)))) }));
  }

  function loadPage(page: number): Promise<void> {
    const state = review();
    // Before the first answer the length is unknown: a restored place may be on any page.
    const pastTheEnd = state.asOf !== undefined && page * REVIEW_PAGE_SIZE >= state.total;
    if (state.pages[page] || page < 0 || (page > 0 && pastTheEnd)) return Promise.resolve();
    const existing = loadingPages.get(page);
    if (existing) return existing;
    const request = queueRequest();
    if (!request) return Promise.resolve();
    const asked = generation;
    const loading = (async () => {
      const answer = await bridge.invoke("review:queue", { ...request, offset: page * REVIEW_PAGE_SIZE, limit: REVIEW_PAGE_SIZE });
      if (asked !== generation) return;
      loadingPages.delete(page);
      if (!answer.ok) {
        patch({ error: answer.error });
        return;
      }
      const { items, total, labeled, threshold, asOf } = answer.value;
      patch((current) => ({ pages: { ...current.pages, [page]: items }, total, labeled, threshold, asOf, error: undefined }));
      syncDraft();
      evictFarPages();
    })();
    loadingPages.set(page, loading);
    return loading;
  }

  /** Loads the current item's page, and the next one when the reviewer is near its end. */
  function loadAround(index: number): Promise<void> {
    const page = pageOf(index);
    const loads = [loadPage(page)];
    if (index % REVIEW_PAGE_SIZE >= REVIEW_PAGE_SIZE - PREFETCH_WITHIN) loads.push(loadPage(page + 1));
    if (index % REVIEW_PAGE_SIZE < PREFETCH_WITHIN && page > 0) loads.push(loadPage(page - 1));
    return Promise.all(loads).then(() => undefined);
  }

  /** The item at `index`, loading its page first when needed. */
  async function itemAtLoaded(index: number): Promise<ReviewItem | undefined> {
    await loadPage(pageOf(index));
    return reviewItemAt(review(), index);
  }

  /** Puts a saved label (or its removal) on the item wherever its page is. */
  function setItemLabel(itemId: string, index: number | undefined, label: EffectiveLabel | undefined) {
    patch((state) => {
      const pageNumber = index !== undefined && reviewItemAt(state, index)?.itemId === itemId ? pageOf(index) : Object.keys(state.pages).map(Number).find((page) => state.pages[page]!.some((item) => item.itemId === itemId));
      if (pageNumber === undefined) return {};
      const page = state.pages[pageNumber]!.map((entry) => {
        if (entry.itemId !== itemId) return entry;
        const { label: _old, ...rest } = entry;
        const disagreement = label && entry.result?.ok ? { disagreement: entry.result.flagged !== (label.label === "unsafe") } : {};
        return label ? { ...rest, label, ...disagreement } : rest;
      });
      return { pages: { ...state.pages, [pageNumber]: page } };
    });
  }

  /** The loaded pages again (same snapshot, so the order stays), but not a page with a label still being saved. */
  async function reloadLoadedPages(): Promise<void> {
    const request = queueRequest();
    if (!request) return;
    const asked = generation;
    const pages = Object.keys(review().pages).map(Number);
    await Promise.all(
      pages.map(async (page) => {
        const answer = await bridge.invoke("review:queue", { ...request, offset: page * REVIEW_PAGE_SIZE, limit: REVIEW_PAGE_SIZE });
        const current = review();
        if (asked !== generation || !answer.ok || !current.pages[page] || current.pages[page]!.some((item) => current.pending[item.itemId])) return;
        const { items, total, labeled } = answer.value;
        patch((state) => ({ pages: { ...state.pages, [page]: items }, total, labeled }));
      }),
    );
    syncDraft();
  }

  return {
    review: initialReviewState(),

    async reviewLabelsChanged(datasetId) {
      if (review().datasetId === datasetId) await reloadLoadedPages();
    },

    async openReview(datasetId, runId, options = {}) {
      labeledAt.clear();
      patch({ datasetId, runId, filter: options.filter ?? NO_REVIEW_FILTER, pending: {}, session: newSession(), error: undefined, undoError: undefined, keyLeaders: 0 });
      if (options.navigate !== false) get().navigate("review");
      let categories = get().policy.drafts[get().policy.family].categories;
      if (runId !== undefined) {
        const run = await bridge.invoke("runs:get", { runId });
        if (run.ok) categories = run.value.policy.categories;
      }
      patch({ categories });
      await get().loadReviewQueue(options.index ?? 0);
    },

    async loadReviewQueue(index = 0) {
      if (review().datasetId === undefined) return;
      generation += 1;
      loadingPages.clear();
      patch({ loading: true, error: undefined, pages: {}, total: 0, labeled: 0, asOf: undefined, index: Math.max(0, index), draft: { categories: [], note: "" } });
      await loadPage(pageOf(Math.max(0, index)));
      const { total, error } = review();
      if (error) {
        patch({ loading: false });
        return;
      }
      // A restored place past the end of a queue that shrank: the last item.
      const place = Math.min(Math.max(0, index), Math.max(0, total - 1));
      patch({ loading: false, index: place });
      await loadAround(place);
      syncDraft();
    },

    async setReviewFilter(changes) {
      patch((state) => ({ filter: { ...state.filter, ...changes } }));
      await get().loadReviewQueue();
    },

    moveReview(delta) {
      const { index, total } = review();
      if (total === 0) return;
      get().selectReviewItem(Math.min(total - 1, Math.max(0, index + delta)));
    },

    selectReviewItem(index) {
      const { total, pending } = review();
      if (index < 0 || index >= total) return;
      const item = reviewItemAt(review(), index);
      patch({ index, draft: item ? draftFor(item, pending[item.itemId]) : { categories: [], note: "" } });
      void loadAround(index);
    },

    async ensureReviewRange(first, last) {
      shownPages = { first: pageOf(Math.max(0, first)), last: pageOf(Math.max(0, last)) };
      const pages = [];
      for (let page = pageOf(Math.max(0, first)); page <= pageOf(Math.max(0, last)); page++) pages.push(loadPage(page));
      await Promise.all(pages);
    },

    async nextUnlabeled(direction) {
      const step = direction === "next" ? 1 : -1;
      const state = review();
      const unlabeled = (item: ReviewItem) => !item.label && !state.pending[item.itemId];
      // The loaded pages first (they know labels still being saved), up to the first gap.
      for (let index = state.index + step; index >= 0 && index < state.total; index += step) {
        const item = reviewItemAt(state, index);
        if (!item) break;
        if (unlabeled(item)) return get().selectReviewItem(index);
      }
      const request = queueRequest();
      if (!request) return;
      patch({ seeking: true });
      let from = state.index;
      // The main side does not know labels still in flight: skip any it points at.
      for (;;) {
        const found = await bridge.invoke("review:next-unlabeled", { ...request, from, direction });
        if (!found.ok || found.value.index === undefined) {
          patch({ seeking: false });
          get().notify(found.ok ? { kind: "info", message: `No item ${direction === "next" ? "after" : "before"} this one is without a label.` } : { kind: "error", message: found.error.message, ...(found.error.hint && { hint: found.error.hint }) });
          return;
        }
        const item = await itemAtLoaded(found.value.index);
        if (item && review().pending[item.itemId]?.status === "saving") {
          from = found.value.index;
          continue;
        }
        patch({ seeking: false });
        return get().selectReviewItem(found.value.index);
      }
    },

    toggleReviewCategory(code) {
      patch((state) => {
        const has = state.draft.categories.includes(code);
        return { draft: { ...state.draft, categories: has ? state.draft.categories.filter((c) => c !== code) : [...state.draft.categories, code] } };
      });
    },

    toggleReviewCategorySlot(slot) {
      const code = codeOfSlot(reviewCategorySlots(review()), slot);
      if (code !== undefined) get().toggleReviewCategory(code);
    },

    setReviewKeyLeaders: (keyLeaders) => patch({ keyLeaders }),

    setReviewNote: (note) => patch((state) => ({ draft: { ...state.draft, note } })),

    async labelCurrent(label) {
      const { datasetId, index, session } = review();
      if (datasetId === undefined) return;
      // An item still loading has not been shown: nothing to label yet (the key does nothing rather than guess).
      const item = reviewItemAt(review(), index);
      if (!item) return;
      syncDraft();
      const { draft } = review();
      // A safe item names no hazard.
      const categories = label === "safe" ? [] : draft.categories;
      const note = draft.note.trim() === "" ? undefined : draft.note.trim();
      const itemId = item.itemId;
      const dropped = label === "unsafe" ? (item.label?.categories ?? []).filter((code) => !categories.includes(code)) : [];
      const counted = Boolean(item.label) || review().pending[itemId]?.status === "saving";
      patch((state) => ({ pending: { ...state.pending, [itemId]: { status: "saving", label, categories, ...(note && { note }) } } }));
      labeledAt.set(itemId, index);
      get().moveReview(1);
      const saved = await bridge.invoke("review:label", { datasetId, itemId, label, categories, ...(note && { note }), session });
      if (!saved.ok) {
        patch((state) => ({ pending: { ...state.pending, [itemId]: { status: "failed", label, categories, ...(note && { note }), error: saved.error } } }));
        return;
      }
      const event = saved.value;
      patch((state) => ({ pending: withoutKey(state.pending, itemId), labeled: state.labeled + (counted ? 0 : 1) }));
      setItemLabel(itemId, index, { label: event.label, categories: event.categories, source: "review", eventId: event.eventId, ...(event.note && { note: event.note }), who: event.who, at: event.at });
      // Never silently: an unsafe label that leaves out a category the item had says so.
      if (dropped.length > 0) get().notify({ kind: "info", message: `Saved ${itemId} as unsafe without ${dropped.join(", ")}, which ${dropped.length === 1 ? "was" : "were"} unticked. Press z to undo.` });
    },

    async undoLabel() {
      const { session } = review();
      patch({ undoing: true, undoError: undefined });
      const undone = await bridge.invoke("review:undo", { session });
      if (!undone.ok) {
        patch({ undoing: false, undoError: undone.error });
        return;
      }
      const { undone: event, current } = undone.value;
      const at = labeledAt.get(event.itemId);
      patch((state) => ({ undoing: false, pending: withoutKey(state.pending, event.itemId), labeled: state.labeled - (current ? 0 : 1) }));
      setItemLabel(event.itemId, at, current);
      if (at !== undefined) {
        await itemAtLoaded(at);
        get().selectReviewItem(at);
      }
      get().notify({ kind: "info", message: `Undid the ${event.label} label on ${event.itemId}.` });
    },
  };
};
