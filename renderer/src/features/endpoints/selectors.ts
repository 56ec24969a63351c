import type { EndpointInfo, EndpointProgress, Req, RunJobProgress } from "../../../../shared/ipc/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import type { EndpointTestState, RunPool } from "./slice.ts";

const list = (s: AppState) => s.endpoints.list;
const pool = (s: AppState) => s.endpoints.pool;

/** The pool's fields of a `runs:start` request: nothing at all for a local-only run (the request stays as before). */
export type PoolRequest = Pick<Req<"runs:start">, "endpoints" | "includeLocal">;

/** The chosen endpoints in the list's order, skipping any that no longer exist. */
const chosenEndpoints = memoSelector([list, pool], (endpoints: EndpointInfo[], chosen: RunPool): string[] =>
  endpoints.map((endpoint) => endpoint.name).filter((name) => chosen.endpoints.includes(name)),
);

const poolRequest = memoSelector([chosenEndpoints, pool], (names: string[], chosen: RunPool): PoolRequest =>
  names.length === 0 ? {} : { endpoints: names, ...(chosen.includeLocal && { includeLocal: true }) },
);

/** Something must score the run: this machine, or at least one endpoint. */
const poolValid = (s: AppState) => s.endpoints.pool.includeLocal || chosenEndpoints(s).length > 0;

const noTest: EndpointTestState = { testing: false };

export const endpointsSelectors = {
  list,
  loaded: (s: AppState) => s.endpoints.loaded,
  listError: (s: AppState) => s.endpoints.listError,
  saving: (s: AppState) => s.endpoints.saving,
  saveError: (s: AppState) => s.endpoints.saveError,
  actionError: (s: AppState) => s.endpoints.actionError,
  endpoint: (name: string | undefined) => (s: AppState) => s.endpoints.list.find((endpoint) => endpoint.name === name),
  test: (name: string) => (s: AppState): EndpointTestState => s.endpoints.tests[name] ?? noTest,
  pool,
  chosenEndpoints,
  poolIncludesLocal: (s: AppState) => s.endpoints.pool.includeLocal,
  poolRequest,
  poolValid,
};

/** A run job's per-scorer progress, when it is spread across endpoints. */
export function perEndpointOf(job: RunJobProgress | undefined): EndpointProgress[] {
  return job?.perEndpoint ?? [];
}
