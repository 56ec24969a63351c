/**
 * The contract between the renderer and the main side: every channel (`domain:verb`), its request schema, its
 * response type, and the events the main side pushes. The preload (Electron IPC) and the WebSocket client
 * (`guardbench serve`, see wire.ts) both implement {@link GuardbenchApi}; AppHost (electron/host) validates every
 * request against {@link requestSchemas} before any handler runs, because the renderer is untrusted input.
 *
 * Names are stable once written: add channels, never rename them.
 *
 * Long work (a model download, a model load, a dataset import, a batch run) answers `{ jobId }` at once, then pushes
 * `job:progress` and finally one `job:done` carrying the job's own Result. `job:cancel` cancels any job; downloads and
 * runs also take `job:pause` and `job:resume`. A renderer that (re)connects calls `job:list` to pick up jobs already
 * running.
 */
import { z } from "zod";
import type { ClassificationResult, VerdictKind } from "../classify/result.ts";
import type { CheckMode, Turn } from "../conversation/types.ts";
import { DATASET_FORMATS, type ColumnDetection, type ColumnMapping, type DatasetFormat, type SafetyLabel } from "../datasets/index.ts";
import type { HistogramBin, PerCategoryReport, PrecisionRecallCurve, RunComparison, ScoreEvaluation } from "../metrics/index.ts";
import type { Catalog } from "../models/catalog.ts";
import type { FitAssessment, FitReport, HardwareProfile } from "../models/fit.ts";
import type { InstalledModel } from "../models/modelInfo.ts";
import { ENDPOINT_KINDS, type EndpointKind } from "../remote/endpoint.ts";
import { PROMPT_FAMILIES, policySchema, type Policy, type PromptFamily } from "../taxonomy/index.ts";
import { CHANNEL_NAMES, EVENT_NAMES, type ChannelName, type EventNameLiteral } from "./names.ts";
import { moderationRequestSchemas, type ModerationResponses } from "./moderation.ts";
import { err, ok, type Result, type ResultError } from "./result.ts";

// ---------------------------------------------------------------------------------------------------------------
// Request building blocks. Limits are generous for real use and stop a hostile page from making the main side
// allocate without bound.

/** Longest turn accepted: far beyond any model's context, so a real conversation never hits it. */
export const MAX_TURN_CHARS = 200_000;
export const MAX_TURNS = 1_000;

const noFields = z.strictObject({});

const turnSchema = z.strictObject({
  role: z.enum(["user", "assistant", "system"], { error: "role must be user, assistant or system" }),
  content: z.string({ error: "content must be a string" }).max(MAX_TURN_CHARS, `a turn may hold at most ${MAX_TURN_CHARS} characters`),
});

const turnsSchema = z
  .array(turnSchema, { error: "turns must be an array of {role, content}" })
  .min(1, "the conversation has no turns")
  .max(MAX_TURNS, `a conversation may hold at most ${MAX_TURNS} turns`);

const checkSchema = z.enum(["last", "prompt", "response"], { error: "check must be last, prompt or response" });
const familySchema = z.enum(PROMPT_FAMILIES, { error: `family must be one of ${PROMPT_FAMILIES.join(", ")}` });

/** A caller-chosen id for one `classify:run`, so it can be cancelled. */
const classifyRequestIdSchema = z.string({ error: "requestId must be a string" }).min(1, { error: "requestId is empty" }).max(100, { error: "requestId is longer than 100 characters" });

const classifyOptionsSchema = z.strictObject({
  threshold: z.number().min(0).max(1).optional(),
  topK: z.number().int().min(0).max(50).optional(),
  maxTokens: z.number().int().min(1).max(512).optional(),
});

/** Which conversation to build a prompt for; the policy defaults to the loaded model family's preset. */
const promptInputFields = {
  turns: turnsSchema,
  policy: policySchema.optional(),
  check: checkSchema.optional(),
};

const jobIdSchema = z.strictObject({ jobId: z.string().min(1).max(100) });
const policyNameSchema = z.string().trim().min(1, "the policy name is empty").max(200);
const versionSchema = z.number().int().positive();

// Datasets, runs and labels.
const datasetIdSchema = z.number({ error: "datasetId must be a number (see datasets:list)" }).int().positive();
const runIdSchema = z.number({ error: "runId must be a number (see runs:list)" }).int().positive();
/** an item's id within its dataset (the dataset file's own `id`, or `row-N`) */
const itemIdSchema = z.string({ error: "itemId must be the item's id within its dataset" }).min(1).max(1000);
const filePathSchema = z.string().min(1, "the path is empty").max(4096);
const thresholdSchema = z.number().min(0).max(1);
const safetyLabelSchema = z.enum(["safe", "unsafe"], { error: "label must be safe or unsafe" });
const categoryCodesSchema = z.array(z.string().trim().min(1).max(200)).max(100);
const columnNameSchema = z.string().min(1).max(500);
const columnMappingSchema = z.strictObject({
  prompt: columnNameSchema,
  response: columnNameSchema.optional(),
  label: columnNameSchema.optional(),
  categories: columnNameSchema.optional(),
  id: columnNameSchema.optional(),
  labelTrueMeans: safetyLabelSchema.optional(),
});
const datasetFormatSchema = z.enum(DATASET_FORMATS, { error: `format must be one of ${DATASET_FORMATS.join(", ")}` });
/** How a run classifies; everything not given takes the classifier's defaults (threshold 0.5, top-k 5, check "last"). */
const runSettingsSchema = z.strictObject({
  threshold: thresholdSchema.optional(),
  topK: z.number().int().min(0).max(50).optional(),
  check: checkSchema.optional(),
});

