/** Batch runs: one model, one policy and settings over a dataset (handlers: electron/host/handlers/runs.ts). */
import { z } from "zod";
import { familySettingsSchema, thresholdSchema, topKSchema } from "../../classify/result.ts";
import { customGuardSchema } from "../../families/customGuard.ts";
import { policySchema, type Policy, type PromptFamily } from "../../taxonomy/index.ts";
import type { ResultError } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { adHocEndpointSchema, endpointNameSchema } from "./endpoints.ts";
import { checkSchema, datasetIdSchema, familySchema, filePathSchema, runIdSchema } from "./fields.ts";
import type { ItemOutcome } from "./review.ts";
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
   * The run's family settings (Qwen3Guard's `controversialIsUnsafe`), every one the family has at its value, the
   * family's default filled in: they change P(unsafe), so runs that differ in them never share scores or resume each
   * other. Absent for a family without settings. Runs stored before runs took them have none stored and read back
   * with the family's defaults, which is what they were scored with.
   */
  familySettings: familySettingsSchema.optional(),
  /**
   * A custom guard run's definition as it scored the run (the one saved with the model then): a resume refuses to go on
   * when the model's definition has changed since, as it refuses a changed model file.
   */
  customGuard: customGuardSchema.optional(),
  /**
   * The run whose scores this one took instead of classifying again (same model file, family, family settings, policy,
   * check and top-k: only the threshold differed, and flags are computed from the scores at any threshold).
   */
  scoresFrom: z.number().int().positive().optional(),
});

export type RunSettings = z.output<typeof runSettingsSchema>;

/** How each run of a multi-run classifies; everything not given takes the classifier's defaults (threshold 0.5, top-k 5, check "last"). */
const requestedScoringSchema = z.strictObject(runSettingsSchema.pick({ threshold: true, topK: true, check: true }).partial().shape);

/** How a run classifies: the scoring as for a multi-run, and the model family's settings (its defaults for any left out). */
const requestedRunSettingsSchema = requestedScoringSchema.extend({ familySettings: familySettingsSchema.optional() });

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
  /** `earlier` found the run of an identical earlier request, which this job continues; `results`: its items that had one */
  continued?: { results: number };
}

/**
 * Pushed as `runs:item` once an item's result is committed (a result announced here survives a kill). `outcome.flagged`
 * is at the run's threshold.
 */
export interface RunItemFinished {
  runId: number;
  jobId: string;
  rowId: number;
  itemId: string;
  outcome: ItemOutcome;
  /** the endpoint that scored it ("local" for the local engine), in runs scored across endpoints */
  endpoint?: string;
}

/** Pushed as `runs:endpoint` when an endpoint of a run stops answering (its items go to the others) or comes back. */
export type RunEndpointEvent = { runId: number; jobId: string; endpoint: string } & ({ kind: "suspended"; problem: string; requeued: number } | { kind: "recovered" });

/** `runs:start-multi`: the runs made, in the order of the models, scored one after another. */
export interface MultiRunStarted {
  runIds: number[];
  /** the job scoring the first run (each run gets its own job when its turn comes) */
  jobId: string;
}

export const MAX_MULTI_RUN_MODELS = 8;

