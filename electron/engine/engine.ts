/**
 * The engine interface (ARCHITECTURE.md, "Engine"): what scores a conversation, whether llama.cpp in a local child process
 * (EngineProcess) or a remote inference server (remote/remoteEngine.ts). The endpoint pool and the run manager depend on
 * this, never on an implementation; no node-llama-cpp type appears in it.
 */
import type { ClassificationResult, ClassifyOptions, RemoteScoring } from "../../shared/classify/result.ts";
import type { EndpointSummary } from "../../shared/remote/endpoint.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";
import type { LoadedModelInfo } from "./scorer.ts";

export interface ClassifierEngine {
  /** Rejects with an EngineError (local) or a RemoteEngineError (remote); `signal` cancels, or times out when it is a timeout signal. */
  classify(request: ClassifyRequest, options?: ClassifyOptions, signal?: AbortSignal): Promise<ClassificationResult>;
  info(): EngineInfo;
  dispose(): void | Promise<void>;
}

export type EngineInfo =
  | { kind: "local"; /** undefined while no model is loaded */ model: LoadedModelInfo | undefined }
  | { kind: "remote"; endpoint: EndpointSummary; family: PromptFamily; promptEncoding: RemoteScoring["promptEncoding"] };
