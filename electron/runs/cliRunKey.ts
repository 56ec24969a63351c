/**
 * When is a later `guardbench run` the same run? When it reads the same dataset (the same bytes, read the same way:
 * one stored import), with the same model file path and prompt family, the same policy, threshold, top-k, check and
 * family settings. Then re-running the command continues the run instead of starting over. Left out on purpose:
 * - the model file's *content*: a changed file under the same path is the same request, which the run then refuses to
 *   continue ("the model changed"), instead of quietly starting a second run;
 * - `--sequences`, `--threads` and `--cpu`: they change the speed, not the scores.
 */
import { createHash } from "node:crypto";
import type { RunSettings } from "../../shared/ipc/contract.ts";
import type { Policy, PromptFamily } from "../../shared/taxonomy/index.ts";
import type { FamilySettings } from "../../shared/families/types.ts";
import { familyOf } from "../../shared/families/registry.ts";
import type { CustomGuardDefinition } from "../../shared/families/customGuard.ts";
import { canonicalJson } from "../../shared/format/canonicalJson.ts";

/** The settings that change the scores; the others (`sequences`, who scored) do not make another run. */
export type ScoringSettings = Pick<RunSettings, "threshold" | "topK" | "check">;

export interface CliRunIdentity extends ScoringSettings {
  datasetId: number;
  modelPath: string;
  family: PromptFamily;
  policy: Policy;
  /** the family's settings as asked; one left out is its default */
  familySettings?: FamilySettings;
  /** a custom guard's definition: another definition is another run */
  customGuard?: CustomGuardDefinition;
}

export function cliRunKey(identity: CliRunIdentity): string {
  const { datasetId, modelPath, family, policy, threshold, topK, check } = identity;
  const changed = settingsOffDefault(family, identity.familySettings ?? {});
  // Fixed field order, so the same identity always serialises (and hashes) the same way. Only settings off their
  // default are added: a default named or left out is the same run, and keys made before runs took family settings
  // (every run at the defaults) still find their runs.
  const canonical = JSON.stringify([
    datasetId,
    modelPath,
    family,
    policy,
    threshold,
    topK,
    check,
    ...(changed.length > 0 ? [changed] : []),
    ...(identity.customGuard ? [{ customGuard: canonicalJson(identity.customGuard) }] : []),
  ]);
  return `cli-v1:${createHash("sha256").update(canonical).digest("hex")}`;
}

/** The family's settings whose value differs from its default, in the family's order. */
function settingsOffDefault(family: PromptFamily, chosen: FamilySettings): [string, boolean][] {
  return familyOf(family)
    .settings.filter((setting) => chosen[setting.id] !== undefined && chosen[setting.id] !== setting.default)
    .map((setting) => [setting.id, chosen[setting.id]!]);
}
