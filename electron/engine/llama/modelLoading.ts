/**
 * Loading a GGUF into llama.cpp: our own header check first, a GPU when one takes the model and the CPU when it does not
 * (saying why), then the context with its sequences. A vocabulary-only load skips weights, GPU and context.
 */
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import { inspectModelFile } from "../../gguf/index.ts";
import { DEFAULT_FIT_CONTEXT } from "../../../shared/models/fit.ts";
import { acquireLlama } from "../hardware.ts";
import { EngineError, messageOf } from "../errors.ts";
import type { LoadedModelInfo, LoadHooks, ScorerLoadOptions } from "../engine.ts";
import { CUSTOM_GUARD_ID, customGuardMissing } from "../../../shared/families/customGuard.ts";
import { passLogitPairsThrough } from "./logitPairs.ts";

export interface LoadedLlamaModel {
  model: LlamaModel;
  /** undefined when only the vocabulary is loaded */
  context: LlamaContext | undefined;
  info: LoadedModelInfo;
}

export async function loadLlamaModel(options: ScorerLoadOptions, hooks: LoadHooks = {}): Promise<LoadedLlamaModel> {
  // llama.cpp's own errors for a bad file are terse or fatal (a damaged length aborts the process): our bounds-checked
  // reader sees the file first and says what is wrong.
  const inspected = await inspectModelFile(options.modelPath);
  if (!inspected.ok) {
    const { code, message, hint } = inspected.error;
    const engineCode = code === "file-missing" ? "model-not-found" : code === "unsupported-architecture" ? "model-unsupported" : "model-invalid";
    throw new EngineError(engineCode, message, hint);
  }
  if (options.family === CUSTOM_GUARD_ID && !options.customGuard && !options.vocabOnly)
    throw new EngineError("custom-guard-missing", `${options.modelPath} is to be loaded as a custom guard, and no custom guard definition came with it`, customGuardMissing(options.modelPath).hint);
  if (options.vocabOnly) return loadVocabulary(options);
  const acquired = await acquireLlama(options.gpu ?? "auto");
  const { llama } = acquired;
  let fallbackReason = acquired.cpuInferenceReason;
  const watched = {
    ...(hooks.onProgress ? { onLoadProgress: hooks.onProgress } : {}),
    ...(hooks.signal ? { loadSignal: hooks.signal } : {}),
    ...(options.mmap === false ? { useMmap: false } : {}),
  };
  const loadFailure = (error: unknown) =>
    hooks.signal?.aborted ? new EngineError("cancelled", `loading ${options.modelPath} was cancelled`) : EngineError.fromLoadFailure(options.modelPath, error);
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: llama.gpu === false ? 0 : "auto", ...watched });
  } catch (error) {
    if (llama.gpu === false || hooks.signal?.aborted) throw loadFailure(error);
    // A GPU that initialised can still fail to take the model (VRAM, driver): the CPU is slower but works.
    try {
      model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0, ...watched });
      fallbackReason = `the model could not be loaded on the ${llama.gpu} GPU (${messageOf(error)}) — CPU inference`;
    } catch (cpuError) {
      throw loadFailure(cpuError);
    }
  }
  const sequences = options.sequences ?? 2;
  // The same default context as the fit estimate, so a model rated as fitting does fit.
  const wanted = options.contextSize ?? DEFAULT_FIT_CONTEXT;
  const contextSize = model.trainContextSize > 0 ? Math.min(wanted, model.trainContextSize) : wanted;
  let context: LlamaContext;
  try {
    context = await model.createContext({ contextSize, sequences, threads: options.threads });
  } catch (error) {
    await model.dispose();
    throw new EngineError("model-load-failed", `could not create a ${contextSize}-token context for ${options.modelPath}: ${messageOf(error)}`, "Free some memory or choose a smaller context size.");
  }
  if (options.logitPairs ?? true) passLogitPairsThrough(context);
  return {
    model,
    context,
    info: {
      path: options.modelPath,
      family: options.family,
      contextSize: context.contextSize,
      sequences,
      gpu: llama.gpu,
      ...(fallbackReason ? { gpuFallbackReason: fallbackReason } : {}),
      specialTokens: specialTokensOf(model),
      ...chatTemplateOf(model),
      ...customGuardOf(options, model),
    },
  };
}

/** A custom guard's definition as it loads, with the vocabulary's control tokens when the definition names none. */
function customGuardOf(options: ScorerLoadOptions, model: LlamaModel): Pick<LoadedModelInfo, "customGuard" | "controlTokens"> {
  if (options.family !== CUSTOM_GUARD_ID || !options.customGuard) return {};
  return { customGuard: options.customGuard, ...(options.customGuard.specialTokens === undefined && { controlTokens: controlTokensOf(model) }) };
}

/** GGUF token types 3 (control) and 4 (user-defined): the tokens llama.cpp parses out of text as special tokens. */
function controlTokensOf(model: LlamaModel): string[] {
  const ggml = model.fileInfo.metadata?.tokenizer?.ggml as { tokens?: readonly string[]; token_type?: readonly number[] } | undefined;
  const types = ggml?.token_type ?? [];
  return (ggml?.tokens ?? []).filter((text, id) => (types[id] === 3 || types[id] === 4) && text !== "");
}

function specialTokensOf(model: LlamaModel): { bos?: string; eos?: string } {
  const { bosString: bos, eosString: eos } = model.tokens;
  return { ...(bos ? { bos } : {}), ...(eos ? { eos } : {}) };
}

function chatTemplateOf(model: LlamaModel): { chatTemplate?: string } {
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  return typeof template === "string" ? { chatTemplate: template } : {};
}

/** Only the tokenizer: nothing will be evaluated, so neither a GPU nor a context is set up. */
async function loadVocabulary(options: ScorerLoadOptions): Promise<LoadedLlamaModel> {
  const { llama } = await acquireLlama(false);
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: options.modelPath, vocabOnly: true });
  } catch (error) {
    throw EngineError.fromLoadFailure(options.modelPath, error);
  }
  const info: LoadedModelInfo = {
    path: options.modelPath,
    family: options.family,
    contextSize: 0,
    sequences: 0,
    gpu: false,
    vocabOnly: true,
    specialTokens: specialTokensOf(model),
    ...chatTemplateOf(model),
    ...customGuardOf(options, model),
  };
  return { model, context: undefined, info };
}