// Remote endpoints ("Scale out").
/** An endpoint's name: what runs, progress and results call it. Letters, digits, `.`, `_`, `-`, `:`, `@` and spaces. */
export const endpointNameSchema = z
  .string({ error: "name must be a string" })
  .trim()
  .min(1, "the endpoint name is empty")
  .max(100, "an endpoint name may hold at most 100 characters")
  .regex(/^[\p{L}\p{N}._:@ -]+$/u, "an endpoint name may hold only letters, digits, spaces and . _ - : @");
export const MAX_ENDPOINT_CONCURRENCY = 64;
const endpointBaseUrlSchema = z
  .string({ error: "baseUrl must be a string" })
  .trim()
  .min(1, "the base URL is empty")
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i, "baseUrl must be an http(s) URL without credentials, e.g. http://gpu-box:8000 (a key goes in apiKey)");
const endpointKindSchema = z.enum(ENDPOINT_KINDS as [EndpointKind, ...EndpointKind[]], { error: `kind must be one of ${ENDPOINT_KINDS.join(", ")}` });
/** Same rule as a Hugging Face token: a key with spaces or line breaks would break the Authorization header. */
const apiKeySchema = z
  .string({ error: "apiKey must be a string" })
  .min(1, "the API key is empty (leave apiKey out to keep the stored key, or use clearApiKey)")
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, "the API key contains spaces, line breaks or other characters a key never has");

// Files the user chose (see files:* below).
/** What a chosen file is for: the open dialog's filters and the access the grant gives (read, or write for export). */
export const FILE_PURPOSES = ["dataset", "model", "export"] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];
const filePurposeSchema = z.enum(FILE_PURPOSES, { error: `purpose must be one of ${FILE_PURPOSES.join(", ")}` });
const readPurposeSchema = z.enum(["dataset", "model"], { error: "purpose must be dataset or model (uploads are read, never written to)" });
const uploadIdSchema = z.string({ error: "uploadId must be the id files:upload-begin answered" }).min(1).max(100);
/** The largest upload chunk, in bytes before base64 (the WebSocket carries at most a few of them at once). */
export const MAX_UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;
/** The largest file the page may upload: far beyond any moderation dataset, and under the disk check's margin. */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Requests: one schema per channel.

