/**
 * `guardbench worker`'s HTTP side: an OpenAI-compatible completions server (the subset vLLM serves that a remote engine
 * uses) over an engine child process, with log-probabilities computed exactly — float64 softmax over the raw logits,
 * as the local scorer computes them — instead of llama.cpp's float32 running sums.
 *
 * Routes: `POST /v1/completions` (prompt as token ids or text, `max_tokens`, `logprobs`, `temperature: 0`, vLLM's
 * `return_tokens_as_token_ids` and `add_special_tokens`), `GET /v1/models`, `GET /health`. Greedy decoding only.
 * With a moderation service, also `POST /v1/moderations` (OpenAI's moderation API, electron/moderation), whose names
 * `/v1/models` lists too. With a token, every route needs `Authorization: Bearer <token>`.
 *
 * Browsers are kept out, since a web page can send requests to loopback: a POST must be `Content-Type:
 * application/json` (a page can send text/plain or form bodies without asking first, never JSON), a request with an
 * `Origin` or `Sec-Fetch-Site` from another site is refused, and without a token the `Host` must be a loopback name or
 * the bound address, so a DNS-rebinding page (evil.example resolving to 127.0.0.1) is refused too.
 *
 * llama.cpp stays in the engine child process; this server only parses, queues and formats.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { PromptFamily } from "../../../shared/taxonomy/index.ts";
import type { CompletionStep, TokenCompletion } from "../completion.ts";
import type { EngineProcess } from "../engineProcess.ts";
import { EngineError } from "../errors.ts";
import { tokenIdName, type OpenAiCompletionResponse, type OpenAiLogprobs } from "./openaiCompletions.ts";
import { ApiProblem as HttpProblem, bearerMatches, browserRefusal, moderationModelObjects, readJsonBody, sendJson, sendProblem, serveModeration, tokenDigest, listenOn } from "../../moderation/http.ts";
import type { ModerationService } from "../../moderation/service.ts";

export interface CompletionServerOptions {
  host: string;
  /** 0 picks a free port */
  port: number;
  /** when set, every request needs `Authorization: Bearer <token>` */
  token?: string;
  engine: Pick<EngineProcess, "completeTokens" | "tokenizeTexts">;
  /** the name `/v1/models` lists and requests must use (or omit) */
  modelName: string;
  family: PromptFamily;
  contextSize: number;
  /** completions evaluated at once (the engine's sequences); more wait in line */
  parallel: number;
  /** the largest `logprobs` accepted (vLLM's --max-logprobs); default 50 */
  maxLogprobs?: number;
  /** serves `POST /v1/moderations` too */
  moderation?: ModerationService;
}

