/**
 * The moderation API's one handler, behind `POST /v1/moderations` in `guardbench worker` and `guardbench serve` alike
 * (http.ts mounts it on both servers). It validates the OpenAI-shaped request, picks the model and policy the `model`
 * field names (shared/moderation/modelName.ts), and classifies every input through the caller's engine — the same
 * `classify` that `classify:run` and batch runs use, so an answer here is the answer the workbench shows for that text
 * under that policy. Results are converted by shared/moderation/convert.ts, in input order.
 *
 * Throughput: every input of every request is one classification in a shared queue; at most as many run at once as the
 * engine has parallel sequences, so inputs arriving together share the engine's lockstep batches and each sequence
 * keeps the policy prefix it evaluated (electron/engine/llama/kvSlots.ts, lockstep.ts). The queue is bounded: a request whose
 * inputs do not fit is answered 429 with `Retry-After`. Each request has a deadline (504 when it passes), and a client
 * that hangs up cancels its queued and running classifications.
 */
import { createHash, randomUUID } from "node:crypto";
import type { ClassificationResult, ClassifyOptions } from "../../shared/classify/result.ts";
import { MAX_TURN_CHARS } from "../../shared/ipc/contract.ts";
import type { PolicySummary, StoredPolicy } from "../../shared/ipc/contract.ts";
import type { ModerationAuditMode } from "../../shared/ipc/channels/moderation.ts";
import {
  formatModelName,
  moderationRequestSchema,
  moderationTexts,
  parseModelName,
  toModerationResult,
  type ModerationPolicy,
  type ModerationResponse,
} from "../../shared/moderation/index.ts";
import { presetPolicy, type Policy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import { describeIssues } from "../../shared/ipc/contract.ts";
import { EngineError } from "../engine/errors.ts";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";
import { StoreError, type ModerationAuditEntry } from "../store/index.ts";
import { ApiProblem } from "./problem.ts";

/** The model an engine serves now. */
export interface ServedModel {
  /** the name responses report and `/v1/models` lists first */
  name: string;
  /** other names a request may use for it (its family id, its library id) */
  aliases: readonly string[];
  family: PromptFamily;
  path: string;
  /** classifications the engine runs at once (its parallel sequences) */
  parallel: number;
}

export interface ModerationEngine {
  /** undefined while no model is loaded */
  served(): ServedModel | undefined;
  classify(request: ClassifyRequest, options: ClassifyOptions | undefined, signal: AbortSignal): Promise<ClassificationResult>;
}

/** Saved policies (the store's repository fits). */
export interface PolicyLookup {
  get(name: string, version?: number): StoredPolicy;
  list(): PolicySummary[];
}

export interface ModerationAudit {
  /** what to keep of each input right now */
  mode(): ModerationAuditMode;
  /** commits the entries (throws when it cannot) */
  record(entries: readonly ModerationAuditEntry[]): void;
  /** the model file's sha256 (cached) */
  modelSha256(path: string): Promise<string | undefined>;
}

export interface ModerationServiceOptions {
  engine: ModerationEngine;
  /** saved policies; undefined when there is no store to read them from (a worker without a database) */
  policies?: () => PolicyLookup | undefined;
  /** the policy of a request that names none; default: the model family's preset */
  defaultPolicy?: ModerationPolicy;
  audit?: ModerationAudit;
  /** inputs allowed to wait (beyond those running); default 512 */
  queueLimit?: number;
  /** a request's deadline from its arrival, in ms; default 120 s */
  timeoutMs?: number;
  /** threshold and the rest; default the workbench's */
  classifyOptions?: ClassifyOptions;
  /** one line per request, without content unless `logContent` */
  log?: (line: string) => void;
  logContent?: boolean;
}

/** What `/v1/models` lists for moderation. */
export interface ModerationModelEntry {
  id: string;
  family: PromptFamily;
  policy?: { name: string; version?: number };
}

export interface ModerationLoad {
  waiting: number;
  running: number;
  /** classifications that ended (answered, failed or cancelled) since the service started */
  completed: number;
}

export const DEFAULT_QUEUE_LIMIT = 512;
export const DEFAULT_TIMEOUT_MS = 120_000;
/** How soon a classification refused with engine-busy (a batch run holds every sequence) is tried again. */
const BUSY_RETRY_MS = 50;

export class ModerationService {
  private readonly queue: ClassifyQueue;
  private readonly timeoutMs: number;

  constructor(private readonly options: ModerationServiceOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.queue = new ClassifyQueue(options.queueLimit ?? DEFAULT_QUEUE_LIMIT, () => options.engine.served()?.parallel ?? 1, (request, signal) =>
      options.engine.classify(request, options.classifyOptions, signal),
    );
  }

  /** Answers one `/v1/moderations` body; throws ApiProblem. `signal`: the client hung up. */
  async moderate(body: unknown, clientSignal: AbortSignal): Promise<ModerationResponse> {
    const started = performance.now();
    const id = `modr-${randomUUID()}`;
    let texts: string[] = [];
    let modelName = "";
    let flagged = 0;
    try {
      const parsed = moderationRequestSchema.safeParse(body);
      if (!parsed.success) throw new ApiProblem(400, describeIssues(parsed.error.issues), "invalid_request_error", parsed.error.issues[0]?.path.join(".") || null);
      const request = parsed.data;
      const target = this.resolveTarget(request.model);
      modelName = target.name;
      const read = moderationTexts(request.input, MAX_TURN_CHARS);
      if (!read.ok) throw new ApiProblem(400, read.message, "invalid_request_error", read.param);
      texts = read.texts;

      const deadline = AbortSignal.timeout(this.timeoutMs);
      const signal = AbortSignal.any([clientSignal, deadline]);
      let classified: ClassificationResult[];
      try {
        classified = await this.queue.run(
          texts.map((text): ClassifyRequest => ({ turns: [{ role: "user", content: text }], policy: target.policy.policy as Policy })),
          signal,
        );
      } catch (error) {
        if (deadline.aborted && !clientSignal.aborted) throw new ApiProblem(504, `the request did not finish within ${this.timeoutMs / 1000} s (${texts.length} inputs); send fewer inputs per request, or try again when the queue is shorter`, "timeout");
        throw error;
      }
      for (const result of classified) if (result.model.path !== target.served.path) throw new ApiProblem(503, "the engine switched to another model while this request was scored; send it again", "server_error");
      const results = classified.map((result) => toModerationResult(result, target.policy));
      flagged = results.filter((result) => result.flagged).length;
      await this.auditCall(id, texts, target, classified, results);
      this.logRequest(id, 200, modelName, texts, flagged, started);
      return { id, model: target.name, results };
    } catch (error) {
      const problem = problemOf(error, clientSignal);
      this.logRequest(id, problem.status, modelName, texts, flagged, started, problem.message);
      throw problem;
    }
  }

  /** The names a request may send: the served model alone (its default policy) and with each saved policy of its family. */
  models(): ModerationModelEntry[] {
    const served = this.options.engine.served();
    if (!served) return [];
    const entries: ModerationModelEntry[] = [{ id: this.defaultName(served), family: served.family }];
    let saved: PolicySummary[] = [];
    try {
      saved = this.options.policies?.()?.list() ?? [];
    } catch {
      // An unreadable store lists no policies; a request naming one gets the store's error.
    }
    for (const policy of saved) {
      if (policy.family !== served.family) continue;
      entries.push({ id: formatModelName(served.name, { name: policy.name }), family: served.family, policy: { name: policy.name } });
      for (const { version } of policy.versions) entries.push({ id: formatModelName(served.name, { name: policy.name, version }), family: served.family, policy: { name: policy.name, version } });
    }
    return entries;
  }

  /** Inputs waiting and running now, and classifications finished since start (`/health` reports it). */
  load(): ModerationLoad {
    return this.queue.load();
  }

  private defaultName(served: ServedModel): string {
    const fallback = this.options.defaultPolicy;
    return fallback ? formatModelName(served.name, { name: fallback.policy.name, ...(fallback.version ? { version: fallback.version } : {}) }) : served.name;
  }

  private resolveTarget(model: string | undefined): { served: ServedModel; policy: ModerationPolicy; name: string } {
    const served = this.options.engine.served();
    if (!served) throw new ApiProblem(503, "no model is loaded: load a model in the workbench (or start `guardbench worker --model …`) first", "server_error");
    const parsed = parseModelName(model);
    if (!parsed.ok) throw new ApiProblem(400, parsed.message, "invalid_request_error", "model");
    const { selection } = parsed;
    if (selection.model !== undefined && !answersTo(served, selection.model)) {
      throw new ApiProblem(
        404,
        `The model \`${selection.model}\` does not exist here: this server serves \`${served.name}\` (${served.family}); send \`${served.name}\` or \`${served.name}:<policy>[@v<N>]\`. GET /v1/models lists every name.`,
        "invalid_request_error",
        "model",
      );
    }
    if (!selection.policy) return { served, policy: this.options.defaultPolicy ?? { policy: presetPolicy(served.family) }, name: this.defaultName(served) };

    const lookup = this.options.policies?.();
    if (!lookup) throw new ApiProblem(404, `no saved policies here, so \`${selection.policy.name}\` cannot be found: save it in the workbench (same GUARDBENCH_HOME) first`, "invalid_request_error", "model");
    let stored: StoredPolicy;
    try {
      stored = lookup.get(selection.policy.name, selection.policy.version);
    } catch (error) {
      if (error instanceof StoreError && error.code === "not-found") throw new ApiProblem(404, `${error.message}; GET /v1/models lists the saved policies`, "invalid_request_error", "model");
      throw error;
    }
    if (stored.family !== served.family) {
      throw new ApiProblem(400, `policy "${stored.name}" is written for ${stored.family}, but ${served.name} uses the ${served.family} prompt format`, "invalid_request_error", "model");
    }
    return { served, policy: { policy: stored.policy, version: stored.version }, name: formatModelName(served.name, { name: stored.name, version: stored.version }) };
  }

  private async auditCall(
    requestId: string,
    texts: readonly string[],
    target: { served: ServedModel; policy: ModerationPolicy; name: string },
    classified: readonly ClassificationResult[],
    results: readonly ReturnType<typeof toModerationResult>[],
  ): Promise<void> {
    const audit = this.options.audit;
    const mode = audit?.mode() ?? "off";
    if (!audit || mode === "off") return;
    const modelSha256 = await audit.modelSha256(target.served.path);
    const createdAt = new Date();
    try {
      audit.record(
        texts.map((text, index) => ({
          createdAt,
          requestId,
          inputIndex: index,
          contentSha256: sha256(text),
          ...(mode === "content" ? { content: text } : {}),
          modelName: target.served.name,
          modelPath: target.served.path,
          ...(modelSha256 ? { modelSha256 } : {}),
          family: target.served.family,
          policyName: target.policy.policy.name,
          ...(target.policy.version === undefined ? {} : { policyVersion: target.policy.version }),
          flagged: classified[index]!.flagged,
          verdict: classified[index]!.verdict,
          score: classified[index]!.score,
          categories: classified[index]!.categories,
          openai: results[index],
        })),
      );
    } catch (error) {
      // Auditing is on: an answer whose record could not be written would be a hole in the trail nobody sees.
      throw new ApiProblem(500, `the audit trail could not be written (${error instanceof Error ? error.message : String(error)}); no answer is given while auditing is on and failing`, "server_error");
    }
  }

  private logRequest(id: string, status: number, model: string, texts: readonly string[], flagged: number, started: number, problem?: string): void {
    if (!this.options.log) return;
    const parts = [`moderation ${id}`, String(status), `model=${model || "-"}`, `inputs=${texts.length}`, `flagged=${flagged}`, `${Math.round(performance.now() - started)} ms`];
    if (problem) parts.push(`error=${JSON.stringify(problem)}`);
    if (this.options.logContent && texts.length > 0) parts.push(`content=${JSON.stringify(texts)}`);
    this.options.log(parts.join(" "));
  }
}

function answersTo(served: ServedModel, name: string): boolean {
  return [served.name, ...served.aliases].some((candidate) => candidate.toLowerCase() === name.toLowerCase());
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function problemOf(error: unknown, clientSignal: AbortSignal): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (clientSignal.aborted) return new ApiProblem(499, "the client closed the connection; its classifications were cancelled", "cancelled");
  if (error instanceof StoreError) return new ApiProblem(500, error.hint ? `${error.message}. ${error.hint}` : error.message, "server_error");
  if (error instanceof EngineError) {
    const detail = error.hint ? `${error.message}. ${error.hint}` : error.message;
    if (error.code === "prompt-too-long" || error.code === "conversation-invalid" || error.code === "prompt-invalid") return new ApiProblem(400, detail, "invalid_request_error", "input");
    if (error.code === "no-model-loaded") return new ApiProblem(503, detail, "server_error");
    return new ApiProblem(500, detail, "server_error");
  }
  return new ApiProblem(500, error instanceof Error ? error.message : String(error), "server_error");
}

interface QueuedClassification {
  request: ClassifyRequest;
  signal: AbortSignal;
  resolve(result: ClassificationResult): void;
  reject(error: unknown): void;
}

/**
 * Every input waits here, first come first served, for one of the engine's sequences. The bound applies to inputs
 * waiting: a request is admitted whole or refused whole (429), so no request is answered in part.
 */
class ClassifyQueue {
  private readonly waiting: QueuedClassification[] = [];
  private running = 0;
  private completed = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** seconds one classification takes on one sequence, smoothed: what Retry-After is estimated from */
  private secondsPerItem = 0.5;

  constructor(
    private readonly limit: number,
    private readonly parallel: () => number,
    private readonly classify: (request: ClassifyRequest, signal: AbortSignal) => Promise<ClassificationResult>,
  ) {}

  load(): ModerationLoad {
    return { waiting: this.waiting.length, running: this.running, completed: this.completed };
  }

  /**
   * Classifies `requests` in order. Those that would wait beyond the bound (after filling the engine's free sequences)
   * are refused together: 429 with an estimate of when there will be room, or 400 when they could never fit.
   */
  run(requests: readonly ClassifyRequest[], signal: AbortSignal): Promise<ClassificationResult[]> {
    const lanes = Math.max(1, this.parallel());
    if (requests.length > this.limit + lanes) {
      throw new ApiProblem(400, `${requests.length} inputs are more than this server ever takes at once (${this.limit} waiting and ${lanes} running): send them in smaller requests`, "invalid_request_error", "input");
    }
    const wouldWait = this.waiting.length + Math.max(0, requests.length - Math.max(0, lanes - this.running));
    if (wouldWait > this.limit) {
      const retryAfter = Math.max(1, Math.ceil(((this.waiting.length + this.running) / lanes) * this.secondsPerItem));
      throw new ApiProblem(
        429,
        `the moderation queue is full (${this.waiting.length} inputs waiting, at most ${this.limit}); retry after ${retryAfter} s`,
        "rate_limit_error",
        null,
        retryAfter,
      );
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    const mine = requests.map(
      (request) =>
        new Promise<ClassificationResult>((resolve, reject) => {
          this.waiting.push({ request, signal, resolve, reject });
        }),
    );
    const onAbort = () => {
      // Queued inputs of this request leave the line; running ones are cancelled through the signal they were given.
      for (let i = this.waiting.length - 1; i >= 0; i--) {
        const item = this.waiting[i]!;
        if (item.signal === signal) {
          this.waiting.splice(i, 1);
          item.reject(signal.reason);
        }
      }
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.pump();
    const all = Promise.all(mine);
    // One failed input fails the request: its siblings are not worth finishing.
    all.catch(() => onAbort());
    return all.finally(() => signal.removeEventListener("abort", onAbort));
  }

  private pump(): void {
    while (this.running < Math.max(1, this.parallel()) && this.waiting.length > 0) {
      const item = this.waiting.shift()!;
      this.start(item);
    }
  }

  private start(item: QueuedClassification): void {
    this.running++;
    const began = performance.now();
    this.classify(item.request, item.signal).then(
      (result) => {
        this.secondsPerItem = 0.8 * this.secondsPerItem + 0.2 * ((performance.now() - began) / 1000);
        this.completed++;
        this.finish();
        item.resolve(result);
      },
      (error: unknown) => {
        this.finish();
        if (error instanceof EngineError && error.code === "engine-busy" && !item.signal.aborted) {
          // Another user of the engine (a batch run in the workbench) holds the sequences: wait for one, first in line.
          this.waiting.unshift(item);
          this.retryTimer ??= setTimeout(() => {
            this.retryTimer = undefined;
            this.pump();
          }, BUSY_RETRY_MS);
          return;
        }
        this.completed++;
        item.reject(error);
      },
    );
  }

  private finish(): void {
    this.running--;
    if (this.retryTimer === undefined) this.pump();
  }
}