/** A record's entries in key order, so that the same settings written in another order are the same choice. */
function sortedEntries(record: Readonly<Record<string, boolean>> | undefined): [string, boolean][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One item of a run as `runs:results` lists it: the dataset's id for it, its label in effect, its outcome once scored. */
export interface RunResultLine {
  rowId: number;
  itemId: string;
  label?: "safe" | "unsafe";
  outcome?: ItemOutcome;
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
        /** with `endpoints` or `endpointUrls`: the local engine scores items too, alongside them (default false) */
        includeLocal: z.boolean().optional(),
        /**
         * Main-side callers only (`guardbench run`): endpoints given for this run alone, key included, never saved. The
         * page names saved endpoints instead.
         */
        endpointUrls: z.array(adHocEndpointSchema).min(1).max(32, "at most 32 endpoints per run").optional(),
        /**
         * Main-side callers only: the model to score with, instead of the loaded one. The run's job loads it when the
         * local engine scores and does not hold it (a different model the engine holds is never replaced: refused);
         * endpoints alone read only its tokenizer.
         */
        model: z.strictObject({ path: filePathSchema, family: familySchema, compute: z.enum(["auto", "cpu"]).optional() }).optional(),
        /**
         * A run that a later identical request continues (`guardbench run`: running the same command again). The same
         * request is the same dataset, model path and family, policy, threshold, top-k, check and family settings (a
         * setting left out is its default). `continue`: continue such a run when there is one, else start it; `require`:
         * continue it, refused (`no-earlier-run`) when there is none; `new`: start a new one even if there is. Absent: an
         * app run, which start-up resumes by itself.
         */
        earlier: z.enum(["new", "continue", "require"], { error: "earlier must be new, continue or require" }).optional(),
        /** with a continued run: also score again the items whose classification failed */
        retryFailed: z.boolean().optional(),
      })
      .refine((request) => !(request.policy && request.policyVersion), { message: "give either policy (unsaved) or policyVersion (saved), not both" })
      .refine((request) => new Set(request.endpoints ?? []).size === (request.endpoints ?? []).length, { message: "endpoints names an endpoint twice", path: ["endpoints"] })
      .refine((request) => !(request.endpoints?.length && request.endpointUrls), { message: "give saved endpoints or endpointUrls, not both", path: ["endpointUrls"] })
      .refine((request) => new Set((request.endpointUrls ?? []).map((endpoint) => endpoint.name)).size === (request.endpointUrls ?? []).length, {
        message: "endpointUrls names the same server twice",
        path: ["endpointUrls"],
      })
      .refine((request) => !(request.includeLocal && (request.endpoints ?? []).length === 0 && !request.endpointUrls), {
        message: "includeLocal needs endpoints (without endpoints the local engine scores the run anyway)",
        path: ["includeLocal"],
      })
      .refine((request) => !(request.retryFailed && request.earlier === undefined), { message: "retryFailed goes with earlier (a run to continue); runs:resume retries an app run's failures", path: ["retryFailed"] }),
    answer: answer<RunStarted>(),
  },
  /**
   * One dataset run by several installed models (a multi-run, #15.5): a run per model, each with its policy (a saved
   * version of the model's family, or that family's preset) and its family's settings, all with the same threshold,
   * top-k and check, scored one after another — the engine holds one model at a time, so each run's job loads its
   * model, replacing the loaded one. Every run is made
   * (and its model file hashed) before the answer; the ones waiting are paused with the reason. Cancelling one run's
   * job stops the runs after it (they stay paused, resumable one by one).
   */
  "runs:start-multi": {
    request: z
      .strictObject({
        datasetId: datasetIdSchema,
        models: z
          .array(
            z.strictObject({
              /** the library id (`models:list`) */
              modelId: z.string().trim().min(1, "give the model's library id").max(1000),
              /** default: the family detected from the file */
              family: familySchema.optional(),
              policyVersion: policyVersionRefSchema.optional(),
              /** the settings of the family it is scored as; that family's defaults for any left out */
              familySettings: familySettingsSchema.optional(),
            }),
          )
          .min(2, "a multi-run takes at least two models (start a single run for one)")
          .max(MAX_MULTI_RUN_MODELS, `at most ${MAX_MULTI_RUN_MODELS} models per multi-run`),
        settings: requestedScoringSchema.optional(),
      })
      .refine((request) => new Set(request.models.map((model) => JSON.stringify([model.modelId, model.family, model.policyVersion, sortedEntries(model.familySettings)]))).size === request.models.length, {
        message: "the same model with the same family, policy and family settings is chosen twice",
        path: ["models"],
      }),
    answer: answer<MultiRunStarted>(),
  },
  /** runs, newest first; only those of one dataset with `datasetId` */
  "runs:list": { request: z.strictObject({ datasetId: datasetIdSchema.optional() }), answer: answer<{ runs: RunSummary[] }>() },
  "runs:get": { request: z.strictObject({ runId: runIdSchema }), answer: answer<RunDetail>() },
  /**
   * Every item of the run in dataset order, with its label in effect and its outcome (flagged at the run's threshold)
   * once scored: what `guardbench run` prints and writes with `--out`. The review screen pages with `review:queue`.
   */
  "runs:results": { request: z.strictObject({ runId: runIdSchema }), answer: answer<{ runId: number; threshold: number; items: RunResultLine[] }>() },
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
