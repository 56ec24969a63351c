import { ok } from "../../../shared/ipc/result.ts";
import { compareRunsOf, runMetrics } from "../../runs/evaluation.ts";
import { itemResult } from "../../runs/itemResult.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function evaluationHandlers({ store }: HostServices): HandlerGroup {
  return {
    name: "evaluation",
    handlers: {
      "eval:metrics": async (request) => ok(runMetrics(store, request)),
      "eval:compare": async (request) => ok(compareRunsOf(store, request)),
      "results:get": async ({ runId, itemId }) => ok(itemResult(store, runId, itemId)),
    },
  };
}
