/**
 * The error half of the Result envelope as a schema, for errors read back from storage (a run's stop reason, an item's
 * failure). Its own file so that result.ts, which the sandboxed preload bundles, imports only its type and no zod.
 */
import { z } from "zod";

export const resultErrorSchema = z.object({
  /** stable, kebab-case, for code to branch on ("invalid-request", "model-load-failed", "auth-required" …) */
  code: z.string(),
  /** one or two sentences for the user: what went wrong, naming the thing it went wrong with */
  message: z.string(),
  /** what the user can do about it */
  hint: z.string().optional(),
  /** machine-readable extras some errors carry (a download's licence page, a checksum pair …) */
  details: z.record(z.string(), z.unknown()).optional(),
});

export type ResultError = z.output<typeof resultErrorSchema>;
