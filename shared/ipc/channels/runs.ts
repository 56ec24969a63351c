/** Batch runs: one model, one policy and settings over a dataset (handlers: electron/host/handlers/runs.ts). */
import { z } from "zod";
import { thresholdSchema, topKSchema } from "../../classify/result.ts";
import { policySchema, type Policy, type PromptFamily } from "../../taxonomy/index.ts";
import type { ResultError } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { endpointNameSchema } from "./endpoints.ts";
import { checkSchema, datasetIdSchema, runIdSchema } from "./fields.ts";
import { policyVersionRefSchema } from "./policies.ts";
import { MAX_RUN_NAME_LENGTH, MAX_RUN_NOTE_LENGTH } from "../../runs/runName.ts";

/**
 * - running: being scored, or interrupted (the app or CLI was closed or killed mid-run): resumable; the app resumes its
 *   own interrupted runs when it starts.
 * - paused: paused by the user (`job:pause`) or interrupted with Ctrl+C (`guardbench run`): resumable.
 * - failed: stopped by an error that is not about one item (no model, the model cannot be loaded or changed, the
 *   database cannot be written): `stopReason` says which; resumable once that is fixed.
 * - cancelled: cancelled by the user (`job:cancel`); its results stay, it is not resumed.
 * - done: every item has a result (some may be failures: `runs:resume` with `retryFailed` scores those again).
 */
export type RunState = "running" | "paused" | "cancelled" | "done" | "failed";

/** A run's settings as stored with it (and read back from SQLite with this schema). */
export const runSettingsSchema = z.object({
  threshold: thresholdSchema,
  topK: topKSchema,
  check: checkSchema,
  /** classifications kept in flight (the engine's parallel sequences when the run last started) */
  sequences: z.number().int().nonnegative(),
  /**
   * The endpoints that scored the run (names; with the CLI's `--endpoint URL`, the URL's host and port), and whether
   * the local engine scored alongside them. Absent: the local engine alone.
   */
  endpoints: z.array(z.string()).optional(),
  includeLocal: z.boolean().optional(),
  /**
   * The run whose scores this one took instead of classifying again (same model file, family, policy, check and top-k:
   * only the threshold differed, and flags are computed from the scores at any threshold).
   */
  scoresFrom: z.number().int().positive().optional(),
});

export type RunSettings = z.output<typeof runSettingsSchema>;

/** How a run classifies; everything not given takes the classifier's defaults (threshold 0.5, top-k 5, check "last"). */
const requestedRunSettingsSchema = z.strictObject(runSettingsSchema.pick({ threshold: true, topK: true, check: true }).partial().shape);

/**
 * What changed about a run (`runs:changed`): `created`, `removed`, `state` (running, paused, done … and its finish time
 * or stop reason), `results` (items scored, or failures replaced), `details` (anything else stored with it: settings,
 * the process scoring it, a name).
 */
export const RUN_CHANGES = ["created", "state", "results", "details", "removed"] as const;
export type RunChange = (typeof RUN_CHANGES)[number];

/** Pushed as `runs:changed` when a run was written, by this host or another process on the same database. */
export interface RunsChanged {
  runId: number;
  datasetId: number;
  changes: RunChange[];
}

export interface RunSummary {
  id: number;
  datasetId: number;
  datasetName: string;
  model: {
    path: string;
    /** sha256 of the GGUF file: a resume refuses to continue when the file changed */
    sha256: string;
    sizeBytes: number;
    family: PromptFamily;
  };
  policyName: string;
  /** the saved policy version, when the run used one */
  policyVersion?: number;
  settings: RunSettings;
  state: RunState;
  /** why a paused or failed run stopped */
  stopReason?: ResultError;
  counts: {
    items: number;
    scored: number;
    failed: number;
    /** items without a result yet */
    pending: number;
  };
  /** "cli": started by `guardbench run` (resumed by running the same command again) */
  origin: "app" | "cli";
  createdAt: string;
  finishedAt?: string;
  /** the job scoring it right now, in this process */
  jobId?: string;
  /** the user's name for it (runs:update); absent: it is named by what produced it (shared/runs/runName.ts) */
  name?: string;
  /** the user's note on it */
  note?: string;
}

export interface RunDetail extends RunSummary {
  /** the policy exactly as the run used it */
  policy: Policy;
}

