/** Past classifications, stored on the main side (`history:*`), newest first, paged; any of them can be re-opened. */
import type { VerdictKind } from "../../../../shared/classify/result.ts";
import type { HistoryFacets, HistorySummary, Req, ResultError } from "../../../../shared/ipc/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";

export interface HistoryFilters {
  query: string;
  verdict?: VerdictKind;
  modelPath?: string;
  policyName?: string;
  policyVersion?: number;
}

export interface HistoryState {
  items: HistorySummary[];
  filters: HistoryFilters;
  /** what the filters can choose from (from the first page of the last listing) */
  facets?: HistoryFacets;
  /** the entry whose deletion waits for the user's confirmation */
  confirmingDeleteId?: number;
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
  /** narrows the list; the list is fetched again at once */
  setHistoryFilters(filters: Partial<HistoryFilters>): Promise<void>;
  /** asks for confirmation (undefined: cancels the question) */
  askToDeleteHistoryEntry(id: number | undefined): void;
  deleteHistoryEntry(id: number): Promise<void>;
}

/** The filters as `history:list` takes them: empty ones left out. */
function listRequest(filters: HistoryFilters): Req<"history:list"> {
  const query = filters.query.trim();
  return {
    ...(query ? { query } : {}),
    ...(filters.verdict ? { verdict: filters.verdict } : {}),
    ...(filters.modelPath ? { modelPath: filters.modelPath } : {}),
    ...(filters.policyName ? { policyName: filters.policyName } : {}),
    ...(filters.policyName && filters.policyVersion !== undefined ? { policyVersion: filters.policyVersion } : {}),
  };
}

export const HISTORY_PAGE_SIZE = 50;

export const createHistorySlice: SliceCreator<HistorySlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<HistoryState> | ((current: HistoryState) => Partial<HistoryState>)) => patchSlice(set, "history", changes);

  return {
    history: { items: [], loading: false, filters: { query: "" } },

    async refreshHistory() {
      const filters = get().history.filters;
      patch({ loading: true });
      const page = await bridge.invoke("history:list", { limit: HISTORY_PAGE_SIZE, ...listRequest(filters) });
      // Typing in the search goes on while the main side looks: only the answer for the filters shown may land.
      if (get().history.filters !== filters) return;
      patch(
        page.ok
          ? { loading: false, items: page.value.items, nextBeforeId: page.value.nextBeforeId, ...(page.value.facets ? { facets: page.value.facets } : {}), error: undefined }
          : { loading: false, error: page.error },
      );
    },

    async loadMoreHistory() {
      const beforeId = get().history.nextBeforeId;
      if (beforeId === undefined || get().history.loading) return;
      patch({ loading: true });
      const page = await bridge.invoke("history:list", { limit: HISTORY_PAGE_SIZE, beforeId, ...listRequest(get().history.filters) });
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

    async setHistoryFilters(changes) {
      patch((state) => ({ filters: { ...state.filters, ...changes } }));
      await get().refreshHistory();
    },

    askToDeleteHistoryEntry: (confirmingDeleteId) => patch({ confirmingDeleteId }),

    async deleteHistoryEntry(id) {
      const deleted = await bridge.invoke("history:delete", { ids: [id] });
      patch({ confirmingDeleteId: undefined });
      if (!deleted.ok) return patch({ error: deleted.error });
      patch((state) => ({ items: state.items.filter((item) => item.id !== id) }));
      get().notify({ kind: "info", message: `Deleted classification ${id} from the history.` });
      // The facets may have lost a model or a policy.
      await get().refreshHistory();
    },
  };
};
