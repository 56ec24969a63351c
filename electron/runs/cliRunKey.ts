/**
 * When is a later `guardbench run` the same run? When it reads the same dataset (the same bytes, read the same way:
 * one stored import), with the same model file path and prompt family, the same policy, threshold, top-k and check.
 * Then re-running the command continues the run instead of starting over. Left out on purpose:
 * - the model file's *content*: a changed file under the same path is the same request, which the run then refuses to
 *   continue ("the model changed"), instead of quietly starting a second run;
 * - `--sequences`, `--threads` and `--cpu`: they change the speed, not the scores.
 */
import { createHash } from "node:crypto";
import type { CheckMode } from "../../shared/conversation/types.ts";
import type { Policy, PromptFamily } from "../../shared/taxonomy/index.ts";

export interface CliRunIdentity {
  datasetId: number;
  modelPath: string;
  family: PromptFamily;
  policy: Policy;
  threshold: number;
  topK: number;
  check: CheckMode;
}

export function cliRunKey(identity: CliRunIdentity): string {
  const { datasetId, modelPath, family, policy, threshold, topK, check } = identity;
  // Fixed field order, so the same identity always serialises (and hashes) the same way.
  const canonical = JSON.stringify([datasetId, modelPath, family, policy, threshold, topK, check]);
  return `cli-v1:${createHash("sha256").update(canonical).digest("hex")}`;
}