/** What `runs:delete` removed. */
export interface RunDeletion {
  runId: number;
  /** the results deleted with it */
  results: number;
}

export interface RunStarted {
  jobId: string;
  runId: number;
  /** the scores taken from a run that differs only by its threshold (those items are not classified again) */
  reusedScores?: ReusedScores;
}

export interface ReusedScores {
  fromRunId: number;
  /** items whose score was copied */
  count: number;
}

export const runChannels = {
  /**
   * Classifies every item of a dataset with the loaded model: answers `{ jobId, runId }` at once; `job:progress` reports
   * done/total, rate and ETA; each result is stored as it finishes. The policy is a saved version (`policyVersion`), an
   * unsaved policy (`policy`), or, with neither, the loaded model family's preset.
   */
  "runs:start": {
    request: z
      .strictObject({
        datasetId: datasetIdSchema,
        policy: policySchema.optional(),
        policyVersion: policyVersionRefSchema.optional(),
        settings: requestedRunSettingsSchema.optional(),
        /**
         * Saved endpoints (`endpoints:list` names) that score the run instead of the local engine. The run's model file is
         * still needed locally for its tokenizer (prompts travel as token ids). Absent or empty: the local engine only.
         */
        endpoints: z.array(endpointNameSchema).max(32, "at most 32 endpoints per run").optional(),
        /** with `endpoints`: the local engine scores items too, alongside them (default false) */
        includeLocal: z.boolean().optional(),
      })
      .refine((request) => !(request.policy && request.policyVersion), { message: "give either policy (unsaved) or policyVersion (saved), not both" })
      .refine((request) => new Set(request.endpoints ?? []).size === (request.endpoints ?? []).length, { message: "endpoints names an endpoint twice", path: ["endpoints"] })
      .refine((request) => !(request.includeLocal && (request.endpoints ?? []).length === 0), { message: "includeLocal needs endpoints (without endpoints the local engine scores the run anyway)", path: ["includeLocal"] }),
    answer: answer<RunStarted>(),
  },
  /** runs, newest first; only those of one dataset with `datasetId` */
  "runs:list": { request: z.strictObject({ datasetId: datasetIdSchema.optional() }), answer: answer<{ runs: RunSummary[] }>() },
  "runs:get": { request: z.strictObject({ runId: runIdSchema }), answer: answer<RunDetail>() },
  /**
   * Continues a running (interrupted), paused or failed run with the items that have no result yet; `retryFailed` also
   * scores again the items whose classification failed (a done run can be resumed that way). Refused when the model
   * file's content changed since the run started. Answers `{ jobId, runId }`.
   */
  "runs:resume": { request: z.strictObject({ runId: runIdSchema, retryFailed: z.boolean().optional() }), answer: answer<RunStarted>() },
  /**
   * Renames a run and/or sets its note; a field left out stays as it is. An empty (or blank) name gives the run back
   * its generated name; an empty note removes the note. Answers the run as runs:get does.
   */
  "runs:update": {
    request: z
      .strictObject({
        runId: runIdSchema,
        name: z
          .string({ error: "name must be text (empty for the generated name)" })
          .trim()
          .max(MAX_RUN_NAME_LENGTH, `name is longer than ${MAX_RUN_NAME_LENGTH} characters: shorten it (a note can hold the details)`)
          .refine((name) => !/\p{Cc}/u.test(name), { message: "name must be one line, without control characters" })
          .optional(),
        note: z.string({ error: "note must be text (empty to remove it)" }).trim().max(MAX_RUN_NOTE_LENGTH, `note is longer than ${MAX_RUN_NOTE_LENGTH} characters`).optional(),
      })
      .refine((request) => request.name !== undefined || request.note !== undefined, { message: "give a name or a note to change (an empty name restores the generated one)" }),
    answer: answer<RunDetail>(),
  },
  /**
   * Deletes a run and its results for good; its dataset, the items and their labels stay. Refused (`run-in-progress`)
   * while a job scores it (paused included) or another live process does: cancel it first.
   */
  "runs:delete": { request: z.strictObject({ runId: runIdSchema }), answer: answer<RunDeletion>() },
} as const satisfies ChannelTable;

/** What starts a run, after validation (the app's `runs:start`; RunManager.start). */
export type StartRunRequest = z.output<(typeof runChannels)["runs:start"]["request"]>;