export const requestSchemas = {
  /** version, data folders, transport */
  "app:info": noFields,

  /** the engine's state right now (also pushed as the `engine:status` event whenever it changes) */
  "engine:status": noFields,

  /**
   * Classifies the conversation with the loaded model and records it in the history (unless `record: false`).
   * `policyVersion` names the saved policy version the request's policy came from, when it did. `requestId`, chosen by
   * the caller, lets `classify:cancel` stop it (a cancelled run fails with `cancelled` and records nothing).
   */
  "classify:run": z.strictObject({
    ...promptInputFields,
    options: classifyOptionsSchema.optional(),
    policyVersion: z.strictObject({ name: policyNameSchema, version: versionSchema }).optional(),
    record: z.boolean().optional(),
    requestId: classifyRequestIdSchema.optional(),
  }),

  /**
   * Stops the `classify:run` with this `requestId`. A cancel that arrives before its run (the transport may reorder
   * them) stops that run as soon as it starts. `cancelled`: whether a run in progress was stopped.
   */
  "classify:cancel": z.strictObject({ requestId: classifyRequestIdSchema }),

  /** The exact prompt text and its token count under the loaded model's tokenizer. Fails with `no-model-loaded` otherwise. */
  "prompt:tokenize": z.strictObject(promptInputFields),

  /** the model library: downloaded and imported files */
  "models:list": noFields,
  /** the model catalog rated against this machine, with a recommendation */
  "models:catalog": z.strictObject({ contextSize: z.number().int().min(256).max(1 << 20).optional() }),
  /** RAM, CPU and GPU as the engine sees them */
  "models:hardware": noFields,
  /** starts a download job: answers `{ jobId }`, then `job:progress` … `job:done` with the installed ModelSummary */
  "models:download": z.strictObject({
    repo: z.string().min(3).max(200),
    file: z.string().min(1).max(500),
    revision: z.string().min(1).max(200).optional(),
  }),
  /** validates a GGUF file the user chose (see files:*) and copies it into the library (`local/<name>`) */
  "models:import": z.strictObject({ path: z.string().min(1, "the path is empty").max(4096) }),
  /**
   * A page that listens for events asks for the model files the OS opened Guardbench with: each waiting one, and every
   * later one, arrives as a `models:open-request` event. `delivered`: how many were waiting.
   */
  "models:open-requests": noFields,
  /** deletes a model file from the library (imports are copies, so the original file stays where it was) */
  "models:remove": z.strictObject({ id: z.string().min(1).max(1000) }),
  /** starts a load job: answers `{ jobId }`; `job:done` carries the new EngineStatus. `family` overrides detection. */
  "models:load": z.strictObject({
    id: z.string().min(1).max(1000),
    family: familySchema.optional(),
    contextSize: z.number().int().min(256).max(1 << 20).optional(),
    /** "cpu" never touches a GPU; "auto" (default) uses one when it works and says why not when it does not */
    compute: z.enum(["auto", "cpu"]).optional(),
  }),
  "models:unload": noFields,

  /** whether a Hugging Face token is available and where from (the token itself never leaves the main side) */
  "hf:token-status": noFields,
  "hf:token-set": z.strictObject({ token: z.string().min(1, "the token is empty").max(1000) }),
  "hf:token-clear": noFields,

  /** saved policies, each with its versions */
  "policies:list": noFields,
  /** one version of a saved policy; the latest when `version` is omitted */
  "policies:get": z.strictObject({ name: policyNameSchema, version: versionSchema.optional() }),
  /** saves the policy under its name as a new version; earlier versions stay */
  "policies:save": z.strictObject({ policy: policySchema }),

  /** recent classifications, newest first; pass the last item's id as `beforeId` for the next page */
  "history:list": z.strictObject({
    limit: z.number().int().min(1).max(500).optional(),
    beforeId: z.number().int().positive().optional(),
  }),
  "history:get": z.strictObject({ id: z.number().int().positive() }),

  /** the jobs still running (for a renderer that connects after they started) */
  "job:list": noFields,
  "job:cancel": jobIdSchema,
  /** downloads and runs */
  "job:pause": jobIdSchema,
  /** downloads and runs */
  "job:resume": jobIdSchema,

  /**
   * The import wizard's first step: the file's format, columns and first rows as parsed, with a suggested column mapping.
   * `path`: a file the user chose (files:pick, files:allow or an upload).
   */
  "datasets:preview": z.strictObject({ path: filePathSchema, format: datasetFormatSchema.optional(), rows: z.number().int().min(1).max(200).optional() }),
  /**
   * Starts an import job: answers `{ jobId }`; `job:done` carries the stored dataset and the bad rows (row, line, reason).
   * `mapping` is needed for CSV and for JSON rows not in the common record format. `onBadRows`: "skip" (default) imports
   * the good rows and lists the bad ones; "stop" fails at the first bad row and stores nothing.
   */
  "datasets:import": z.strictObject({
    path: filePathSchema,
    name: z.string().trim().min(1, "the dataset name is empty").max(200).optional(),
    format: datasetFormatSchema.optional(),
    mapping: columnMappingSchema.optional(),
    onBadRows: z.enum(["skip", "stop"], { error: "onBadRows must be skip or stop" }).optional(),
  }),
  /** imported datasets with their label counts, newest first, and the bundled demo datasets */
  "datasets:list": noFields,
  /** one dataset: counts, the bad rows its import skipped, and its runs */
  "datasets:get": z.strictObject({ datasetId: datasetIdSchema }),
  /** imports a bundled demo dataset (a job, like datasets:import); one already imported is imported again as a new dataset */
  "datasets:demo": z.strictObject({ name: z.string().min(1).max(100) }),
  /**
   * Writes every item's current label (reviewed or imported) and, with `runId`, that run's result, to `path` as JSON
   * Lines or CSV. Written to a temporary file and renamed, so the file is either complete or absent. `path`: chosen for
   * export (files:pick or files:allow with purpose `export`).
   */
  "datasets:export": z.strictObject({
    datasetId: datasetIdSchema,
    runId: runIdSchema.optional(),
    path: filePathSchema,
    format: z.enum(["jsonl", "csv"], { error: "format must be jsonl or csv" }),
    /** CSV: prefix cells starting with = + - @ with an apostrophe so spreadsheets do not run them as formulas */
    spreadsheetSafe: z.boolean().optional(),
  }),

  /**
   * Classifies every item of a dataset with the loaded model: answers `{ jobId, runId }` at once; `job:progress` reports
   * done/total, rate and ETA; each result is stored as it finishes. The policy is a saved version (`policyVersion`), an
   * unsaved policy (`policy`), or, with neither, the loaded model family's preset.
   */
  "runs:start": z
    .strictObject({
      datasetId: datasetIdSchema,
      policy: policySchema.optional(),
      policyVersion: z.strictObject({ name: policyNameSchema, version: versionSchema }).optional(),
      settings: runSettingsSchema.optional(),
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
  /** runs, newest first; only those of one dataset with `datasetId` */
  "runs:list": z.strictObject({ datasetId: datasetIdSchema.optional() }),
  "runs:get": z.strictObject({ runId: runIdSchema }),
  /**
   * Continues a running (interrupted), paused or failed run with the items that have no result yet; `retryFailed` also
   * scores again the items whose classification failed (a done run can be resumed that way). Refused when the model
   * file's content changed since the run started. Answers `{ jobId, runId }`.
   */
  "runs:resume": z.strictObject({ runId: runIdSchema, retryFailed: z.boolean().optional() }),

  /**
   * A page of a dataset's items to review, in the chosen order, each with its current label and (with `runId`) the run's
   * result. Filters combine (all must hold): `disagreements` (the run's verdict at the threshold differs from the label),
   * `uncertainMargin` (|score − threshold| < margin), `category` (labeled or predicted with that code), `unlabeled`.
   * The threshold is the run's unless `filter.threshold` is given.
   */
  "review:queue": z.strictObject({
    datasetId: datasetIdSchema,
    runId: runIdSchema.optional(),
    filter: z
      .strictObject({
        disagreements: z.boolean().optional(),
        uncertainMargin: z.number().gt(0, "uncertainMargin must be above 0").max(1).optional(),
        category: z.string().trim().min(1).max(200).optional(),
        unlabeled: z.boolean().optional(),
        threshold: thresholdSchema.optional(),
      })
      .optional(),
    /** "dataset" (default): file order; "uncertainty": closest to the threshold first; "score": highest P(unsafe) first */
    order: z.enum(["dataset", "uncertainty", "score"], { error: "order must be dataset, uncertainty or score" }).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  }),
  /** Labels one item; answers the saved label event only once it is committed. Earlier labels stay in the item's history. */
  "review:label": z.strictObject({
    datasetId: datasetIdSchema,
    itemId: itemIdSchema,
    label: safetyLabelSchema,
    categories: categoryCodesSchema.optional(),
    note: z.string().max(10_000).optional(),
    /** who labeled; default: the operating-system user */
    who: z.string().trim().min(1).max(200).optional(),
    /** a labeling session's id (the review screen makes one), so `review:undo { session }` can step back through it */
    session: z.string().min(1).max(200).optional(),
  }),
  /** Undoes the latest label event still in effect: of one item (`datasetId` + `itemId`) or of a labeling `session`. */
  "review:undo": z
    .strictObject({ datasetId: datasetIdSchema.optional(), itemId: itemIdSchema.optional(), session: z.string().min(1).max(200).optional() })
    .refine((request) => (request.session !== undefined) !== (request.datasetId !== undefined || request.itemId !== undefined), {
      message: "give datasetId and itemId to undo an item's last label, or session to undo the session's last label (not both)",
    })
    .refine((request) => request.session !== undefined || (request.datasetId !== undefined && request.itemId !== undefined), {
      message: "undoing an item's label needs both datasetId and itemId",
    }),

  /**
   * A run measured against the current labels at a threshold (default: the run's): precision, recall, F1, FPR, AUPRC,
   * the PR curve, a score histogram (`bins`, default 20) and per-category metrics.
   */
  "eval:metrics": z.strictObject({ runId: runIdSchema, threshold: thresholdSchema.optional(), bins: z.number().int().min(1).max(200).optional() }),
  /** Two runs over one dataset: metric deltas (candidate − baseline) and the items whose verdict flipped. */
  "eval:compare": z.strictObject({
    baselineRunId: runIdSchema,
    candidateRunId: runIdSchema,
    /** default: each run's own threshold */
    threshold: thresholdSchema.optional(),
    candidateThreshold: thresholdSchema.optional(),
  }),
  /** One item of a run: its conversation, label history and full result (the prompt text rebuilt from the stored policy). */
  "results:get": z.strictObject({ runId: runIdSchema, itemId: itemIdSchema }),

  /**
   * Files the user chose. Every channel that reads or writes a file the user names (datasets:preview, datasets:import,
   * datasets:export, models:import) takes only a path granted by one of these in this session, never one of
   * Guardbench's own files (its keys, token, database, anything in its data folder but uploads), and never a special
   * file (a FIFO, a device, a socket, /proc or /sys).
   *
   * `files:pick`: the desktop app's native open (or, for `export`, save) dialog; `file` is absent when the user
   * cancelled. Answers `file-dialog-unavailable` in a browser (`guardbench serve`): upload the file, or type its path
   * and confirm it (`files:allow`).
   */
  "files:pick": z.strictObject({ purpose: filePurposeSchema, suggestedName: z.string().min(1).max(255).optional() }),
  /**
   * Browser mode (`guardbench serve`): a path the user typed and then confirmed in the page. Answers the file as it
   * will be read (or, for `export`, written), or why it cannot be. The desktop app refuses it (`use-file-dialog`).
   */
  "files:allow": z.strictObject({ path: filePathSchema, purpose: filePurposeSchema }),
  /**
   * Browser mode: the page uploads a file the user picked with the browser's file input, in chunks of at most
   * MAX_UPLOAD_CHUNK_BYTES sent in order (`offset` = bytes sent before). Stored privately in Guardbench's data folder,
   * it is granted like a chosen file once `files:upload-finish` answers; an upload not finished is deleted.
   */
  "files:upload-begin": z.strictObject({
    name: z.string().trim().min(1, "the file name is empty").max(255),
    sizeBytes: z.number().int().min(0).max(MAX_UPLOAD_BYTES, `an upload may hold at most ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB`),
    purpose: readPurposeSchema,
  }),
  "files:upload-chunk": z.strictObject({
    uploadId: uploadIdSchema,
    offset: z.number().int().min(0),
    /** the bytes, base64 */
    data: z
      .string()
      .max(Math.ceil(MAX_UPLOAD_CHUNK_BYTES / 3) * 4, `a chunk holds at most ${MAX_UPLOAD_CHUNK_BYTES / 1024 ** 2} MiB`)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, "data must be base64"),
  }),
  "files:upload-finish": z.strictObject({ uploadId: uploadIdSchema }),
  "files:upload-cancel": z.strictObject({ uploadId: uploadIdSchema }),

  /** saved remote endpoints (keys never leave the main side: each says only `hasApiKey`) */
  "endpoints:list": noFields,
  /**
   * Creates or replaces the endpoint called `name`. `apiKey` is write-only: stored like the Hugging Face token (a 0600
   * file, or the OS keychain in the app), never in the database. Leaving `apiKey` out keeps a stored key;
   * `clearApiKey: true` removes it.
   */
  "endpoints:save": z
    .strictObject({
      name: endpointNameSchema,
      baseUrl: endpointBaseUrlSchema,
      kind: endpointKindSchema,
      /** the served model name (vLLM's `--served-model-name`); llama-server ignores it */
      model: z.string({ error: "model must be a string" }).trim().min(1, "the model name is empty").max(500),
      apiKey: apiKeySchema.optional(),
      clearApiKey: z.boolean().optional(),
      /** classifications kept in flight on this endpoint (default 4) */
      concurrency: z.number().int().min(1).max(MAX_ENDPOINT_CONCURRENCY).optional(),
    })
    .refine((request) => !(request.apiKey !== undefined && request.clearApiKey), { message: "give apiKey or clearApiKey, not both" }),
  /** removes the endpoint and its stored key; runs that used it keep its name in their settings */
  "endpoints:remove": z.strictObject({ name: endpointNameSchema }),
  /** Probes a saved endpoint (`name`): reachable, the models it serves, latency. Never fails for an unreachable server: the report says so. */
  "endpoints:test": z.strictObject({ name: endpointNameSchema }),
  ...moderationRequestSchemas,
} as const satisfies Record<string, z.ZodType>;

export type Channel = keyof typeof requestSchemas;
/** What a caller sends (defaults not yet applied). */
export type Req<C extends Channel> = z.input<(typeof requestSchemas)[C]>;
/** What a handler receives, after validation. */
export type ParsedReq<C extends Channel> = z.output<(typeof requestSchemas)[C]>;

export const CHANNELS: readonly Channel[] = CHANNEL_NAMES;

export function isChannel(name: unknown): name is Channel {
  return typeof name === "string" && Object.hasOwn(requestSchemas, name);
}

// ---------------------------------------------------------------------------------------------------------------
// Responses.

export interface AppInfo {
  name: "guardbench";
  version: string;
  /** GUARDBENCH_HOME, or the Electron app's userData folder */
  home: string;
  modelsDir: string;
  databasePath: string;
  /** how this renderer talks to the main side */
  transport: "electron" | "websocket";
  platform: string;
  versions: { node: string; electron?: string };
}

export type EngineState = "idle" | "loading" | "ready" | "failed" | "crashed";

export interface EngineModel {
  /** library id, when the model came from the library */
  id?: string;
  path: string;
  family: PromptFamily;
  /** known once loaded */
  contextSize?: number;
}

export interface EngineCompute {
  device: "gpu" | "cpu";
  /** "cuda", "vulkan", "metal" when on a GPU */
  backend?: string;
  /** why the CPU is used, when it is ("CPU requested", "no GPU detected — CPU inference", a GPU init failure …) */
  reason?: string;
}

/**
 * One object for the whole engine, pushed whole on every change.
 * - idle: no model. loading: `model` and `jobId` say what. ready: `model` and `compute` filled.
 * - failed: the last load failed (`error`). crashed: the worker died (`error`); the next request restarts it and reloads `model`.
 */
export interface EngineStatus {
  state: EngineState;
  model?: EngineModel;
  compute?: EngineCompute;
  error?: ResultError;
  /** the load job, while loading */
  jobId?: string;
}

/** A library entry: the same shape the CLI lists. */
export type ModelSummary = InstalledModel;

export interface ModelList {
  modelsDir: string;
  models: ModelSummary[];
}

export interface CatalogReport {
  catalog: Catalog;
  /** every catalog file rated for this machine, plus installed non-catalog files rated from their headers */
  fit: FitReport & { otherInstalled: Array<{ id: string; assessment: FitAssessment }> };
}

export interface JobStarted {
  jobId: string;
}

export interface TokenStatus {
  present: boolean;
  /** HF_TOKEN in the environment wins over the stored token */
  source: "environment" | "stored" | "none";
}

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

export interface ClassifyRunResult {
  result: ClassificationResult;
  /** the history entry, when recorded */
  historyId?: number;
}

export interface TokenizedPrompt {
  text: string;
  tokenCount: number;
  /** each token's text, in order (special tokens as their text) */
  pieces: string[];
}

export interface HistorySummary {
  id: number;
  createdAt: string;
  verdict: VerdictKind;
  flagged: boolean;
  pUnsafe: number;
  categories: string[];
  target: "prompt" | "response";
  modelPath: string;
  family: PromptFamily;
  policyName: string;
  policyVersion?: number;
  /** the start of the checked turn, for lists */
  preview: string;
}

export interface HistoryPage {
  items: HistorySummary[];
  /** pass as `beforeId` for the next (older) page; absent on the last page */
  nextBeforeId?: number;
}

export interface HistoryEntry extends Omit<HistorySummary, "preview"> {
  turns: Turn[];
  policy: Policy;
  result: ClassificationResult;
}

export interface DatasetBadRow {
  /** JSON Lines: the line; CSV: the data record (header not counted); JSON: the array position */
  row: number;
  /** the line the row starts on */
  line: number;
  reason: string;
}

/** Labels as they stand now: a reviewed label wins over the imported one. */
export interface DatasetLabelCounts {
  safe: number;
  unsafe: number;
  unlabeled: number;
  /** items with a label from review (the others keep the label they were imported with) */
  reviewed: number;
}

export interface DatasetSummary {
  id: number;
  name: string;
  /** the file it was imported from */
  sourcePath: string;
  format: DatasetFormat;
  /** the column mapping; absent for the common record format */
  mapping?: ColumnMapping;
  importedAt: string;
  items: number;
  /** rows the import skipped (see datasets:get for the list) */
  badRows: number;
  labels: DatasetLabelCounts;
}

export interface DatasetDetail extends DatasetSummary {
  /** the skipped rows, first 1000 */
  badRowList: DatasetBadRow[];
  /** newest first */
  runs: RunSummary[];
}

export interface DemoDatasetInfo {
  name: string;
  description: string;
  /** SPDX identifier */
  licence: string;
  licenceUrl: string;
  /** the credit the licence requires wherever the data is shown */
  attribution?: string;
  rows: number;
  safe: number;
  unsafe: number;
}

export interface DatasetPreviewInfo {
  format: DatasetFormat;
  /** CSV: the header; JSON formats: the keys of the previewed objects */
  columns: string[];
  /** the first rows as parsed (CSV rows as column → text objects) */
  rows: unknown[];
  badRows: DatasetBadRow[];
  /** the suggested mapping and, per field, the columns that look like it */
  detection: ColumnDetection;
  /** true when the file has more rows than were previewed */
  partial: boolean;
}

export interface DatasetImportReport {
  dataset: DatasetSummary;
  /** the first 1000 skipped rows */
  badRows: DatasetBadRow[];
  badRowCount: number;
}

export interface DatasetExportReport {
  path: string;
  rows: number;
  bytesWritten: number;
}

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

export interface RunSettings {
  threshold: number;
  topK: number;
  check: CheckMode;
  /** classifications kept in flight (the engine's parallel sequences when the run last started) */
  sequences: number;
  /**
   * The endpoints that scored the run (names; with the CLI's `--endpoint URL`, the URL's host and port), and whether
   * the local engine scored alongside them. Absent: the local engine alone.
   */
  endpoints?: string[];
  includeLocal?: boolean;
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
}

export interface RunDetail extends RunSummary {
  /** the policy exactly as the run used it */
  policy: Policy;
}

export interface RunStarted {
  jobId: string;
  runId: number;
}

/** An item's label in effect: the latest review label still in effect, else the label it was imported with. */
export interface EffectiveLabel {
  label: SafetyLabel;
  /** hazard codes (review: as chosen; import: the MLCommons codes, or the source's categories when it has none) */
  categories: string[];
  source: "import" | "review";
  /** review labels only */
  eventId?: number;
  note?: string;
  who?: string;
  at?: string;
}

export interface LabelEvent {
  eventId: number;
  datasetId: number;
  itemId: string;
  label: SafetyLabel;
  categories: string[];
  note?: string;
  who: string;
  session?: string;
  at: string;
  /** true once undone (`review:undo`); the event stays in the history */
  undone: boolean;
}

/** A run's outcome for one item, short: what the review queue lists. */
export type ItemOutcome =
  | { ok: true; score: number; verdict: VerdictKind; flagged: boolean; categories: string[] }
  | { ok: false; error: ResultError };

export interface ReviewItem {
  itemId: string;
  /** the item's place in the dataset, from 0 */
  position: number;
  turns: Turn[];
  label?: EffectiveLabel;
  /** with a run: its outcome, absent while the item has not been scored */
  result?: ItemOutcome;
  /** with a run: the verdict at the threshold differs from the label */
  disagreement?: boolean;
}

export interface ReviewPage {
  items: ReviewItem[];
  /** items matching the filters */
  total: number;
  offset: number;
  limit: number;
  /** the threshold the filters and `flagged` used (with a run) */
  threshold?: number;
}

export interface UndoOutcome {
  undone: LabelEvent;
  /** the item's label now (an earlier review label, the imported label, or none) */
  current?: EffectiveLabel;
}

export interface RunMetrics {
  runId: number;
  datasetId: number;
  threshold: number;
  evaluation: ScoreEvaluation;
  curve: PrecisionRecallCurve;
  /** every scored item, labeled or not */
  histogram: HistogramBin[];
  /** labels' categories against the categories the model named on the items it flagged */
  perCategory: PerCategoryReport;
  coverage: {
    items: number;
    /** scored and labeled: what the metrics count */
    evaluated: number;
    /** scored but without a label */
    unlabeled: number;
    failed: number;
    /** no result yet */
    unscored: number;
  };
}

export interface RunComparisonReport extends RunComparison {
  datasetId: number;
  baselineRunId: number;
  candidateRunId: number;
}

export interface ItemResultDetail {
  runId: number;
  datasetId: number;
  itemId: string;
  position: number;
  turns: Turn[];
  label?: EffectiveLabel;
  /** every label event of the item, oldest first (undone ones included, marked) */
  labelHistory: LabelEvent[];
  /** absent while unscored, or when the classification failed (`error`) */
  result?: ClassificationResult;
  error?: ResultError;
  finishedAt?: string;
}

/** A file the user chose, as Guardbench will read (or write) it. */
export interface ChosenFile {
  /** absolute, as the user named it: pass it to the channel that reads (or writes) the file */
  path: string;
  /** the file name to show (an upload's original name) */
  name: string;
  /** read purposes: the file's size */
  sizeBytes?: number;
  /** true for a file the page uploaded (stored in Guardbench's data folder until it is imported) */
  uploaded: boolean;
}

/** A saved endpoint as the renderer sees it: never the key, only whether there is one. */
export interface EndpointInfo {
  name: string;
  baseUrl: string;
  kind: EndpointKind;
  model: string;
  hasApiKey: boolean;
  /** classifications kept in flight on it */
  concurrency: number;
  createdAt: string;
  updatedAt: string;
}

/** `endpoints:test`: one probe of the server. */
export interface EndpointProbe {
  name: string;
  reachable: boolean;
  /** round trip of the probe, when it answered */
  latencyMs?: number;
  /** the models the server lists (OpenAI `/v1/models`; llama-server: its loaded model) */
  models: string[];
  /** whether the endpoint's `model` is among them (llama-server serves one model: true when reachable) */
  modelServed?: boolean;
  /** why it is unreachable or unusable (never contains the key) */
  error?: ResultError;
}

export interface Responses extends ModerationResponses {
  "app:info": AppInfo;
  "engine:status": EngineStatus;
  "classify:run": ClassifyRunResult;
  "classify:cancel": { cancelled: boolean };
  "prompt:tokenize": TokenizedPrompt;
  "models:list": ModelList;
  "models:catalog": CatalogReport;
  "models:hardware": HardwareProfile;
  "models:download": JobStarted;
  /** alreadyInstalled: the same bytes were already in the library under that name; nothing was copied */
  "models:import": { model: ModelSummary; alreadyInstalled: boolean };
  "models:open-requests": { delivered: number };
  "models:remove": { id: string };
  "models:load": JobStarted;
  "models:unload": EngineStatus;
  "hf:token-status": TokenStatus;
  "hf:token-set": TokenStatus;
  "hf:token-clear": TokenStatus;
  "policies:list": { policies: PolicySummary[] };
  "policies:get": StoredPolicy;
  "policies:save": PolicyVersionInfo & { name: string };
  "history:list": HistoryPage;
  "history:get": HistoryEntry;
  "job:list": { jobs: JobProgress[] };
  "job:cancel": { jobId: string; cancelled: boolean };
  "job:pause": { jobId: string };
  "job:resume": { jobId: string };
  "datasets:preview": DatasetPreviewInfo;
  "datasets:import": JobStarted;
  "datasets:list": { datasets: DatasetSummary[]; demos: DemoDatasetInfo[] };
  "datasets:get": DatasetDetail;
  "datasets:demo": JobStarted;
  "datasets:export": DatasetExportReport;
  "runs:start": RunStarted;
  "runs:list": { runs: RunSummary[] };
  "runs:get": RunDetail;
  "runs:resume": RunStarted;
  "review:queue": ReviewPage;
  "review:label": LabelEvent;
  "review:undo": UndoOutcome;
  "eval:metrics": RunMetrics;
  "eval:compare": RunComparisonReport;
  "results:get": ItemResultDetail;
  "files:pick": { file?: ChosenFile };
  "files:allow": ChosenFile;
  "files:upload-begin": { uploadId: string };
  "files:upload-chunk": { received: number };
  "files:upload-finish": ChosenFile;
  "files:upload-cancel": { cancelled: boolean };
  "endpoints:list": { endpoints: EndpointInfo[] };
  "endpoints:save": EndpointInfo;
  "endpoints:remove": { name: string; removed: boolean };
  "endpoints:test": EndpointProbe;
}

export type Res<C extends Channel> = Responses[C];

// ---------------------------------------------------------------------------------------------------------------
// Jobs and events.

export type JobKind = "download" | "load" | "import" | "run";
export type JobState = "queued" | "running" | "paused";

export interface DownloadJobProgress {
  jobId: string;
  kind: "download";
  state: JobState;
  repo: string;
  file: string;
  /**
   * "waiting": another Guardbench process is downloading this file (this one takes over when it ends or is killed);
   * "checking": hashing a partial file left by an earlier run before resuming it
   */
  phase: "waiting" | "checking" | "downloading";
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** set while waiting to retry after a broken connection, a 429 or a 5xx */
  retry?: { attempt: number; delayMs: number; reason: string };
}

export interface LoadJobProgress {
  jobId: string;
  kind: "load";
  state: JobState;
  modelId: string;
  path: string;
  stage: "starting" | "loading";
}

export interface ImportJobProgress {
  jobId: string;
  kind: "import";
  state: JobState;
  path: string;
  bytesRead: number;
  totalBytes: number;
  items: number;
  badRows: number;
}

export interface RunJobProgress {
  jobId: string;
  kind: "run";
  state: JobState;
  runId: number;
  datasetId: number;
  /** hashing: checking the model file; loading: loading the run's model; scoring: classifying items */
  phase: "hashing" | "loading" | "scoring";
  /** items with a result (scored or failed), earlier sessions of the run included */
  done: number;
  total: number;
  failed: number;
  itemsPerSecond: number;
  etaSeconds: number | null;
  /**
   * Runs scored across endpoints: each scorer's share this session (`name` "local" for the local engine). A suspended
   * endpoint failed and is being re-probed; its items went to the others. Absent for local-only runs.
   */
  perEndpoint?: EndpointProgress[];
}

export interface EndpointProgress {
  name: string;
  /** items it finished this session (failures included) */
  done: number;
  failed: number;
  itemsPerSecond: number;
  state: "active" | "suspended";
}

export type JobProgress = DownloadJobProgress | LoadJobProgress | ImportJobProgress | RunJobProgress;

export type JobDone =
  | { jobId: string; kind: "download"; result: Result<ModelSummary> }
  | { jobId: string; kind: "load"; result: Result<EngineStatus> }
  | { jobId: string; kind: "import"; result: Result<DatasetImportReport> }
  | { jobId: string; kind: "run"; result: Result<RunSummary> };

export interface Events {
  "engine:status": EngineStatus;
  "job:progress": JobProgress;
  "job:done": JobDone;
  /** the library changed (download finished, import, removal): call `models:list` again */
  "models:changed": { reason: "downloaded" | "imported" | "removed" };
  /** the operating system asked Guardbench to open this model file (a double-click on a `.gguf`): offer to import it */
  "models:open-request": { path: string };
}

export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E];

