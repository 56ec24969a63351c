/**
 * Remote endpoints ("Scale out"): the saved servers that can score runs besides (or instead of) this machine, the last
 * connection test of each, and the pool chosen for the next run. The main side owns the endpoints and their keys: an
 * API key goes out in one `endpoints:save` request and is never kept here (the main side answers `hasApiKey` only).
 */
import type { EndpointInfo, EndpointProbe, Req, ResultError, StartRunRequest } from "../../../../shared/ipc/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";

/** What the add/edit form sends. `apiKey`: a new key (absent keeps the stored one); `clearApiKey` removes it. */
export type EndpointDraft = Req<"endpoints:save">;

export interface EndpointTestState {
  testing: boolean;
  probe?: EndpointProbe;
  /** the request itself failed (not the same as an unreachable server, which `probe` reports) */
  error?: ResultError;
  /** when the last probe answered (ISO) */
  at?: string;
}

/** Which scorers the next run uses: saved endpoints by name, and whether this machine scores too. */
export type RunPool = Required<Pick<StartRunRequest, "endpoints" | "includeLocal">>;

export interface EndpointsState {
  list: EndpointInfo[];
  loaded: boolean;
  listError?: ResultError;
  saving: boolean;
  saveError?: ResultError;
  /** a failed remove, shown above the list */
  actionError?: ResultError;
  tests: Record<string, EndpointTestState>;
  pool: RunPool;
}

export interface EndpointsSlice {
  endpoints: EndpointsState;
  refreshEndpoints(): Promise<void>;
  /** returns whether it was saved; the draft (and its key) is not kept either way */
  saveEndpoint(draft: EndpointDraft): Promise<boolean>;
  removeEndpoint(name: string): Promise<boolean>;
  testEndpoint(name: string): Promise<void>;
  clearEndpointSaveError(): void;
  setPoolEndpoint(name: string, included: boolean): void;
  setPoolLocal(included: boolean): void;
}

export const initialEndpointsState: EndpointsState = { list: [], loaded: false, saving: false, tests: {}, pool: { endpoints: [], includeLocal: true } };

/** Drops pool entries for endpoints that no longer exist. */
function prunePool(pool: RunPool, list: EndpointInfo[]): RunPool {
  const names = new Set(list.map((endpoint) => endpoint.name));
  const endpoints = pool.endpoints.filter((name) => names.has(name));
  return endpoints.length === pool.endpoints.length ? pool : { ...pool, endpoints };
}

export const createEndpointsSlice: SliceCreator<EndpointsSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<EndpointsState> | ((current: EndpointsState) => Partial<EndpointsState>)) => patchSlice(set, "endpoints", changes);
  const patchTest = (name: string, test: EndpointTestState) => patch((state) => ({ tests: { ...state.tests, [name]: test } }));
  const setList = (list: EndpointInfo[]) => patch((state) => ({ list, loaded: true, listError: undefined, pool: prunePool(state.pool, list) }));

  return {
    endpoints: initialEndpointsState,

    async refreshEndpoints() {
      const listed = await bridge.invoke("endpoints:list", {});
      if (listed.ok) setList(listed.value.endpoints);
      else patch({ loaded: true, listError: listed.error });
    },

    async saveEndpoint(draft) {
      patch({ saving: true, saveError: undefined });
      const request: Req<"endpoints:save"> = {
        name: draft.name.trim(),
        baseUrl: draft.baseUrl.trim(),
        kind: draft.kind,
        model: draft.model.trim(),
        ...(draft.apiKey ? { apiKey: draft.apiKey } : draft.clearApiKey ? { clearApiKey: true } : {}),
        ...(draft.concurrency !== undefined && { concurrency: draft.concurrency }),
      };
      const saved = await bridge.invoke("endpoints:save", request);
      if (!saved.ok) {
        patch({ saving: false, saveError: saved.error });
        return false;
      }
      const info = saved.value;
      const { list } = get().endpoints;
      const replaced = list.some((endpoint) => endpoint.name === info.name);
      setList(replaced ? list.map((endpoint) => (endpoint.name === info.name ? info : endpoint)) : [...list, info]);
      // The address or model may have changed: an earlier test no longer describes it.
      patch((state) => {
        const { [info.name]: _stale, ...tests } = state.tests;
        return { saving: false, tests };
      });
      get().notify({ kind: "info", message: `Saved endpoint ${info.name}.` });
      return true;
    },

    async removeEndpoint(name) {
      patch({ actionError: undefined });
      const removed = await bridge.invoke("endpoints:remove", { name });
      if (!removed.ok) {
        patch({ actionError: removed.error });
        return false;
      }
      patch((state) => {
        const { [name]: _gone, ...tests } = state.tests;
        return { tests };
      });
      setList(get().endpoints.list.filter((endpoint) => endpoint.name !== name));
      return true;
    },

    async testEndpoint(name) {
      patchTest(name, { ...get().endpoints.tests[name], testing: true });
      const probed = await bridge.invoke("endpoints:test", { name });
      patchTest(name, probed.ok ? { testing: false, probe: probed.value, at: new Date().toISOString() } : { testing: false, error: probed.error });
    },

    clearEndpointSaveError: () => patch({ saveError: undefined }),

    setPoolEndpoint(name, included) {
      patch((state) => {
        const others = state.pool.endpoints.filter((entry) => entry !== name);
        return { pool: { ...state.pool, endpoints: included ? [...others, name] : others } };
      });
    },
    setPoolLocal(includeLocal) {
      patch((state) => ({ pool: { ...state.pool, includeLocal } }));
    },
  };
};
