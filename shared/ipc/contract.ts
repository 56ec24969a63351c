/**
 * The contract between the renderer and the main side, assembled from one file per domain (see index.ts for the
 * layout): every channel (`domain:verb`), its request schema, its response type, and the events the main side pushes.
 * The preload (Electron IPC) and the WebSocket client (`guardbench serve`, see wire.ts) both implement
 * {@link GuardbenchApi}; AppHost (electron/host) validates every request against {@link requestSchemas} before any
 * handler runs, because the renderer is untrusted input.
 *
 * Names are stable once written: add channels, never rename them.
 */
import type { z } from "zod";
import type { AnswerOf } from "./channels/channel.ts";
import { CHANNEL_DOMAINS } from "./channels/index.ts";
import type { EngineStatus } from "./channels/engine.ts";
import type { ChosenFile } from "./channels/files.ts";
import type { JobDone, JobProgress } from "./channels/jobs.ts";
import type { LabelsChanged } from "./channels/review.ts";
import type { RunEndpointEvent, RunItemFinished, RunsChanged } from "./channels/runs.ts";
import { CHANNEL_NAMES, EVENT_NAMES, type ChannelName, type EventNameLiteral } from "./names.ts";
import { err, ok, type Result } from "./result.ts";

export * from "./channels/index.ts";

type UnionToIntersection<U> = (U extends unknown ? (union: U) => void : never) extends (intersection: infer I) => void ? I : never;
type Domains = typeof CHANNEL_DOMAINS;
/** Every domain's table in one: channel → { request, answer }. */
type AllChannels = UnionToIntersection<Domains[keyof Domains]>;

export type Channel = keyof AllChannels & string;
export type RequestSchemas = { readonly [C in Channel]: AllChannels[C]["request"] };

/** The domains' tables merged; a channel declared by two domains is a programming error, refused at load. */
function mergeRequestSchemas(domains: Domains): RequestSchemas {
  const merged: Record<string, { domain: string; request: z.ZodType }> = {};
  for (const [domain, table] of Object.entries(domains)) {
    for (const [channel, spec] of Object.entries(table)) {
      const earlier = merged[channel];
      if (earlier) throw new Error(`channel ${channel} is declared twice: in channels/${earlier.domain}.ts and channels/${domain}.ts`);
      merged[channel] = { domain, request: spec.request };
    }
  }
  return Object.fromEntries(Object.entries(merged).map(([channel, entry]) => [channel, entry.request])) as RequestSchemas;
}

/** The request schema of every channel, checked by AppHost before any handler runs. */
export const requestSchemas: RequestSchemas = mergeRequestSchemas(CHANNEL_DOMAINS);

/** What a caller sends (defaults not yet applied). */
export type Req<C extends Channel> = z.input<RequestSchemas[C]>;
/** What a handler receives, after validation. */
export type ParsedReq<C extends Channel> = z.output<RequestSchemas[C]>;
/** What a handler answers (inside the Result envelope). */
export type Res<C extends Channel> = AnswerOf<AllChannels[C]>;

export const CHANNELS: readonly Channel[] = CHANNEL_NAMES;

export function isChannel(name: unknown): name is Channel {
  return typeof name === "string" && Object.hasOwn(requestSchemas, name);
}

// ---------------------------------------------------------------------------------------------------------------
// Events.

export interface Events {
  "engine:status": EngineStatus;
  "job:progress": JobProgress;
  "job:done": JobDone;
  /** the library changed (download finished, import, removal): call `models:list` again */
  "models:changed": { reason: "downloaded" | "imported" | "removed" };
  /** the operating system asked Guardbench to open this model file (a double-click on a `.gguf`): offer to import it */
  "models:open-request": { path: string };
  /** a label of the dataset was given or undone (here or by another process): read its labels and metrics again */
  "labels:changed": LabelsChanged;
  /** a run was created, removed, or its state, results or details changed (here or by another process) */
  "runs:changed": RunsChanged;
  /** an item of a run was scored and its result stored */
  "runs:item": RunItemFinished;
  /** an endpoint scoring a run was suspended or came back */
  "runs:endpoint": RunEndpointEvent;
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

/**
 * What the desktop preload adds to {@link GuardbenchApi}: a file dropped on the page, granted by the path Electron knows
 * for that File object, never a path the page names. `F` is the DOM's File (shared/ has no DOM types).
 */
export interface DroppedFileGrant<F> {
  grantDroppedFile(file: F, purpose: "dataset" | "model"): Promise<Result<ChosenFile>>;
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

// Compile-time check: names.ts (what the preload bundles) names exactly the channels and events declared here.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _namesMatchChannels: Exact<ChannelName, Channel> = true;
const _eventNamesComplete: Exact<EventNameLiteral, EventName> = true;
void _namesMatchChannels;
void _eventNamesComplete;
