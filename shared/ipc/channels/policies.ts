/** Saved policies, versioned: a save adds a version, earlier ones stay (handlers: electron/host/handlers/policies.ts). */
import { z } from "zod";
import { policySchema, type Policy, type PromptFamily } from "../../taxonomy/index.ts";
import { answer, type ChannelTable } from "./channel.ts";

export const policyNameSchema = z.string().trim().min(1, "the policy name is empty").max(200);
export const versionSchema = z.number().int().positive();
/** A saved policy version, named where a request uses one. */
export const policyVersionRefSchema = z.strictObject({ name: policyNameSchema, version: versionSchema });

export type PolicyVersionRef = z.output<typeof policyVersionRefSchema>;

export interface PolicyVersionInfo {
  version: number;
  /** ISO 8601 */
  savedAt: string;
}

/** A saved version as `policies:list` shows it. */
export interface SavedPolicyVersion extends PolicyVersionInfo {
  /** runs that used it: deleting it then hides it instead */
  runs: number;
  /** hidden by `policies:delete-version` (listed only with `includeHidden`) */
  hidden?: boolean;
}

export interface PolicySummary {
  name: string;
  /** family of the latest version */
  family: PromptFamily;
  /** the latest version not hidden (the latest hidden one when every listed version is) */
  latestVersion: number;
  /** oldest first */
  versions: SavedPolicyVersion[];
}

/** What `policies:delete-version` did. */
export interface PolicyVersionDeletion {
  name: string;
  version: number;
  /** "hidden": runs used it, so it stays for them (their name, version and text) but leaves the lists */
  outcome: "deleted" | "hidden";
  /** the runs that used it */
  runs: number;
}

export interface StoredPolicy {
  name: string;
  version: number;
  family: PromptFamily;
  savedAt: string;
  /** hidden by `policies:delete-version` because a run used it */
  hidden?: boolean;
  policy: Policy;
}

export const policyChannels = {
  /** saved policies, each with its versions; hidden versions only with `includeHidden` */
  "policies:list": { request: z.strictObject({ includeHidden: z.boolean().optional() }), answer: answer<{ policies: PolicySummary[] }>() },
  /** one version of a saved policy, hidden ones included; the latest one not hidden when `version` is omitted */
  "policies:get": { request: z.strictObject({ name: policyNameSchema, version: versionSchema.optional() }), answer: answer<StoredPolicy>() },
  /** saves the policy under its name as a new version; earlier versions stay */
  "policies:save": { request: z.strictObject({ policy: policySchema }), answer: answer<PolicyVersionInfo & { name: string }>() },
  /**
   * Deletes a saved version for good, or, when a run used it, hides it: the runs keep its name, version and text, and
   * pickers stop listing it. Version numbers are never given out again, so a number that named it names nothing else.
   */
  "policies:delete-version": { request: policyVersionRefSchema, answer: answer<PolicyVersionDeletion>() },
} as const satisfies ChannelTable;
