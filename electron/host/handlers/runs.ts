import { ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function runHandlers({ store, runs }: HostServices): HandlerGroup {
  return {
    name: "runs",
    handlers: {
      "runs:start": async ({ datasetId, policy, policyVersion, settings, endpoints, includeLocal }) =>
        ok(
          await runs.start({
            datasetId,
            ...(policy ? { policy } : {}),
            ...(policyVersion ? { policyVersion } : {}),
            ...(settings ? { settings } : {}),
            ...(endpoints && endpoints.length > 0 ? { endpoints, includeLocal: includeLocal ?? false } : {}),
          }),
        ),
      "runs:list": async ({ datasetId }) => ok({ runs: store.runs.list(datasetId).map((run) => runs.withJob(run)) }),
      "runs:get": async ({ runId }) => ok(runs.withJob(store.runs.get(runId))),
      "runs:resume": async ({ runId, retryFailed }) => ok(await runs.resume(runId, retryFailed !== undefined ? { retryFailed } : {})),
      "runs:update": async ({ runId, name, note }) => {
        store.runs.setNameAndNote(runId, { ...(name !== undefined ? { name } : {}), ...(note !== undefined ? { note } : {}) });
        return ok(runs.withJob(store.runs.get(runId)));
      },
      "runs:delete": async ({ runId }) => ok(runs.deleteRun(runId)),
    },
  };
}
