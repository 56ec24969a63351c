import { ok } from "../../../shared/ipc/result.ts";
import { compareItemOf, compareRunsOf, runMetrics } from "../../evaluation/metrics.ts";
import { itemResult } from "../../evaluation/itemResult.ts";
import { sideBySideOf } from "../../evaluation/sideBySide.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function evaluationHandlers({ store, engineControl }: HostServices): HandlerGroup {
  return {
    name: "evaluation",
    handlers: {
      "eval:metrics": async (request) => ok(runMetrics(store, request)),
      "eval:compare": async (request) => ok(compareRunsOf(store, request)),
      "eval:side-by-side": async (request) => ok(sideBySideOf(store, request)),
      "eval:save-comparison": async ({ name, runIds, threshold, categoryMapping }) => ok(store.comparisons.save({ name, runIds, ...(threshold !== undefined ? { threshold } : {}), categoryMapping })),
      "eval:comparisons": async () => ok({ comparisons: store.comparisons.list() }),
      "eval:delete-comparison": async ({ id }) => ok({ id, deleted: store.comparisons.delete(id) }),
      "eval:compare-item": async (request) => ok(await compareItemOf(store, request, engineControl)),
      // Opening a batch run's item computes the token details it was stored without (ClassifyOptions.deferTokenDetails).
      "results:get": async ({ runId, itemId, threshold }) => ok(await itemResult(store, runId, itemId, engineControl, threshold)),
    },
  };
}
