/**
 * The moderation API's app side: the audit setting, and audited calls made into a dataset (handlers:
 * electron/host/handlers/moderation.ts; the API itself is HTTP, in electron/moderation).
 */
import { z } from "zod";
import { answer, type ChannelTable } from "./channel.ts";
import type { DatasetSummary } from "./datasets.ts";

/** What the audit trail keeps of each moderated input: nothing, verdicts with content hashes, or also the content. */
export const MODERATION_AUDIT_MODES = ["off", "hash", "content"] as const;
export type ModerationAuditMode = (typeof MODERATION_AUDIT_MODES)[number];

/** Largest sample one `moderation:audit-to-dataset` takes. */
export const MAX_AUDIT_SAMPLE = 10_000;

export interface ModerationAuditSummary {
  /** audited inputs */
  inputs: number;
  /** of them, with their content stored (reviewable) */
  withContent: number;
  flagged: number;
  first?: string;
  last?: string;
}

export interface ModerationSettingsInfo {
  audit: ModerationAuditMode;
  audited: ModerationAuditSummary;
}

export interface AuditDatasetReport {
  dataset: DatasetSummary;
  /** inputs taken into the dataset */
  sampled: number;
  /** audited inputs that could not be taken because only their hash was stored */
  hashOnly: number;
}

export const moderationChannels = {
  /** the audit setting and what the trail holds */
  "moderation:settings": { request: z.strictObject({}), answer: answer<ModerationSettingsInfo>() },
  /** changes the audit setting (`guardbench serve --audit` can only raise it for its session) */
  "moderation:save-settings": {
    request: z.strictObject({
      audit: z.enum(MODERATION_AUDIT_MODES, { error: `audit must be one of ${MODERATION_AUDIT_MODES.join(", ")}` }),
    }),
    answer: answer<ModerationSettingsInfo>(),
  },
  /**
   * Makes a dataset of up to `n` audited inputs, drawn at random among those whose content was stored (only those can
   * be reviewed), unlabeled, for the review queue. `flagged` keeps only flagged (true) or unflagged (false) inputs.
   */
  "moderation:audit-to-dataset": {
    request: z.strictObject({
      n: z.number({ error: "n must be a number" }).int().min(1).max(MAX_AUDIT_SAMPLE, { error: `n is at most ${MAX_AUDIT_SAMPLE}` }),
      name: z.string().trim().min(1, "the dataset name is empty").max(200).optional(),
      flagged: z.boolean().optional(),
    }),
    answer: answer<AuditDatasetReport>(),
  },
} as const satisfies ChannelTable;
