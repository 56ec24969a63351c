import { err, ok } from "../../../shared/ipc/result.ts";
import { runResultLines } from "../../runs/runItems.ts";
import { PAGE_CALL, type HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";
import { modelFileToScore } from "./models.ts";

export function runHandlers({ store, runs, files, library, engineControl }: HostServices): HandlerGroup {
  return {
    name: "runs",
    handlers: {
      "runs:start": async (request, { caller } = PAGE_CALL) => {
        // A page names saved endpoints (their keys stay on the main side) and scores with the model the user loaded.
        if (caller !== "main" && (request.endpointUrls || request.model)) {
          return err("invalid-request", "invalid runs:start request: endpointUrls and model are for Guardbench's own commands", "Save the endpoint (endpoints:save) and name it in endpoints; load the model first (models:load).");
        }
        if (request.model) await files.forReading(request.model.path, "model", caller);
        return ok(await runs.start(request));
      },
      "runs:start-multi": async ({ datasetId, models, settings }) => {
        // Each id is resolved and its file checked first, so a missing or broken model is an answer, not a failed run.
        const planned = [];
        for (const { modelId, family, policyVersion, familySettings } of models) {
          const resolved = library.resolveId(modelId);
          if (!resolved.ok) return resolved;
          const checked = await modelFileToScore(resolved.value, family, engineControl);
          if (!checked.ok) return checked;
          planned.push({ path: resolved.value, family: checked.value.family, ...(policyVersion ? { policyVersion } : {}), ...(familySettings ? { familySettings } : {}) });
        }
        return ok(await runs.startMany({ datasetId, models: planned, ...(settings ? { settings } : {}) }));
      },
      "runs:list": async ({ datasetId }) => ok({ runs: store.runs.list(datasetId).map((run) => runs.withJob(run)) }),
      "runs:get": async ({ runId }) => ok(runs.withJob(store.runs.get(runId))),
      "runs:results": async ({ runId }) => {
        const run = store.runs.get(runId);
        return ok({ runId, threshold: run.settings.threshold, items: runResultLines(store, run) });
      },
      "runs:resume": async ({ runId, retryFailed }) => ok(await runs.resume(runId, retryFailed !== undefined ? { retryFailed } : {})),
      "runs:update": async ({ runId, name, note }) => {
        store.runs.setNameAndNote(runId, { ...(name !== undefined ? { name } : {}), ...(note !== undefined ? { note } : {}) });
        return ok(runs.withJob(store.runs.get(runId)));
      },
      "runs:delete": async ({ runId }) => ok(runs.deleteRun(runId)),
    },
  };
}
