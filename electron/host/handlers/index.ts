/** The handler groups AppHost merges into its one table (one file per domain). */
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";
import { appHandlers } from "./app.ts";
import { classifyHandlers } from "./classify.ts";
import { datasetHandlers } from "./datasets.ts";
import { endpointHandlers } from "./endpoints.ts";
import { engineHandlers } from "./engine.ts";
import { evaluationHandlers } from "./evaluation.ts";
import { fileHandlers } from "./files.ts";
import { historyHandlers } from "./history.ts";
import { hubTokenHandlers } from "./hubToken.ts";
import { jobHandlers } from "./jobs.ts";
import { modelHandlers } from "./models.ts";
import { moderationHandlers } from "./moderation.ts";
import { policyHandlers } from "./policies.ts";
import { promptHandlers } from "./prompts.ts";
import { reviewHandlers } from "./review.ts";
import { runHandlers } from "./runs.ts";

export function defaultHandlerGroups(services: HostServices): HandlerGroup[] {
  return [
    appHandlers(services),
    engineHandlers(services),
    classifyHandlers(services),
    promptHandlers(services),
    modelHandlers(services),
    hubTokenHandlers(services),
    policyHandlers(services),
    historyHandlers(services),
    jobHandlers(services),
    datasetHandlers(services),
    runHandlers(services),
    reviewHandlers(services),
    evaluationHandlers(services),
    endpointHandlers(services),
    fileHandlers(services),
    moderationHandlers(services),
  ];
}
