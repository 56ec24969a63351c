/**
 * When is a later `guardbench run` the same run? When it reads the same dataset (the same bytes, read the same way:
 * one stored import), with the same model file path and prompt family, the same policy, threshold, top-k and check.
 * Then re-running the command continues the run instead of starting over. Left out on purpose:
 * - the model file's *content*: a changed file under the same path is the same request, which the run then refuses to
 *   continue ("the model changed"), instead of quietly starting a second run;
 * - `--sequences`, `--threads` and `--cpu`: they change the speed, not the scores.
 */
import { createHash } from "node:crypto";
import type { RunSettings } from "../../shared/ipc/contract.ts";
import type { Policy, PromptFamily } from "../../shared/taxonomy/index.ts";

/** The settings that change the scores; the others (`sequences`, who scored) do not make another run. */
export type ScoringSettings = Pick<RunSettings, "threshold" | "topK" | "check">;

export interface CliRunIdentity extends ScoringSettings {
  datasetId: number;
  modelPath: string;
  family: PromptFamily;
  policy: Policy;
}

export function cliRunKey(identity: CliRunIdentity): string {
  const { datasetId, modelPath, family, policy, threshold, topK, check } = identity;
  // Fixed field order, so the same identity always serialises (and hashes) the same way.
  const canonical = JSON.stringify([datasetId, modelPath, family, policy, threshold, topK, check]);
  return `cli-v1:${createHash("sha256").update(canonical).digest("hex")}`;
}