export interface RunningCompletionServer {
  /** `http://host:port`, without `/v1` */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_COMPLETION_TOKENS = 4096;
const DEFAULT_MAX_TOKENS = 16;
/** How vLLM writes a log-probability of -inf: JSON has no infinities. */
const LOGPROB_FLOOR = -9999;

interface CompletionJob {
  prompt: number[] | string;
  maxTokens: number;
  /** null: no log-probabilities asked for */
  logprobs: number | null;
  tokensAsIds: boolean;
  addSpecialTokens: boolean;
}

export async function startCompletionServer(options: CompletionServerOptions): Promise<RunningCompletionServer> {
  const expectedDigest = options.token === undefined ? undefined : tokenDigest(options.token);
  const slots = new Slots(options.parallel);
  const maxLogprobs = options.maxLogprobs ?? 50;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const problem = error instanceof HttpProblem ? error : new HttpProblem(500, error instanceof Error ? error.message : String(error), "server_error");
      sendProblem(response, problem);
    });
  });

  let port = options.port;
  const acceptedHosts = new Set(["localhost", "127.0.0.1", "[::1]", ...(isWildcard(options.host) ? [] : [bracketed(options.host).toLowerCase()])]);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = hostRefusal(request, expectedDigest === undefined ? { port, acceptedHosts } : undefined) ?? browserRefusal(request);
    if (refusal) throw refusal;
    if (expectedDigest && !bearerMatches(request, expectedDigest)) {
      throw new HttpProblem(401, "missing or wrong API key: send the worker's --token as `Authorization: Bearer <token>`", "authentication_error");
    }
    const path = new URL(request.url ?? "/", "http://worker").pathname;
    const route = `${request.method} ${path}`;
    if (route === "GET /v1/models") return sendJson(response, 200, modelList(options));
    if (route === "GET /health") return sendJson(response, 200, { status: "ok", ...(options.moderation ? { moderation: options.moderation.load() } : {}) });
    if (route === "POST /v1/completions") return complete(request, response);
    if (route === "POST /v1/moderations" && options.moderation) return serveModeration(options.moderation, request, response);
    const known = ["/v1/models", "/health", "/v1/completions", ...(options.moderation ? ["/v1/moderations"] : [])].includes(path);
    const routes = `POST /v1/completions${options.moderation ? ", POST /v1/moderations" : ""}, GET /v1/models and GET /health`;
    throw new HttpProblem(known ? 405 : 404, known ? `${request.method} is not allowed on ${path}` : `no route ${path}: this worker serves ${routes}`);
  }

  async function complete(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const job = parseCompletionRequest(await readJsonBody(request), options.modelName, maxLogprobs);
    // A client that hangs up cancels its completion (and frees its place in line).
    const cancelled = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) cancelled.abort();
    });
    let completion: TokenCompletion;
    try {
      // A text prompt is tokenised as vLLM does: special-token text parsed, BOS added unless add_special_tokens is false.
      const tokens =
        typeof job.prompt === "string"
          ? (await options.engine.tokenizeTexts({ texts: [job.prompt], parseSpecial: true, addBos: job.addSpecialTokens }))[0]!
          : job.prompt;
      const release = await slots.acquire(cancelled.signal);
      try {
        completion = await options.engine.completeTokens({ tokens, maxTokens: job.maxTokens, topK: job.logprobs ?? 0 }, cancelled.signal);
      } finally {
        release();
      }
    } catch (error) {
      throw problemOf(error);
    }
    sendJson(response, 200, completionResponse(completion, job, options.modelName));
  }

  port = await listenOn(server, options.port, options.host);
  const host = bracketed(options.host);
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Without a token (`hostCheck`), the Host header must name this server by a loopback name or its bound address, so a
 * DNS-rebinding page (evil.example resolving to 127.0.0.1) is refused; undefined when the request may go on.
 */
function hostRefusal(request: IncomingMessage, hostCheck: { port: number; acceptedHosts: ReadonlySet<string> } | undefined): HttpProblem | undefined {
  if (!hostCheck) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(`http://${request.headers.host ?? ""}`);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.port !== String(hostCheck.port) || !hostCheck.acceptedHosts.has(parsed.hostname.toLowerCase())) {
    return new HttpProblem(403, "this worker answers only requests addressed to it by a loopback name or its address (Host header)", "permission_error");
  }
  return undefined;
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

function bracketed(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function modelList(options: CompletionServerOptions) {
  const completions = { id: options.modelName, object: "model", created: 0, owned_by: "guardbench", max_model_len: options.contextSize, guardbench: { family: options.family } };
  // The moderation names start with the model name itself: that one entry serves both APIs.
  const moderation = options.moderation ? moderationModelObjects(options.moderation).filter((entry) => entry.id !== options.modelName) : [];
  return { object: "list", data: [completions, ...moderation] };
}

/** Validates a completions request, refusing what this server would otherwise silently ignore. */
export function parseCompletionRequest(body: unknown, modelName: string, maxLogprobs: number): CompletionJob {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpProblem(400, "the request body must be a JSON object");
  const request = body as Record<string, unknown>;
  if (request.model !== undefined && request.model !== modelName) throw new HttpProblem(404, `The model \`${String(request.model)}\` does not exist; this worker serves \`${modelName}\`.`, "not_found_error");
  const prompt = request.prompt;
  const isTokenList = Array.isArray(prompt) && prompt.length > 0 && prompt.every((t) => Number.isInteger(t) && (t as number) >= 0);
  if (Array.isArray(prompt) && !isTokenList) throw new HttpProblem(400, "prompt must be a string or a non-empty list of token ids (one prompt per request)");
  if (typeof prompt !== "string" && !isTokenList) throw new HttpProblem(400, "prompt is required: a string or a list of token ids");
  if (typeof prompt === "string" && prompt === "") throw new HttpProblem(400, "prompt is empty");
  const maxTokens = request.max_tokens ?? DEFAULT_MAX_TOKENS;
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 0 || (maxTokens as number) > MAX_COMPLETION_TOKENS) throw new HttpProblem(400, `max_tokens must be a whole number from 0 to ${MAX_COMPLETION_TOKENS}`);
  const logprobs = request.logprobs ?? null;
  if (logprobs !== null && (!Number.isInteger(logprobs) || (logprobs as number) < 0 || (logprobs as number) > maxLogprobs)) throw new HttpProblem(400, `logprobs must be a whole number from 0 to ${maxLogprobs}`);
  if (request.temperature !== undefined && request.temperature !== 0) throw new HttpProblem(400, "this worker decodes greedily only: send temperature 0 (or leave it out)");
  if ((request.n ?? 1) !== 1 || (request.best_of ?? 1) !== 1) throw new HttpProblem(400, "n and best_of must be 1: greedy decoding has one answer");
  if (request.stream) throw new HttpProblem(400, "streaming is not supported: send stream false");
  if (request.echo) throw new HttpProblem(400, "echo is not supported");
  if (request.stop !== undefined && request.stop !== null && !(Array.isArray(request.stop) && request.stop.length === 0)) throw new HttpProblem(400, "stop sequences are not supported: generation ends at the model's end-of-generation token or max_tokens");
  for (const flag of ["return_tokens_as_token_ids", "add_special_tokens"] as const) {
    if (request[flag] !== undefined && typeof request[flag] !== "boolean") throw new HttpProblem(400, `${flag} must be true or false`);
  }
  return {
    prompt: prompt as number[] | string,
    maxTokens: maxTokens as number,
    logprobs: logprobs as number | null,
    tokensAsIds: request.return_tokens_as_token_ids === true,
    addSpecialTokens: request.add_special_tokens !== false,
  };
}

