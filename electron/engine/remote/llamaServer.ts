/**
 * llama.cpp's `llama-server`, through its own `POST /completion` (tools/server/README.md in llama.cpp).
 *
 * Verified against a real llama-server built from the llama.cpp node-llama-cpp 3.22.1 ships (commit de3ff81;
 * test/integration/llamaServer.test.ts runs it, test/fixtures/remote/*.captured.json are its bodies):
 * - `prompt` as an array of token ids is used as is (no BOS added); `cache_prompt: true` keeps the KV cache of the
 *   longest common prefix between requests, so the shared policy prefix is evaluated once per slot.
 * - `n_probs: k` adds `completion_probabilities`, one entry per generated token, the end-of-generation token last
 *   (with empty `token` text): `{id, token, bytes, logprob, top_logprobs: [{id, token, bytes, logprob}]}`,
 *   log-probabilities of the model's full softmax before any sampler (equal to the local engine's exact values to a few
 *   float32 roundings). `temperature: -1` decodes greedily with them.
 * - `GET /health` answers 200 once the model is loaded (503 while loading); `GET /v1/models` describes the loaded GGUF
 *   (servedModel.ts checks it is the local one).
 *
 * From the documentation, for other versions (not checked here):
 * - With `post_sampling_probs: true` entries would be `{id, token, prob, top_probs: [{id, token, prob}]}` AFTER the
 *   sampler chain (top-k/top-p/temperature cut and renormalise), which is not the model's P(unsafe) — so it is sent as
 *   false, and such entries are still read, as given, should a server send them anyway. Servers before the end of 2024
 *   sent `{content, probs: [{tok_str, prob}]}` (no ids); for greedy decoding those were the full softmax too.
 * - Servers before about September 2024 decoded `temperature: 0` greedily WITHOUT computing probabilities ("greedy
 *   sampling, no probs" in common/sampling.cpp) and only a negative temperature gave greedy decoding with the softmax;
 *   later servers treat any temperature <= 0 as greedy. Old servers also applied repetition penalties (repeat_penalty
 *   1.1 by default) to the candidates before that softmax, and every version applies them before choosing the token,
 *   so all penalties are switched off: the policy text mentions "unsafe", and penalising it would change the answer.
 */
import { RemoteEngineError } from "./errors.ts";
import { requestJson } from "./http.ts";
import { fetchServedIdentity, type ModelIdentity } from "./servedModel.ts";
import type { CompletionClient, CompletionSettings, ServerAlternative, ServerCompletion, ServerPosition } from "./serverCompletion.ts";

export interface LlamaServerCompletionRequest {
  prompt: number[] | string;
  n_predict: number;
  n_probs: number;
  temperature: number;
  repeat_penalty: number;
  presence_penalty: number;
  frequency_penalty: number;
  dry_multiplier: number;
  cache_prompt: boolean;
  post_sampling_probs: boolean;
  stream: boolean;
  /** the generated token ids in `tokens` */
  return_tokens: boolean;
}

/** One probability entry, in any of the three layouts llama-server has used (see the file comment). */
interface LlamaServerProbability {
  id?: number;
  token?: string;
  logprob?: number;
  prob?: number;
  top_logprobs?: LlamaServerProbability[];
  top_probs?: LlamaServerProbability[];
  // before late 2024
  content?: string;
  tok_str?: string;
  probs?: LlamaServerProbability[];
}

interface LlamaServerCompletionResponse {
  content: string;
  completion_probabilities?: LlamaServerProbability[];
  stop_type?: "eos" | "limit" | "word" | "none";
  stopped_eos?: boolean;
  stopped_word?: boolean;
  stopped_limit?: boolean;
  tokens_evaluated?: number;
}

export function llamaServerCompletionRequest(prompt: number[] | string, settings: CompletionSettings): LlamaServerCompletionRequest {
  return {
    prompt,
    n_predict: settings.maxTokens,
    n_probs: settings.topLogprobs,
    // Greedy with probabilities on every server version, and nothing that reweighs the model's logits (file comment).
    temperature: -1,
    repeat_penalty: 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    dry_multiplier: 0,
    cache_prompt: true,
    post_sampling_probs: false,
    stream: false,
    return_tokens: true,
  };
}

