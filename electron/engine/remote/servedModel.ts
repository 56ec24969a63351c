/**
 * Is the server running the model whose tokenizer builds the prompts? Token-ids mode sends ids of the LOCAL vocabulary
 * and reads the answer's ids back through it; a server with another model would score something else, or read
 * different tokens under the same ids, and nothing in its answer would look wrong. So before its first item, and on
 * every probe, a remote engine compares what the server says it runs with the local file's header.
 *
 * What can be compared is what the server reports. llama-server's `GET /v1/models` gives, per model, `meta: {n_vocab,
 * n_ctx_train, n_embd, n_params, size, ftype, …}` (tools/server/server-context.cpp, `get_res_model_info`; verified
 * against the llama-server built from node-llama-cpp's bundled llama.cpp, see test/integration/llamaServer.test.ts):
 * the vocabulary size, trained context, width, parameter count and tensor bytes of the GGUF it loaded. Different
 * sizes, shapes, quantisations or tokenizers of different sizes all differ there. Two files of the same shape and
 * quantisation (a fine-tune and its base) do not: llama-server reports no hash of its file, so that case stays the
 * user's to get right, and the served file's name is shown in results' settings and errors to help.
 *
 * vLLM reports no such metadata (only the served name, checked by the 404 it gives for another name), so there the
 * check has nothing to compare and is skipped.
 */
import { basename } from "node:path";
import { inspectModelFile } from "../../gguf/index.ts";
import { RemoteEngineError } from "./errors.ts";
import { requestJson } from "./http.ts";

/** The facts of a model file that a server can report about the model it loaded. */
export interface ModelIdentity {
  /** the file name (local) or the server's model id / path, for messages */
  name: string;
  vocabularySize?: number;
  trainedContext?: number;
  embeddingWidth?: number;
  parameters?: number;
  tensorBytes?: number;
  /** the quantisation as the server names it (`Q8_0`, `all F32`); shown, not compared (local and server spell it differently) */
  quantization?: string;
}

const COMPARED: ReadonlyArray<{ key: Exclude<keyof ModelIdentity, "name" | "quantization">; label: string }> = [
  { key: "vocabularySize", label: "vocabulary size" },
  { key: "embeddingWidth", label: "embedding width" },
  { key: "parameters", label: "parameters" },
  { key: "tensorBytes", label: "tensor bytes" },
  { key: "trainedContext", label: "trained context" },
];

/**
 * The identity of a local GGUF from its header (no weights read); `vocabularySize` from the loaded vocabulary. Only
 * what is known for certain is stated, since a stated fact that differs refuses the server: a part of a split model
 * counts only its own tensors (the server counts the whole model's). Tensor bytes are exact: the reader refuses a
 * tensor type it cannot size.
 */
export async function localModelIdentity(modelPath: string, vocabularySize: number): Promise<ModelIdentity> {
  const inspected = await inspectModelFile(modelPath);
  if (!inspected.ok) return { name: basename(modelPath), vocabularySize };
  const { info } = inspected;
  const wholeModel = info.splitCount === undefined;
  return {
    name: info.fileName,
    vocabularySize,
    ...(wholeModel ? { parameters: info.parameterCount, tensorBytes: info.tensorDataBytes } : {}),
    ...(info.contextLength !== undefined ? { trainedContext: info.contextLength } : {}),
    ...(info.embeddingWidth !== undefined ? { embeddingWidth: info.embeddingWidth } : {}),
    quantization: info.quantType,
  };
}

/** "vocabulary size 128256 here, 32000 there; …" for every fact both sides know and disagree on; empty when they agree. */
export function identityDifferences(local: ModelIdentity, served: ModelIdentity): string[] {
  return COMPARED.flatMap(({ key, label }) => {
    const here = local[key];
    const there = served[key];
    return here !== undefined && there !== undefined && here !== there ? [`${label} ${here} here, ${there} on the server`] : [];
  });
}

/** Throws `model-mismatch` when the served model is not the local one (as far as the server's report tells). */
export function assertSameModel(endpointName: string, local: ModelIdentity, served: ModelIdentity | undefined): void {
  if (!served) return;
  const differences = identityDifferences(local, served);
  if (differences.length === 0) return;
  throw new RemoteEngineError(
    "model-mismatch",
    `${endpointName} serves ${describe(served)}, not the local model ${describe(local)} whose tokenizer builds the prompts (${differences.join("; ")}); its answers would be scored as if they came from the local model, so it is not used`,
    `Start the server with the same GGUF file as --model here (or give --model the file the server runs).`,
  );
}

function describe(identity: ModelIdentity): string {
  return identity.quantization ? `${identity.name} (${identity.quantization})` : identity.name;
}

/** One entry of an OpenAI-style model list, with llama-server's `meta` when present. */
interface ListedModel {
  id?: unknown;
  meta?: { n_vocab?: unknown; n_ctx_train?: unknown; n_embd?: unknown; n_params?: unknown; size?: unknown; ftype?: unknown } | null;
}

/**
 * The identity of the served model from a `GET /v1/models` body: the entry named `wanted` (else the only one), when it
 * carries llama-server's `meta`; undefined when the server reports nothing to compare.
 */
export function servedIdentityFromModelList(body: unknown, wanted?: string): ModelIdentity | undefined {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const entries = data as ListedModel[];
  const entry = entries.find((model) => model.id === wanted) ?? (entries.length === 1 ? entries[0] : undefined);
  const meta = entry?.meta;
  if (!entry || !meta || typeof meta !== "object") return undefined;
  const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
  const facts = {
    vocabularySize: count(meta.n_vocab),
    trainedContext: count(meta.n_ctx_train),
    embeddingWidth: count(meta.n_embd),
    parameters: count(meta.n_params),
    tensorBytes: count(meta.size),
  };
  return {
    name: typeof entry.id === "string" ? entry.id : "the served model",
    ...Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)),
    ...(typeof meta.ftype === "string" ? { quantization: meta.ftype } : {}),
  };
}

/** Asks a server's model list (`GET /v1/models`) what it runs; undefined when it has no such route or reports no metadata. */
export async function fetchServedIdentity(
  endpoint: { name: string; apiKey?: string },
  modelListUrl: URL,
  wanted: string | undefined,
  signal?: AbortSignal,
): Promise<ModelIdentity | undefined> {
  try {
    const body = await requestJson({ endpointName: endpoint.name, url: modelListUrl, method: "GET", apiKey: endpoint.apiKey, signal });
    return servedIdentityFromModelList(body, wanted);
  } catch (error) {
    if (error instanceof RemoteEngineError && error.code === "not-found") return undefined;
    throw error;
  }
}