export { EVENT_NAMES };

export function isEventName(name: unknown): name is EventName {
  return typeof name === "string" && (EVENT_NAMES as readonly string[]).includes(name);
}

// ---------------------------------------------------------------------------------------------------------------
// The API both transports implement.

export interface GuardbenchApi {
  invoke<C extends Channel>(channel: C, request: Req<C>): Promise<Result<Res<C>>>;
  /** returns a function that removes the listener */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation, shared by AppHost and tests.

function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

/** "turns[0].role: role must be user, assistant or system; check: …" */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => (issue.path.length > 0 ? `${formatIssuePath(issue.path)}: ${issue.message}` : issue.message)).join("; ");
}

/** Checks an untrusted channel name and payload; never throws. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): Result<ParsedReq<C>>;
export function parseRequest(channel: unknown, payload: unknown): Result<unknown>;
export function parseRequest(channel: unknown, payload: unknown): Result<unknown> {
  if (!isChannel(channel)) {
    return err("unknown-channel", `there is no channel named ${JSON.stringify(channel)}`, "The renderer and the main side may be from different versions; restart Guardbench.");
  }
  const parsed = requestSchemas[channel].safeParse(payload);
  if (parsed.success) return ok(parsed.data);
  return err("invalid-request", `invalid ${channel} request: ${describeIssues(parsed.error.issues)}`);
}

// Compile-time check: every channel has a response type and every response type a channel.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _responsesMatchChannels: Exact<keyof Responses, Channel> = true;
const _namesMatchChannels: Exact<ChannelName, Channel> = true;
const _eventNamesComplete: Exact<EventNameLiteral, EventName> = true;
void _responsesMatchChannels;
void _namesMatchChannels;
void _eventNamesComplete;
