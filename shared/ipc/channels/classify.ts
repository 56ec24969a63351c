/** Classifying one conversation with the loaded model (handlers: electron/host/handlers/classify.ts). */
import { z } from "zod";
import { classifyOptionsSchema, type ClassificationResult } from "../../classify/result.ts";
import { policySchema } from "../../taxonomy/index.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { checkSchema, turnsSchema } from "./fields.ts";
import { policyVersionRefSchema } from "./policies.ts";

/** A caller-chosen id for one `classify:run`, so it can be cancelled. */
const classifyRequestIdSchema = z.string({ error: "requestId must be a string" }).min(1, { error: "requestId is empty" }).max(100, { error: "requestId is longer than 100 characters" });

/**
 * Which conversation to build a prompt for, and how: what `classify:run` and `prompt:tokenize` name, and what the engine
 * classifies. The policy defaults to the loaded model family's preset, the check to "last".
 */
export const classifyInputSchema = z.strictObject({
  turns: turnsSchema,
  policy: policySchema.optional(),
  check: checkSchema.optional(),
});

export type ClassifyRequest = z.output<typeof classifyInputSchema>;

export interface ClassifyRunResult {
  result: ClassificationResult;
  /** the history entry, when recorded */
  historyId?: number;
}

export const classifyChannels = {
  /**
   * Classifies the conversation with the loaded model and records it in the history (unless `record: false`).
   * `policyVersion` names the saved policy version the request's policy came from, when it did. `requestId`, chosen by
   * the caller, lets `classify:cancel` stop it (a cancelled run fails with `cancelled` and records nothing).
   */
  "classify:run": {
    request: z.strictObject({
      ...classifyInputSchema.shape,
      options: classifyOptionsSchema.optional(),
      policyVersion: policyVersionRefSchema.optional(),
      record: z.boolean().optional(),
      requestId: classifyRequestIdSchema.optional(),
    }),
    answer: answer<ClassifyRunResult>(),
  },
  /**
   * Stops the `classify:run` with this `requestId`. A cancel that arrives before its run (the transport may reorder
   * them) stops that run as soon as it starts. `cancelled`: whether a run in progress was stopped.
   */
  "classify:cancel": { request: z.strictObject({ requestId: classifyRequestIdSchema }), answer: answer<{ cancelled: boolean }>() },
} as const satisfies ChannelTable;
