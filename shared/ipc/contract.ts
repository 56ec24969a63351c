/**
 * The contract between the renderer and the main side: every channel (`domain:verb`), its request schema, its
 * response type, and the events the main side pushes. The preload (Electron IPC) and the WebSocket client
 * (`guardbench serve`, see wire.ts) both implement {@link GuardbenchApi}; AppHost (electron/host) validates every
 * request against {@link requestSchemas} before any handler runs, because the renderer is untrusted input.
 *
 * Names are stable once written: add channels, never rename them.
 *
 * Long work (a model download, a model load) answers `{ jobId }` at once, then pushes `job:progress` and finally
 * one `job:done` carrying the job's own Result. `job:cancel` cancels any job; downloads also take `job:pause` and
 * `job:resume`. A renderer that (re)connects calls `job:list` to pick up jobs already running.
 */
import { z } from "zod";
import type { ClassificationResult, VerdictKind } from "../classify/result.ts";
import type { Turn } from "../conversation/types.ts";
import type { Catalog } from "../models/catalog.ts";
import type { FitAssessment, FitReport, HardwareProfile } from "../models/fit.ts";
import type { ModelFileInfo } from "../models/modelInfo.ts";
import { PROMPT_FAMILIES, policySchema, type Policy, type PromptFamily } from "../taxonomy/index.ts";
import { CHANNEL_NAMES, EVENT_NAMES, type ChannelName, type EventNameLiteral } from "./names.ts";
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

// ---------------------------------------------------------------------------------------------------------------
// Requests: one schema per channel.

export const requestSchemas = {
  /** version, data folders, transport */
  "app:info": noFields,

  /** the engine's state right now (also pushed as the `engine:status` event whenever it changes) */
  "engine:status": noFields,

  /**
   * Classifies the conversation with the loaded model and records it in the history (unless `record: false`).
   * `policyVersion` names the saved policy version the request's policy came from, when it did.
   */
  "classify:run": z.strictObject({
    ...promptInputFields,
    options: classifyOptionsSchema.optional(),
    policyVersion: z.strictObject({ name: policyNameSchema, version: versionSchema }).optional(),
    record: z.boolean().optional(),
  }),

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
  /** validates a GGUF file from anywhere on disk and copies it into the library (`local/<name>`) */
  "models:import": z.strictObject({ path: z.string().min(1, "the path is empty").max(4096) }),
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
  /** downloads only */
  "job:pause": jobIdSchema,
  /** downloads only */
  "job:resume": jobIdSchema,
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

export interface ModelSummary {
  /** stable library id: the path inside the models folder, "/"-separated (`owner/repo/file.gguf` = the catalog file key; `local/x.gguf` for imports) */
  id: string;
  path: string;
  fileName: string;
  /** hub: downloaded from Hugging Face; imported: copied in from a local file; other: put into the models folder by hand */
  origin: "hub" | "imported" | "other";
  /** "owner/name" for Hub files */
  repo?: string;
  sizeBytes: number;
  /** the catalog entry this file is, when it is one */
  catalog?: { modelId: string; quant: string };
  /** read from the GGUF header (including the detected prompt family, `info.promptFamily`), when the file is usable */
  info?: ModelFileInfo;
  /** why the file cannot be used (truncated, not a GGUF …); broken files are listed, not hidden */
  problem?: ResultError;
}

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

export interface Responses {
  "app:info": AppInfo;
  "engine:status": EngineStatus;
  "classify:run": ClassifyRunResult;
  "prompt:tokenize": TokenizedPrompt;
  "models:list": ModelList;
  "models:catalog": CatalogReport;
  "models:hardware": HardwareProfile;
  "models:download": JobStarted;
  /** alreadyInstalled: the same bytes were already in the library under that name; nothing was copied */
  "models:import": { model: ModelSummary; alreadyInstalled: boolean };
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
}

export type Res<C extends Channel> = Responses[C];

// ---------------------------------------------------------------------------------------------------------------
// Jobs and events.

export type JobKind = "download" | "load";
export type JobState = "queued" | "running" | "paused";

export interface DownloadJobProgress {
  jobId: string;
  kind: "download";
  state: JobState;
  repo: string;
  file: string;
  /** "checking": hashing a partial file left by an earlier run before resuming it */
  phase: "checking" | "downloading";
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

export type JobProgress = DownloadJobProgress | LoadJobProgress;

export type JobDone =
  | { jobId: string; kind: "download"; result: Result<ModelSummary> }
  | { jobId: string; kind: "load"; result: Result<EngineStatus> };

export interface Events {
  "engine:status": EngineStatus;
  "job:progress": JobProgress;
  "job:done": JobDone;
  /** the library changed (download finished, import, removal): call `models:list` again */
  "models:changed": { reason: "downloaded" | "imported" | "removed" };
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
