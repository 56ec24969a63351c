/**
 * OpenAI-compatible legacy completions (`POST /v1/completions`) as vLLM serves them, and `guardbench worker` too.
 *
 * - The prompt may be a list of token ids (vLLM: `prompt: list[int]`), used as is: no BOS added, nothing parsed.
 * - `logprobs: k` returns, per generated position, the chosen token's log-probability and the top k alternatives in
 *   `choices[0].logprobs.{tokens, token_logprobs, top_logprobs, text_offset}`. `top_logprobs` maps token TEXT to
 *   log-probability, so two tokens that decode alike would collide; vLLM's `return_tokens_as_token_ids: true` names
 *   every token `token_id:<id>` instead, which is what the token-ids mode asks for.
 * - vLLM writes a log-probability of -inf as -9999.0 (JSON has no infinity).
 * - llama-server's `/v1/completions` (verified against a real one, commit de3ff81) answers `logprobs` in another
 *   layout: `{content: [...]}` with the per-token entries of its own `/completion` route (ids, text, log-probability,
 *   `top_logprobs`), and ignores `model` and `return_tokens_as_token_ids`. Both layouts are read.
 */
import { requestJson } from "./http.ts";
import { fetchServedIdentity, type ModelIdentity } from "./servedModel.ts";
import { badCompletion, parseProbabilityEntries } from "./llamaServer.ts";
import type { CompletionClient, CompletionSettings, ServerAlternative, ServerCompletion, ServerPosition } from "./serverCompletion.ts";

export interface OpenAiCompletionRequest {
  model: string;
  prompt: number[] | string;
  max_tokens: number;
  temperature: number;
  logprobs: number;
  n?: number;
  stream?: boolean;
  echo?: boolean;
  /** vLLM extension: name tokens `token_id:<id>` in `tokens` and `top_logprobs` */
  return_tokens_as_token_ids?: boolean;
  /** vLLM extension: add BOS (and parse special tokens) when tokenising a text prompt; default true */
  add_special_tokens?: boolean;
}

export interface OpenAiLogprobs {
  tokens: string[];
  token_logprobs: Array<number | null>;
  top_logprobs: Array<Record<string, number> | null>;
  text_offset: number[];
}

export interface OpenAiCompletionResponse {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; logprobs: OpenAiLogprobs | null; finish_reason: "stop" | "length" | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const TOKEN_ID_PREFIX = "token_id:";

/** How `return_tokens_as_token_ids` names a token. */
export function tokenIdName(id: number): string {
  return `${TOKEN_ID_PREFIX}${id}`;
}

export function openAiCompletionRequest(model: string, prompt: number[] | string, settings: CompletionSettings): OpenAiCompletionRequest {
  return {
    model,
    prompt,
    max_tokens: settings.maxTokens,
    // Greedy, as the local engine decodes; the log-probabilities are of the model's distribution, not a sampled one.
    temperature: 0,
    logprobs: settings.topLogprobs,
    n: 1,
    stream: false,
    echo: false,
    // Ids only make sense when the prompt is ids: then this side has the vocabulary to read them.
    ...(Array.isArray(prompt) ? { return_tokens_as_token_ids: true } : {}),
  };
}

/** Parses a completions response body; `where` names the endpoint in errors. */
export function parseOpenAiCompletion(body: unknown, where: string): ServerCompletion {
  const bad = badCompletion(where, "The server must support `logprobs` on /v1/completions (vLLM and llama-server do; so does `guardbench worker`).");
  const choice = (body as Partial<OpenAiCompletionResponse> | null)?.choices?.[0];
  if (!choice || typeof choice.text !== "string") throw bad("choices[0].text");
  const logprobs = choice.logprobs as (OpenAiLogprobs & { content?: unknown }) | null;
  let positions: ServerPosition[];
  if (logprobs && Array.isArray(logprobs.content)) {
    // llama-server: its own per-token entries (ids, text, log-probabilities) under `content`, as its chat route sends them.
    positions = parseProbabilityEntries(logprobs.content, bad);
  } else {
    if (!logprobs || !Array.isArray(logprobs.tokens) || !Array.isArray(logprobs.token_logprobs)) throw bad("choices[0].logprobs (ask for logprobs)");
    positions = logprobs.tokens.map((name, i) => {
      const logprob = logprobs.token_logprobs[i];
      if (typeof name !== "string" || typeof logprob !== "number") throw bad(`a log-probability for generated token ${i}`);
      const top = Object.entries(logprobs.top_logprobs?.[i] ?? {}).map(([topName, topLogprob]) => alternative(topName, topLogprob));
      return { chosen: alternative(name, logprob), top };
    });
  }
  const finish = choice.finish_reason;
  const promptTokens = (body as OpenAiCompletionResponse).usage?.prompt_tokens;
  return {
    positions,
    text: choice.text,
    ...(finish === "stop" || finish === "length" ? { finishReason: finish } : {}),
    ...(typeof promptTokens === "number" ? { promptTokens } : {}),
  };
}

function alternative(name: string, logprob: number): ServerAlternative {
  const id = name.startsWith(TOKEN_ID_PREFIX) ? Number(name.slice(TOKEN_ID_PREFIX.length)) : NaN;
  return Number.isInteger(id) ? { id, logprob } : { text: name, logprob };
}

/** `/v1` once, whether or not the configured base URL already ends with it. */
export function openAiUrl(baseUrl: string, route: "completions" | "models"): URL {
  const root = baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
  return new URL(`${root}/v1/${route}`);
}

export class OpenAiCompletionsClient implements CompletionClient {
  constructor(private readonly endpoint: { name: string; baseUrl: string; apiKey?: string; model: string }) {}

  async complete(prompt: number[] | string, settings: CompletionSettings, signal?: AbortSignal): Promise<ServerCompletion> {
    const url = openAiUrl(this.endpoint.baseUrl, "completions");
    const body = await requestJson({ endpointName: this.endpoint.name, url, method: "POST", body: openAiCompletionRequest(this.endpoint.model, prompt, settings), apiKey: this.endpoint.apiKey, signal });
    return parseOpenAiCompletion(body, this.endpoint.name);
  }

  async probe(signal?: AbortSignal): Promise<void> {
    await requestJson({ endpointName: this.endpoint.name, url: openAiUrl(this.endpoint.baseUrl, "models"), method: "GET", apiKey: this.endpoint.apiKey, signal });
  }

  /** llama-server's model list carries the loaded GGUF's `meta`; vLLM's does not (then there is nothing to compare). */
  servedModel(signal?: AbortSignal): Promise<ModelIdentity | undefined> {
    return fetchServedIdentity(this.endpoint, openAiUrl(this.endpoint.baseUrl, "models"), this.endpoint.model, signal);
  }
}