export function parseLlamaServerCompletion(body: unknown, where: string): ServerCompletion {
  const bad = badCompletion(where, "Use a llama-server build that supports n_probs on /completion, or check the endpoint kind.");
  const response = body as Partial<LlamaServerCompletionResponse> | null;
  if (!response || typeof response.content !== "string") throw bad("`content`");
  const probabilities = response.completion_probabilities;
  if (!Array.isArray(probabilities)) throw bad("`completion_probabilities` (ask for n_probs)");
  const finishReason = finishOf(response);
  return {
    positions: parseProbabilityEntries(probabilities, bad),
    text: response.content,
    ...(finishReason ? { finishReason } : {}),
    ...(typeof response.tokens_evaluated === "number" ? { promptTokens: response.tokens_evaluated } : {}),
  };
}

/** The error for a body that lacks `what`, naming the endpoint. */
export function badCompletion(where: string, hint: string): (what: string) => RemoteEngineError {
  return (what) => new RemoteEngineError("bad-response", `${where} sent a completion without ${what}`, hint);
}

/**
 * llama-server's per-token entries, in any of its layouts. Its OpenAI-compatible `/v1/completions` sends the same
 * entries as `choices[0].logprobs.content` (openaiCompletions.ts reads them with this too).
 */
export function parseProbabilityEntries(entries: readonly unknown[], bad: (what: string) => RemoteEngineError): ServerPosition[] {
  return (entries as LlamaServerProbability[]).map((entry, i): ServerPosition => {
    const chosen = entry && typeof entry === "object" ? readEntry(entry, entry.content) : undefined;
    if (!chosen) throw bad(`a probability for generated token ${i}`);
    const topEntries = entry.top_logprobs ?? entry.top_probs ?? entry.probs ?? [];
    const top = topEntries.map((alternative) => readEntry(alternative)).filter((a): a is ServerAlternative => a !== undefined);
    // The old layout has no probability for the chosen token itself, only its alternatives (which include it).
    return { chosen, top };
  });
}

/**
 * A token and its log-probability from any layout. In the old layout the chosen token is only named (`content`): its
 * probability is the matching alternative's.
 */
function readEntry(entry: LlamaServerProbability, chosenText?: string): ServerAlternative | undefined {
  const text = entry.token ?? entry.tok_str ?? chosenText;
  const token = { ...(typeof entry.id === "number" ? { id: entry.id } : {}), ...(typeof text === "string" ? { text } : {}) };
  if (token.id === undefined && token.text === undefined) return undefined;
  if (typeof entry.logprob === "number") return { ...token, logprob: entry.logprob };
  if (typeof entry.prob === "number") return { ...token, logprob: Math.log(entry.prob) };
  const listed = entry.probs?.find((alternative) => alternative.tok_str === text);
  return typeof listed?.prob === "number" ? { ...token, logprob: Math.log(listed.prob) } : undefined;
}

function finishOf(response: Partial<LlamaServerCompletionResponse>): ServerCompletion["finishReason"] {
  if (response.stop_type === "limit" || response.stopped_limit) return "length";
  if (response.stop_type === "eos" || response.stop_type === "word" || response.stopped_eos || response.stopped_word) return "stop";
  return undefined;
}

function serverUrl(baseUrl: string, route: "completion" | "health" | "v1/models"): URL {
  // llama-server's own routes sit at the root; a base URL copied from an OpenAI client setting ends in /v1.
  return new URL(`${baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/${route}`);
}

export class LlamaServerClient implements CompletionClient {
  constructor(private readonly endpoint: { name: string; baseUrl: string; apiKey?: string }) {}

  async complete(prompt: number[] | string, settings: CompletionSettings, signal?: AbortSignal): Promise<ServerCompletion> {
    const url = serverUrl(this.endpoint.baseUrl, "completion");
    const body = await requestJson({ endpointName: this.endpoint.name, url, method: "POST", body: llamaServerCompletionRequest(prompt, settings), apiKey: this.endpoint.apiKey, signal });
    return parseLlamaServerCompletion(body, this.endpoint.name);
  }

  async probe(signal?: AbortSignal): Promise<void> {
    await requestJson({ endpointName: this.endpoint.name, url: serverUrl(this.endpoint.baseUrl, "health"), method: "GET", apiKey: this.endpoint.apiKey, signal });
  }

  /** From `/v1/models`, whose one entry carries the loaded GGUF's `meta` (servedModel.ts). */
  servedModel(signal?: AbortSignal): Promise<ModelIdentity | undefined> {
    return fetchServedIdentity(this.endpoint, serverUrl(this.endpoint.baseUrl, "v1/models"), undefined, signal);
  }
}
