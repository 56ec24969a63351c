/**
 * Every domain's channels, keyed by the name of the file that declares them, which is also the name of the handler
 * group that answers them: `channels/runs.ts` ↔ `electron/host/handlers/runs.ts` (test/unit/shared/ipc/contract.test.ts
 * checks both sides name the same channels).
 */
import { appChannels } from "./app.ts";
import { classifyChannels } from "./classify.ts";
import { datasetChannels } from "./datasets.ts";
import { endpointChannels } from "./endpoints.ts";
import { engineChannels } from "./engine.ts";
import { evaluationChannels } from "./evaluation.ts";
import { fileChannels } from "./files.ts";
import { historyChannels } from "./history.ts";
import { hubTokenChannels } from "./hubToken.ts";
import { jobChannels } from "./jobs.ts";
import { modelChannels } from "./models.ts";
import { moderationChannels } from "./moderation.ts";
import { policyChannels } from "./policies.ts";
import { promptChannels } from "./prompts.ts";
import { reviewChannels } from "./review.ts";
import { runChannels } from "./runs.ts";

export const CHANNEL_DOMAINS = {
  app: appChannels,
  engine: engineChannels,
  classify: classifyChannels,
  prompts: promptChannels,
  models: modelChannels,
  hubToken: hubTokenChannels,
  policies: policyChannels,
  history: historyChannels,
  jobs: jobChannels,
  datasets: datasetChannels,
  runs: runChannels,
  review: reviewChannels,
  evaluation: evaluationChannels,
  endpoints: endpointChannels,
  files: fileChannels,
  moderation: moderationChannels,
} as const;

export type ChannelDomain = keyof typeof CHANNEL_DOMAINS;

export * from "./app.ts";
export * from "./classify.ts";
export * from "./datasets.ts";
export * from "./endpoints.ts";
export * from "./engine.ts";
export * from "./evaluation.ts";
export * from "./fields.ts";
export * from "./files.ts";
export * from "./history.ts";
export * from "./hubToken.ts";
export * from "./jobs.ts";
export * from "./models.ts";
export * from "./moderation.ts";
export * from "./policies.ts";
export * from "./prompts.ts";
export * from "./review.ts";
export * from "./runs.ts";
