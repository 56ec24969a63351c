/**
 * Messages between the main side and the engine worker. The same protocol runs over `child_process.fork` (CLI, serve,
 * tests) and Electron's `utilityProcess` (desktop app), so llama.cpp aborts never take the caller down.
 */
import type { ClassificationResult, ClassifyOptions, DetailedToken } from "../../shared/classify/result.ts";
import type { EngineErrorData } from "./errors.ts";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";
import type { LoadedModelInfo, ScorerLoadOptions, TokenDetailsParams } from "./engine.ts";
import type { CompleteTokensParams, DescribedTokens, TokenCompletion, TokenizeTextsParams, VocabularyFacts } from "./completion.ts";
import type { FileEstimateResult, GpuMode } from "./hardware.ts";
import type { HardwareProfile } from "../../shared/models/fit.ts";

export interface EngineMethods {
  /** reports `progress` messages (the share of the weights loaded, 0 to 1) while it runs */
  load: { params: ScorerLoadOptions; result: LoadedModelInfo };
  unload: { params: Record<string, never>; result: null };
  classify: { params: { request: ClassifyRequest; options?: ClassifyOptions }; result: ClassificationResult };
  /** the probability and top-k of a result's generated tokens at `positions`, for one scored with deferTokenDetails */
  tokenDetails: { params: TokenDetailsParams; result: DetailedToken[] };
  /** the prompt text and the token ids fed to llama.cpp, without evaluating anything */
  tokenizePrompt: { params: { request: ClassifyRequest }; result: { text: string; tokens: number[]; pieces: string[]; target: "prompt" | "response" } };
  /** greedy raw completion of token ids with exact log-probabilities (`guardbench worker`) */
  completeTokens: { params: CompleteTokensParams; result: TokenCompletion };
  /** decision, newline and end-of-generation tokens (a remote engine reads a server's answer with them) */
  vocabulary: { params: Record<string, never>; result: VocabularyFacts };
  tokenizeTexts: { params: TokenizeTextsParams; result: number[][] };
  describeTokens: { params: { tokens: number[] }; result: DescribedTokens };
  /** RAM, cores and the GPU node-llama-cpp finds; only in a worker without a model (see detectHardwareInWorker) */
  detectHardware: { params: { gpu: GpuMode }; result: HardwareProfile };
  /** node-llama-cpp's memory estimate for each file (see estimateModelFileMemory), in the order given */
  estimateMemory: { params: { paths: string[]; contextSize: number }; result: FileEstimateResult[] };
}

export type EngineMethod = keyof EngineMethods;

export type EngineCall = { [M in EngineMethod]: { kind: "call"; id: number; method: M; params: EngineMethods[M]["params"] } }[EngineMethod];
export type EngineCancel = { kind: "cancel"; id: number };
export type ToEngine = EngineCall | EngineCancel;

export type FromEngine =
  | { kind: "ready" }
  /** how far the call `id` has got (a load: the share of the weights loaded, 0 to 1) */
  | { kind: "progress"; id: number; value: number }
  | { kind: "reply"; id: number; ok: true; value: unknown }
  | { kind: "reply"; id: number; ok: false; error: EngineErrorData };
