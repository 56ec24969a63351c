/**
 * A remote inference server that scores conversations for Guardbench (ARCHITECTURE.md, "Engine": the second
 * implementation of the engine interface). Prompts are sent as raw completions, never as chat, so the server sees exactly
 * the prompt the local engine would evaluate.
 */

/**
 * - `openai-completions`: `POST /v1/completions` with `logprobs` (vLLM, `guardbench worker`, any OpenAI-compatible
 *   server that accepts a prompt of token ids and returns top log-probabilities);
 * - `llama-server`: llama.cpp's own `POST /completion` with `n_probs` (its `/v1/completions` lacks top log-probabilities
 *   in many versions).
 */
export const ENDPOINT_KINDS = ["openai-completions", "llama-server"] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export interface RemoteEndpoint {
  /** a label for reports, logs and results; never derived from the key */
  name: string;
  /**
   * the server's root, e.g. `http://gpu-box:8000` (a trailing `/v1` is accepted too); http or https, without
   * credentials in the URL: a key goes in `apiKey`
   */
  baseUrl: string;
  /** sent as `Authorization: Bearer …`; never printed, logged or put in an error message */
  apiKey?: string;
  /** the served model name (vLLM's `--served-model-name`); llama-server serves one model and ignores it */
  model: string;
  kind: EndpointKind;
  /**
   * top log-probabilities to ask for per position. More alternatives make fewer values partial (see
   * ClassificationResult.partial), but servers cap it: vLLM at `--max-logprobs` (20 by default), OpenAI's legacy API at
   * 5. Default 20.
   */
  topLogprobs?: number;
}

export const DEFAULT_TOP_LOGPROBS = 20;

/** What may be shown about an endpoint: everything but the key (and the tuning a report needs not repeat). */
export type EndpointSummary = Pick<RemoteEndpoint, "name" | "baseUrl" | "model" | "kind"> & { hasApiKey: boolean };

export function summarizeEndpoint(endpoint: RemoteEndpoint): EndpointSummary {
  return { name: endpoint.name, baseUrl: endpoint.baseUrl, model: endpoint.model, kind: endpoint.kind, hasApiKey: Boolean(endpoint.apiKey) };
}
