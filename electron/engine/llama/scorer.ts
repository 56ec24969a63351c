/**
 * Scores conversations with a guard model through node-llama-cpp: the node-llama-cpp
 * implementation of the engine (engine.ts). Runs inside the engine worker process (see worker.ts); node-llama-cpp types
 * never leave this folder. The jobs live in their own files:
 *
 *   modelLoading.ts     the GGUF checked, loaded on a GPU or the CPU (with the reason), the context created
 *   modelTokens.ts      prompts to token ids, token texts, the decision tokens
 *   kvSlots.ts          the context's sequences, prefix reuse and KV copies, every evaluation and its counters
 *   classification.ts   one Llama Guard classification: answer, P(unsafe)/P(safe), per-category scores; deferred token details
 *   familyClassification.ts  one classification of any other family, from its registry object's decision spec
 *   continuation.ts     "what comes next after the prompt plus these tokens?" on a claimed sequence
 *   tokenApi.ts         the worker's token API: raw completions, vocabulary facts, tokenising
 */
import type { LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import type { ClassifyRequest } from "../../../shared/ipc/contract.ts";
import type { BuiltPrompt } from "../../../shared/prompts/index.ts";
import type { ClassificationResult, ClassifyOptions, DetailedToken } from "../../../shared/classify/result.ts";
import { buildFamilyPrompts } from "../classificationPrompt.ts";
import type { EngineWork, LoadedModelInfo, LoadHooks, ScorerLoadOptions } from "../engine.ts";
import type { CompleteTokensParams, DescribedTokens, TokenCompletion, TokenizeTextsParams, VocabularyFacts } from "../completion.ts";
import { loadLlamaModel } from "./modelLoading.ts";
import { ModelTokens } from "./modelTokens.ts";
import { SequenceEvaluator, SequenceSlots } from "./kvSlots.ts";
import { classifyConversation, tokenDetails, type ScorerParts } from "./classification.ts";
import { classifyWithFamily } from "./familyClassification.ts";
import { guardFamilyOf } from "../../../shared/families/registry.ts";
import { promptsOf } from "../../../shared/families/common.ts";
import { completeTokens, describeTokens, tokenizeTexts, vocabularyFacts } from "./tokenApi.ts";

export class LlamaScorer {
  private readonly parts: ScorerParts;
  private readonly evaluator = new SequenceEvaluator();

  private constructor(
    private readonly model: LlamaModel,
    /** undefined when only the vocabulary is loaded */
    private readonly context: LlamaContext | undefined,
    readonly info: LoadedModelInfo,
    reusePrefix: boolean,
  ) {
    this.parts = { info, tokens: new ModelTokens(model), slots: new SequenceSlots(context, info, reusePrefix, this.evaluator), answers: {} };
  }

  static async load(options: ScorerLoadOptions, hooks: LoadHooks = {}): Promise<LlamaScorer> {
    const { model, context, info } = await loadLlamaModel(options, hooks);
    return new LlamaScorer(model, context, info, !info.vocabOnly && (options.reusePrefix ?? true));
  }

  /** What this scorer has asked of llama.cpp so far. */
  work(): EngineWork {
    return this.evaluator.work();
  }

  async dispose(): Promise<void> {
    await this.context?.dispose();
    await this.model.dispose();
  }

  /** The prompt text and token ids the engine would feed llama.cpp, without evaluating anything. */
  tokenizePrompt(prompt: BuiltPrompt<string>): Token[] {
    return this.parts.tokens.tokenizePrompt(prompt);
  }

  /** The request's prompt or prompts (one per category for ShieldGemma) and the judged turn. */
  buildPrompts(request: ClassifyRequest): { prompts: { code?: string; prompt: BuiltPrompt<string> }[]; target: "prompt" | "response" } {
    const { prompt, target } = buildFamilyPrompts(this.info.family, request, this.info);
    return { prompts: promptsOf(prompt), target };
  }

  classify(request: ClassifyRequest, options: ClassifyOptions = {}, signal?: AbortSignal): Promise<ClassificationResult> {
    return guardFamilyOf(this.info).firstTokenDecision ? classifyConversation(this.parts, request, options, signal) : classifyWithFamily(this.parts, request, options, signal);
  }

  tokenDetails(request: ClassifyRequest, generated: readonly number[], positions: readonly number[], topK: number, signal?: AbortSignal): Promise<DetailedToken[]> {
    return tokenDetails(this.parts, request, generated, positions, topK, signal);
  }

  completeTokens(params: CompleteTokensParams, signal?: AbortSignal): Promise<TokenCompletion> {
    return completeTokens(this.parts, params, signal);
  }

  vocabulary(): VocabularyFacts {
    return vocabularyFacts(this.parts.tokens);
  }

  tokenizeTexts(params: TokenizeTextsParams): number[][] {
    return tokenizeTexts(this.parts.tokens, params);
  }

  describeTokens(tokens: number[]): DescribedTokens {
    return describeTokens(this.parts.tokens, tokens);
  }

  /** The text of one token as the model prints it (special tokens as their text). */
  pieceOf(token: Token): string {
    return this.parts.tokens.pieceOf(token);
  }
}
