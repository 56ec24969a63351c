/**
 * The engine interface (ARCHITECTURE.md, "Engine"): what scores a conversation, whether llama.cpp in a local child process
 * (EngineProcess, which runs llama/scorer.ts in the worker) or a remote inference server (remote/remoteEngine.ts). The
 * endpoint pool, the run manager and the host depend on this file, never on an implementation; no node-llama-cpp type
 * appears in it. The folder's map and its allowed imports: index.ts.
 */
import type { ClassificationResult, ClassifyOptions, RemoteScoring } from "../../shared/classify/result.ts";
import type { EndpointSummary } from "../../shared/remote/endpoint.ts";
import type { CustomGuardDefinition } from "../../shared/families/customGuard.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";
import type { GpuMode } from "./hardware.ts";

export interface ClassifierEngine {
  /** Rejects with an EngineError (local) or a RemoteEngineError (remote); `signal` cancels, or times out when it is a timeout signal. */
  classify(request: ClassifyRequest, options?: ClassifyOptions, signal?: AbortSignal): Promise<ClassificationResult>;
  info(): EngineInfo;
  dispose(): void | Promise<void>;
}

export type EngineInfo =
  | { kind: "local"; /** undefined while no model is loaded */ model: LoadedModelInfo | undefined }
  | { kind: "remote"; endpoint: EndpointSummary; family: PromptFamily; promptEncoding: RemoteScoring["promptEncoding"] };

export interface ScorerLoadOptions {
  modelPath: string;
  family: PromptFamily;
  /** the definition saved with the model when its family is `custom-guard` (required then) */
  customGuard?: CustomGuardDefinition;
  /** "auto" uses a GPU when one works and falls back to CPU; false forces CPU */
  gpu?: GpuMode;
  /** CPU threads; tiny models run fastest on one */
  threads?: number;
  contextSize?: number;
  /** parallel KV-cache slots; prompts of one policy and role share a slot's evaluated prefix */
  sequences?: number;
  /** keep the evaluated policy prefix between conversations (default); off only to measure what reuse saves */
  reusePrefix?: boolean;
  /** take the whole vocabulary's logits as the addon's pairs (default); off takes node-llama-cpp's Map, only to compare */
  logitPairs?: boolean;
  /**
   * load only the tokenizer (no weights, no context, no GPU): for a coordinator that sends token ids to a remote server.
   * Tokenising works; classifying and completing do not.
   */
  vocabOnly?: boolean;
  /** map the file instead of reading it (default); off reads the weights into memory, tensor by tensor */
  mmap?: boolean;
}

/** What a load reports while it runs and how it is stopped; not part of the options, which cross the worker boundary. */
export interface LoadHooks {
  /** llama.cpp's share of the weights loaded, 0 to 1 */
  onProgress?(fraction: number): void;
  signal?: AbortSignal;
}

export interface LoadedModelInfo {
  path: string;
  family: PromptFamily;
  contextSize: number;
  /** parallel KV-cache slots: how many classifications can run at once (a batch run keeps this many in flight) */
  sequences: number;
  gpu: string | false;
  /** why the GPU is not used, when it is not */
  gpuFallbackReason?: string;
  /** loaded with `vocabOnly`: a tokenizer, nothing can be evaluated */
  vocabOnly?: true;
  /** the vocabulary's BOS and EOS tokens as text (what a chat template gets as bos_token and eos_token) */
  specialTokens?: { bos?: string; eos?: string };
  /** the file's `tokenizer.chat_template`: the prompt itself for a family that has no builder of its own (Llama Guard 4) */
  chatTemplate?: string;
  /** a custom guard's definition, as loaded */
  customGuard?: CustomGuardDefinition;
  /**
   * The text of the vocabulary's control and user-defined tokens, for a custom guard whose definition names none: in
   * its template's own text each becomes one token. Only for custom guards (a Gemma vocabulary has thousands).
   */
  controlTokens?: string[];
}

/** What the scorer has asked of llama.cpp since it was loaded: what benchmarks and tests read to see reuse and sharing. */
export interface EngineWork {
  /** prompt and answer tokens decoded */
  tokensEvaluated: number;
  /** of those, prompt tokens (the rest are the answer's and the forced category path's) */
  promptTokensEvaluated: number;
  /** positions whose whole vocabulary of logits was copied for an exact distribution */
  distributions: number;
  /** positions where only the greedy next token was read (llama.cpp picks it; nothing is copied) */
  nextTokenReads: number;
  /** tokens a sequence took from another's KV state instead of decoding them */
  prefixTokensCopied: number;
  /** evaluations asked for, and the lockstep rounds they went in */
  evaluations: number;
  rounds: number;
}

/** Which of a deferred result's token details to compute (see ClassifyOptions.deferTokenDetails). */
export interface TokenDetailsParams {
  /** the conversation as it was classified (same turns, policy and check) */
  request: ClassifyRequest;
  /** the generated token ids, in order, as the result holds them */
  tokens: number[];
  /** indexes into `tokens` whose details are wanted */
  positions: number[];
  topK: number;
}