/** vLLM's layout: the end-of-generation token appears in the log-probabilities but not in the text. */
export function completionResponse(completion: TokenCompletion, job: CompletionJob, modelName: string): OpenAiCompletionResponse {
  const stopped = completion.finishReason === "stop";
  const textSteps = stopped ? completion.steps.slice(0, -1) : completion.steps;
  const text = textSteps.map((step) => step.piece).join("");
  const name = (token: { id: number; piece: string }) => (job.tokensAsIds ? tokenIdName(token.id) : token.piece);
  const logprobs: OpenAiLogprobs | null =
    job.logprobs === null
      ? null
      : {
          tokens: completion.steps.map(name),
          token_logprobs: completion.steps.map((step) => finite(step.logprob)),
          top_logprobs: completion.steps.map((step) => topLogprobs(step, job.logprobs!, name)),
          text_offset: offsets(completion.steps, text.length),
        };
  return {
    id: `cmpl-${randomUUID()}`,
    object: "text_completion",
    created: Math.floor(Date.now() / 1000),
    model: modelName,
    choices: [{ index: 0, text, logprobs, finish_reason: completion.finishReason }],
    usage: { prompt_tokens: completion.promptTokens, completion_tokens: completion.steps.length, total_tokens: completion.promptTokens + completion.steps.length },
  };
}

/** The top k and, as vLLM does, the chosen token even when it ranks lower. */
function topLogprobs(step: CompletionStep, k: number, name: (token: { id: number; piece: string }) => string): Record<string, number> {
  const entries = step.top.slice(0, k);
  if (!entries.some((entry) => entry.id === step.id)) entries.push(step);
  return Object.fromEntries(entries.map((entry) => [name(entry), finite(entry.logprob)]));
}

function offsets(steps: CompletionStep[], textLength: number): number[] {
  let at = 0;
  return steps.map((step) => {
    const offset = Math.min(at, textLength);
    at += step.piece.length;
    return offset;
  });
}

function finite(logprob: number): number {
  return Number.isFinite(logprob) ? logprob : LOGPROB_FLOOR;
}

function problemOf(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (!(error instanceof EngineError)) return new HttpProblem(500, error instanceof Error ? error.message : String(error), "server_error");
  const detail = error.hint ? `${error.message}. ${error.hint}` : error.message;
  if (error.code === "prompt-too-long" || error.code === "prompt-invalid") return new HttpProblem(400, detail);
  if (error.code === "cancelled") return new HttpProblem(499, detail);
  return new HttpProblem(500, detail, "server_error");
}

/** At most `size` completions at once; the rest wait in arrival order, and leave the line when cancelled. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.free > 0) {
      this.free--;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(new HttpProblem(499, "the client went away while waiting for a free slot"));
      };
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      this.waiting.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
