/**
 * Scores conversations with a Llama Guard (or chat-judge) model through node-llama-cpp.
 * Runs inside the engine worker process (see worker.ts); node-llama-cpp types never leave this folder.
 */
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { Turn } from "../../shared/conversation/types.ts";
import { prepareForClassification } from "../../shared/conversation/index.ts";
import type { CheckMode } from "../../shared/conversation/types.ts";
import { presetPolicy, type Policy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import { buildPrompt, type BuiltPrompt } from "../../shared/prompts/index.ts";
import { parseVerdict } from "../../shared/verdict/index.ts";
import { DEFAULT_CLASSIFY_OPTIONS, type CategoryScore, type ClassificationResult, type ClassifyOptions, type GeneratedToken } from "../../shared/classify/result.ts";
import { EngineError } from "./errors.ts";
import { ExactDistribution } from "./distribution.ts";
import { inspectModelFile } from "./modelFile.ts";
import { acquireLlama, type GpuMode } from "./hardware.ts";
import { DEFAULT_FIT_CONTEXT } from "../../shared/models/fit.ts";

export interface ScorerLoadOptions {
  modelPath: string;
  family: PromptFamily;
  /** "auto" uses a GPU when one works and falls back to CPU; false forces CPU */
  gpu?: GpuMode;
  /** CPU threads; tiny models run fastest on one */
  threads?: number;
  contextSize?: number;
  /** parallel KV-cache slots; prompts of one policy and role share a slot's evaluated prefix */
  sequences?: number;
  /** keep the evaluated policy prefix between conversations (default); off only to measure what reuse saves */
  reusePrefix?: boolean;
}

export interface ClassifyRequest {
  turns: Turn[];
  policy?: Policy;
  check?: CheckMode;
}

export interface LoadedModelInfo {
  path: string;
  family: PromptFamily;
  contextSize: number;
  gpu: string | false;
  /** why the GPU is not used, when it is not */
  gpuFallbackReason?: string;
}

/** A sequence and whether a classification is using it right now. */
interface Slot {
  sequence: LlamaContextSequence;
  busy: boolean;
}

export class LlamaScorer {
  private readonly decisionTokens: { safe: Token[]; unsafe: Token[] };
  private readonly newlineTokens: Token[];

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly slots: Slot[],
    readonly info: LoadedModelInfo,
    private readonly reusePrefix: boolean,
  ) {
    this.decisionTokens = { safe: this.firstTokensOf("safe"), unsafe: this.firstTokensOf("unsafe") };
    // A token that starts both words (a short vocabulary) would count for both: keep it out of either.
    this.decisionTokens.unsafe = this.decisionTokens.unsafe.filter((t) => !this.decisionTokens.safe.includes(t));
    this.decisionTokens.safe = this.decisionTokens.safe.filter((t) => !this.decisionTokens.unsafe.includes(t));
    this.newlineTokens = this.model.tokenize("\n", false);
  }

  static async load(options: ScorerLoadOptions): Promise<LlamaScorer> {
    // llama.cpp's own errors for a bad file are terse or fatal; read the header first and say what is wrong.
    const inspected = await inspectModelFile(options.modelPath);
    if (!inspected.ok) {
      const { code, message, hint } = inspected.error;
      const engineCode = code === "file-missing" ? "model-not-found" : code === "unsupported-architecture" ? "model-unsupported" : "model-invalid";
      throw new EngineError(engineCode, message, hint);
    }
    const acquired = await acquireLlama(options.gpu ?? "auto");
    const { llama } = acquired;
    let fallbackReason = acquired.cpuInferenceReason;
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: llama.gpu === false ? 0 : "auto" });
    } catch (error) {
      if (llama.gpu === false) throw EngineError.fromLoadFailure(options.modelPath, error);
      // A GPU that initialised can still fail to take the model (VRAM, driver): the CPU is slower but works.
      try {
        model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 });
        fallbackReason = `the model could not be loaded on the ${llama.gpu} GPU (${messageOf(error)}) — CPU inference`;
      } catch (cpuError) {
        throw EngineError.fromLoadFailure(options.modelPath, cpuError);
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
    const slots = Array.from({ length: sequences }, () => ({ sequence: context.getSequence(), busy: false }));
    return new LlamaScorer(model, context, slots, {
      path: options.modelPath,
      family: options.family,
      contextSize: context.contextSize,
      gpu: llama.gpu,
      ...(fallbackReason ? { gpuFallbackReason: fallbackReason } : {}),
    }, options.reusePrefix ?? true);
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }

  /** The prompt text and token ids the engine would feed llama.cpp, without evaluating anything. */
  tokenizePrompt(prompt: BuiltPrompt): Token[] {
    const tokens: Token[] = [];
    if (this.model.tokens.shouldPrependBosToken && this.model.tokens.bos != null) tokens.push(this.model.tokens.bos);
    for (const part of prompt.engineParts) {
      if (part.kind === "text") {
        // Special-token parsing off: `<|eot_id|>` typed inside a message stays plain text, never a control token.
        tokens.push(...this.model.tokenize(part.text, false));
        continue;
      }
      const special = this.model.tokenize(part.text, true);
      if (special.length !== 1) {
        throw new EngineError(
          "prompt-family-mismatch",
          `this model has no single special token for ${part.text}, which the ${prompt.family} prompt needs`,
          "Check the prompt family chosen for this model (--family).",
        );
      }
      tokens.push(special[0]!);
    }
    return tokens;
  }

  buildPrompt(request: ClassifyRequest): { prompt: BuiltPrompt; target: "prompt" | "response" } {
    const prepared = prepareForClassification({ turns: request.turns }, request.check ?? "last");
    if (!prepared.ok) throw new EngineError("conversation-invalid", prepared.error.message, "Fix the conversation's roles and try again.");
    const policy = request.policy ?? presetPolicy(this.info.family);
    const built = buildPrompt(this.info.family, prepared.turns, policy);
    if (!built.ok) throw new EngineError("prompt-invalid", built.error.message);
    return { prompt: built.prompt, target: prepared.target };
  }

  async classify(request: ClassifyRequest, options: ClassifyOptions = {}, signal?: AbortSignal): Promise<ClassificationResult> {
    const settings = { ...DEFAULT_CLASSIFY_OPTIONS, ...options };
    const started = performance.now();
    const policy = request.policy ?? presetPolicy(this.info.family);
    const { prompt, target } = this.buildPrompt({ ...request, policy });
    const promptTokens = this.tokenizePrompt(prompt);
    const room = this.info.contextSize - settings.maxTokens - 8;
    if (promptTokens.length > room) {
      throw new EngineError(
        "prompt-too-long",
        `the prompt is ${promptTokens.length} tokens but this model's context holds ${this.info.contextSize} (with room for the answer: ${room})`,
        "Shorten the conversation or load the model with a larger context size.",
      );
    }

    const slot = this.claimSlot(promptTokens);
    try {
      if (this.reusePrefix === false) await slot.sequence.clearHistory();
      const query = new ContinuationQuery(slot.sequence, promptTokens, signal);
      const first = await query.after([]);
      const promptDone = performance.now();

      const tokens: GeneratedToken[] = [];
      const generated: Token[] = [];
      let decisionTokenIndex = -1;
      for (let distribution = first; generated.length < settings.maxTokens; ) {
        const next = distribution.argmax() as Token;
        if (this.model.isEogToken(next)) break;
        tokens.push(this.describe(next, distribution, settings.topK));
        generated.push(next);
        if (decisionTokenIndex === -1 && this.pieceOf(next).trim() !== "") decisionTokenIndex = tokens.length - 1;
        distribution = await query.after(generated);
      }
      const generationDone = performance.now();

      // The decision is the first non-whitespace position: LG3 emits `\n\n` first (prompt-formats/outputs.md §2).
      const decisionAt = decisionTokenIndex === -1 ? generated.length : decisionTokenIndex;
      const leadingWhitespace = generated.slice(0, decisionAt);
      const decision = await query.after(leadingWhitespace);
      const pUnsafe = sum(this.decisionTokens.unsafe.map((t) => decision.probabilityOf(t)));
      const pSafe = sum(this.decisionTokens.safe.map((t) => decision.probabilityOf(t)));

      const likeliestUnsafe = this.decisionTokens.unsafe.reduce((a, b) => (decision.probabilityOf(b) > decision.probabilityOf(a) ? b : a));
      const categoryScores = await this.scoreCategories(query, [...leadingWhitespace, likeliestUnsafe, ...this.newlineTokens], policy);
      const categoriesDone = performance.now();

      const outputText = this.model.detokenize(generated, true);
      const verdict = parseVerdict(outputText, policy);
      const threshold = settings.threshold;
      return {
        verdict: verdict.kind,
        categories: verdict.kind === "unsafe" ? verdict.categories : [],
        ...(verdict.kind === "unparseable" ? { unparseableReason: verdict.reason } : {}),
        pUnsafe,
        pSafe,
        pUnsafeNormalized: pUnsafe + pSafe > 0 ? pUnsafe / (pUnsafe + pSafe) : 0,
        score: pUnsafe,
        threshold,
        flagged: pUnsafe >= threshold,
        categoryScores,
        categoryScoresMethod: "forced-prefix",
        tokens,
        decisionTokenIndex: decisionTokenIndex,
        outputText,
        target,
        prompt: { text: prompt.text, tokenCount: promptTokens.length },
        model: { path: this.info.path, family: this.info.family },
        timingsMs: {
          prompt: promptDone - started,
          generation: generationDone - promptDone,
          categories: categoriesDone - generationDone,
          total: categoriesDone - started,
        },
      };
    } finally {
      slot.busy = false;
    }
  }

  /**
   * P(code) = product of the code's token probabilities after `unsafe\n`. Codes that share leading tokens (every `S…`
   * code starts with the token `S`) share those evaluations, so the whole taxonomy costs about two extra positions.
   */
  private async scoreCategories(query: ContinuationQuery, forcedPrefix: Token[], policy: Policy): Promise<CategoryScore[]> {
    const scores: CategoryScore[] = [];
    for (const category of policy.categories.filter((c) => c.enabled)) {
      const path = this.model.tokenize(category.code, false);
      let p = 1;
      for (let i = 0; i < path.length && p > 0; i++) p *= (await query.after([...forcedPrefix, ...path.slice(0, i)])).probabilityOf(path[i]!);
      scores.push({ code: category.code, name: category.name.trim(), p });
    }
    return scores;
  }

  /** The free slot whose evaluated tokens share the longest prefix with this prompt (same policy and role label). */
  private claimSlot(promptTokens: Token[]): Slot {
    const free = this.slots.filter((s) => !s.busy);
    if (free.length === 0) throw new EngineError("engine-busy", "every sequence of this model is busy", "Wait for the running classifications to finish.");
    let best = free[0]!;
    let bestShared = -1;
    for (const slot of free) {
      const shared = commonPrefixLength(slot.sequence.contextTokens, promptTokens);
      if (shared > bestShared) [best, bestShared] = [slot, shared];
    }
    best.busy = true;
    return best;
  }

  private describe(token: Token, distribution: ExactDistribution, topK: number): GeneratedToken {
    return {
      id: token,
      text: this.pieceOf(token),
      p: distribution.probabilityOf(token),
      top: distribution.top(topK).map(({ token: id, p }) => ({ id, text: this.pieceOf(id as Token), p })),
    };
  }

  /** The text of one token as the model prints it (special tokens as their text). */
  pieceOf(token: Token): string {
    return this.model.detokenize([token], true);
  }

  /** First token of `word` as the model may start its answer: bare or after a space (`[/INST] safe`). */
  private firstTokensOf(word: string): Token[] {
    const variants = [word, ` ${word}`].map((text) => this.model.tokenize(text, false)[0]).filter((t): t is Token => t !== undefined);
    return [...new Set(variants)];
  }
}

