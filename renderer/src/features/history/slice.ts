/** Past classifications, stored on the main side (`history:*`), newest first, paged; any of them can be re-opened. */
import type { HistorySummary, ResultError } from "../../../../shared/ipc/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";

export interface HistoryState {
  items: HistorySummary[];
  /** pass to history:list for the next older page; undefined on the last page */
  nextBeforeId?: number;
  loading: boolean;
  /** the entry being fetched to re-open */
  openingId?: number;
  error?: ResultError;
}

export interface HistorySlice {
  history: HistoryState;
  refreshHistory(): Promise<void>;
  loadMoreHistory(): Promise<void>;
  /** shows the entry's conversation and result on the Classify screen */
  openHistoryEntry(id: number): Promise<void>;
}

export const HISTORY_PAGE_SIZE = 50;

export const createHistorySlice: SliceCreator<HistorySlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<HistoryState> | ((current: HistoryState) => Partial<HistoryState>)) => patchSlice(set, "history", changes);

  return {
    history: { items: [], loading: false },

    async refreshHistory() {
      patch({ loading: true });
      const page = await bridge.invoke("history:list", { limit: HISTORY_PAGE_SIZE });
      patch(page.ok ? { loading: false, items: page.value.items, nextBeforeId: page.value.nextBeforeId, error: undefined } : { loading: false, error: page.error });
    },

    async loadMoreHistory() {
      const beforeId = get().history.nextBeforeId;
      if (beforeId === undefined || get().history.loading) return;
      patch({ loading: true });
      const page = await bridge.invoke("history:list", { limit: HISTORY_PAGE_SIZE, beforeId });
      patch((state) =>
        page.ok
          ? { loading: false, items: [...state.items, ...page.value.items], nextBeforeId: page.value.nextBeforeId, error: undefined }
          : { loading: false, error: page.error },
      );
    },

    async openHistoryEntry(id) {
      patch({ openingId: id, error: undefined });
      const entry = await bridge.invoke("history:get", { id });
      patch({ openingId: undefined });
      if (!entry.ok) {
        patch({ error: entry.error });
        return;
      }
      get().showConversation(entry.value.turns);
      // Checking the last turn of the entry's role picks the same turn again, whatever followed it.
      get().setCheck(entry.value.target === "prompt" ? "prompt" : "response");
      get().showHistoryEntry(entry.value);
      get().navigate("classify");
    },
  };
};
