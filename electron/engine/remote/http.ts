/**
 * One JSON request to an inference server with Node's fetch, every failure turned into a RemoteEngineError that names the
 * endpoint and says what to do. No retries here: the endpoint pool decides where an item goes next.
 */
import { RemoteEngineError } from "./errors.ts";

export interface JsonRequest {
  /** the endpoint's name, for messages */
  endpointName: string;
  url: URL;
  method: "GET" | "POST";
  body?: unknown;
  apiKey?: string;
  /** cancels the request; a signal from AbortSignal.timeout() (alone or in AbortSignal.any) reports a timeout */
  signal?: AbortSignal;
}

/** A completion with log-probabilities is a few hundred kB at most; more means something else is answering. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const EXCERPT_CHARS = 300;

export async function requestJson({ endpointName, url, method, body, apiKey, signal }: JsonRequest): Promise<unknown> {
  const where = `${endpointName} (${method} ${printableUrl(url)})`;
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, { method, headers, signal, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    status = response.status;
    text = await readLimited(response, where);
  } catch (error) {
    throw fetchFailure(error, signal, where);
  }
  if (status >= 400) throw httpFailure(status, excerpt(text, apiKey), where);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RemoteEngineError("bad-response", `${where} answered HTTP ${status} with something that is not JSON: ${excerpt(text, apiKey)}`, "Check that the base URL points at the inference server itself.", status);
  }
}

/** origin and path only: no credentials, no query */
export function printableUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

async function readLimited(response: Response, where: string): Promise<string> {
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await response.body.cancel().catch(() => undefined);
      throw new RemoteEngineError("bad-response", `${where} sent more than ${MAX_RESPONSE_BYTES / (1024 * 1024)} MiB`, "Check that the base URL points at an inference server.");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function fetchFailure(error: unknown, signal: AbortSignal | undefined, where: string): RemoteEngineError {
  if (error instanceof RemoteEngineError) return error;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof DOMException && reason.name === "TimeoutError") {
      return new RemoteEngineError("timeout", `${where} did not answer in time`, "The server may be overloaded or stuck; the pool scores the item elsewhere and probes this endpoint again later.");
    }
    return new RemoteEngineError("cancelled", `the request to ${where} was cancelled`);
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new RemoteEngineError("connection-failed", `cannot reach ${where}: ${detail}`, "Check that the server is running and that the base URL (host and port) is right.");
}

function httpFailure(status: number, body: string, where: string): RemoteEngineError {
  if (status === 401 || status === 403) {
    return new RemoteEngineError("unauthorized", `${where} refused the request (HTTP ${status}): the API key is missing or wrong`, "Set the endpoint's API key to the one the server was started with.", status);
  }
  if (status === 404) {
    return new RemoteEngineError("not-found", `${where} answered HTTP 404: ${body}`, "Check the base URL, the endpoint kind (openai-completions or llama-server) and the model name.", status);
  }
  if (status === 429) return new RemoteEngineError("rate-limited", `${where} is overloaded (HTTP 429): ${body}`, "Lower this endpoint's concurrency.", status);
  if (status >= 500) return new RemoteEngineError("server-error", `${where} failed (HTTP ${status}): ${body}`, "See the server's log for the cause.", status);
  return new RemoteEngineError("request-rejected", `${where} rejected the request (HTTP ${status}): ${body}`, undefined, status);
}

/** The start of a body for an error message, on one line, with the key blanked should a server echo it back. */
function excerpt(text: string, apiKey: string | undefined): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  const safe = apiKey ? oneLine.split(apiKey).join("[api key]") : oneLine;
  if (safe === "") return "(empty body)";
  return safe.length > EXCERPT_CHARS ? `${safe.slice(0, EXCERPT_CHARS)}…` : safe;
}