/**
 * Answers "what comes next after the prompt plus these tokens?" on one sequence, reusing the longest common prefix
 * already in its KV cache: the policy prefix across conversations, the generated answer across positions.
 */
class ContinuationQuery {
  private readonly cache = new Map<string, ExactDistribution>();

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly promptTokens: Token[],
    private readonly signal?: AbortSignal,
  ) {}

  async after(continuation: Token[]): Promise<ExactDistribution> {
    const key = continuation.join(",");
    const cached = this.cache.get(key);
    if (cached) return cached;
    if (this.signal?.aborted) throw new EngineError("cancelled", "the classification was cancelled");
    const distribution = ExactDistribution.fromLogits(await evaluateWithLogits(this.sequence, [...this.promptTokens, ...continuation]));
    this.cache.set(key, distribution);
    return distribution;
  }
}

async function evaluateWithLogits(sequence: LlamaContextSequence, tokens: Token[]): Promise<Map<Token, number>> {
  const evaluated = sequence.contextTokens;
  // At least the last token must be evaluated again for its logits to exist.
  const keep = Math.min(commonPrefixLength(evaluated, tokens), tokens.length - 1);
  if (keep < evaluated.length) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  const pending = tokens.slice(keep);
  const last = pending.pop()!;
  const results = await sequence.controlledEvaluate([...pending, [last, { generateNext: { logits: true } }]]);
  const logits = results.at(-1)?.next.logits;
  if (!logits) throw new EngineError("engine-failed", "llama.cpp returned no logits for the last prompt token");
  return logits;
}

function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
