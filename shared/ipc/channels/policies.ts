/** Saved policies, versioned: a save adds a version, earlier ones stay (handlers: electron/host/handlers/policies.ts). */
import { z } from "zod";
import { policySchema, type Policy, type PromptFamily } from "../../taxonomy/index.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { noFields } from "./fields.ts";

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

export interface PolicySummary {
  name: string;
  /** family of the latest version */
  family: PromptFamily;
  latestVersion: number;
  /** oldest first */
  versions: PolicyVersionInfo[];
}

export interface StoredPolicy {
  name: string;
  version: number;
  family: PromptFamily;
  savedAt: string;
  policy: Policy;
}

export const policyChannels = {
  /** saved policies, each with its versions */
  "policies:list": { request: noFields, answer: answer<{ policies: PolicySummary[] }>() },
  /** one version of a saved policy; the latest when `version` is omitted */
  "policies:get": { request: z.strictObject({ name: policyNameSchema, version: versionSchema.optional() }), answer: answer<StoredPolicy>() },
  /** saves the policy under its name as a new version; earlier versions stay */
  "policies:save": { request: z.strictObject({ policy: policySchema }), answer: answer<PolicyVersionInfo & { name: string }>() },
} as const satisfies ChannelTable;
