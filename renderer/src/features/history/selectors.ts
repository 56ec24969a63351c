import type { AppState } from "../../store/types.ts";

export const historySelectors = {
  items: (s: AppState) => s.history.items,
  hasMore: (s: AppState) => s.history.nextBeforeId !== undefined,
  loading: (s: AppState) => s.history.loading,
  openingId: (s: AppState) => s.history.openingId,
  error: (s: AppState) => s.history.error,
  filters: (s: AppState) => s.history.filters,
  facets: (s: AppState) => s.history.facets,
  confirmingDeleteId: (s: AppState) => s.history.confirmingDeleteId,
};
