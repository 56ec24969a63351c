/**
 * Request building blocks that several domains share. Limits are generous for real use and stop a hostile page from
 * making the main side allocate without bound.
 */
import { z } from "zod";
import { CHECK_MODES, turnSchema as storedTurnSchema } from "../../conversation/types.ts";
import { PROMPT_FAMILIES } from "../../taxonomy/index.ts";

/** Longest turn accepted: far beyond any model's context, so a real conversation never hits it. */
export const MAX_TURN_CHARS = 200_000;
export const MAX_TURNS = 1_000;

export const noFields = z.strictObject({});

const turnSchema = z.strictObject({
  ...storedTurnSchema.shape,
  content: storedTurnSchema.shape.content.max(MAX_TURN_CHARS, `a turn may hold at most ${MAX_TURN_CHARS} characters, more than any model's context holds: shorten the conversation`),
});

export const turnsSchema = z
  .array(turnSchema, { error: "turns must be an array of {role, content}" })
  .min(1, "the conversation has no turns")
  .max(MAX_TURNS, `a conversation may hold at most ${MAX_TURNS} turns`);

export const checkSchema = z.enum(CHECK_MODES, { error: "check must be last, prompt or response" });
export const familySchema = z.enum(PROMPT_FAMILIES, { error: `family must be one of ${PROMPT_FAMILIES.join(", ")}` });

export const datasetIdSchema = z.number({ error: "datasetId must be a number (see datasets:list)" }).int().positive();
export const runIdSchema = z.number({ error: "runId must be a number (see runs:list)" }).int().positive();
/** an item's id within its dataset (the dataset file's own `id`, or `row-N`) */
export const itemIdSchema = z.string({ error: "itemId must be the item's id within its dataset" }).min(1).max(1000);
export const filePathSchema = z.string().min(1, "the path is empty").max(4096);
