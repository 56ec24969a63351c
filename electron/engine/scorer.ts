/**
 * Scores conversations with a Llama Guard (or chat-judge) model through node-llama-cpp.
 * Runs inside the engine worker process (see worker.ts); node-llama-cpp types never leave this folder.
 */
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";
import { presetPolicy, type Policy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import type { BuiltPrompt } from "../../shared/prompts/index.ts";
import { buildClassificationPrompt } from "./classificationPrompt.ts";
import { parseVerdict } from "../../shared/verdict/index.ts";
import { DEFAULT_CLASSIFY_OPTIONS, type CategoryScore, type ClassificationResult, type ClassifyOptions, type GeneratedToken } from "../../shared/classify/result.ts";
import { EngineError } from "./errors.ts";
import { ExactDistribution } from "./distribution.ts";
import { inspectModelFile } from "../gguf/index.ts";
import { acquireLlama, type GpuMode } from "./hardware.ts";
import { DEFAULT_FIT_CONTEXT } from "../../shared/models/fit.ts";
import { LockstepBatches } from "./lockstep.ts";
import type { CompleteTokensParams, CompletionStep, DescribedTokens, TokenCompletion, TokenLogprob, TokenizeTextsParams, VocabularyFacts } from "./completion.ts";

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
    /** undefined when only the vocabulary is loaded */
    private readonly context: LlamaContext | undefined,
    private readonly slots: Slot[],
    readonly info: LoadedModelInfo,
    private readonly reusePrefix: boolean,
    private readonly evaluator: SequenceEvaluator,
  ) {
    this.decisionTokens = { safe: this.firstTokensOf("safe"), unsafe: this.firstTokensOf("unsafe") };
    // A token that starts both words (a short vocabulary) would count for both: keep it out of either.
    this.decisionTokens.unsafe = this.decisionTokens.unsafe.filter((t) => !this.decisionTokens.safe.includes(t));
    this.decisionTokens.safe = this.decisionTokens.safe.filter((t) => !this.decisionTokens.unsafe.includes(t));
    this.newlineTokens = this.model.tokenize("\n", false);
  }

  static async load(options: ScorerLoadOptions, hooks: LoadHooks = {}): Promise<LlamaScorer> {
    // llama.cpp's own errors for a bad file are terse or fatal (a damaged length aborts the process): our bounds-checked
    // reader sees the file first and says what is wrong.
    const inspected = await inspectModelFile(options.modelPath);
    if (!inspected.ok) {
      const { code, message, hint } = inspected.error;
      const engineCode = code === "file-missing" ? "model-not-found" : code === "unsupported-architecture" ? "model-unsupported" : "model-invalid";
      throw new EngineError(engineCode, message, hint);
    }
    if (options.vocabOnly) return LlamaScorer.loadVocabulary(options);
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
    const slots = Array.from({ length: sequences }, () => ({ sequence: context.getSequence(), busy: false }));
    return new LlamaScorer(model, context, slots, {
      path: options.modelPath,
      family: options.family,
      contextSize: context.contextSize,
      sequences,
      gpu: llama.gpu,
      ...(fallbackReason ? { gpuFallbackReason: fallbackReason } : {}),
    }, options.reusePrefix ?? true, new SequenceEvaluator());
  }

  /** Only the tokenizer: nothing will be evaluated, so neither a GPU nor a context is set up. */
  private static async loadVocabulary(options: ScorerLoadOptions): Promise<LlamaScorer> {
    const { llama } = await acquireLlama(false);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath, vocabOnly: true });
    } catch (error) {
      throw EngineError.fromLoadFailure(options.modelPath, error);
    }
    const info: LoadedModelInfo = { path: options.modelPath, family: options.family, contextSize: 0, sequences: 0, gpu: false, vocabOnly: true };
    return new LlamaScorer(model, undefined, [], info, false, new SequenceEvaluator());
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
  tokenizePrompt(prompt: BuiltPrompt): Token[] {
    const tokens: Token[] = [];
    if (this.model.tokens.shouldPrependBosToken && this.model.tokens.bos != null) tokens.push(this.model.tokens.bos);
    for (const part of prompt.engineParts) {
      if (part.kind === "text") {
        // Special-token parsing off: `<|eot_id|>` typed inside a message stays plain text, never a control token.
        // Appended one by one: spreading a long turn's tokens into push() overflows the call stack (~100k arguments).
        for (const token of this.model.tokenize(part.text, false)) tokens.push(token);
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
    return buildClassificationPrompt(this.info.family, request);
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
      await this.prepareSlot(slot, promptTokens);
      const query = new ContinuationQuery(slot.sequence, promptTokens, this.evaluator, signal);
      const first = await query.after([]);
      const promptDone = performance.now();

      const tokens: GeneratedToken[] = [];
      const generated: Token[] = [];
      let decisionTokenIndex = -1;
      for (let distribution = first; ; ) {
        const next = distribution.argmax() as Token;
        if (this.model.isEogToken(next)) break;
        tokens.push(this.describe(next, distribution, settings.topK));
        generated.push(next);
        if (decisionTokenIndex === -1 && this.pieceOf(next).trim() !== "") decisionTokenIndex = tokens.length - 1;
        // The position after the last allowed token would only say what comes next, which nobody reads.
        if (generated.length >= settings.maxTokens) break;
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
      this.releaseSlot(slot);
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
      // One evaluation gives the forced prefix and every position along the code (`unsafe`, `\n`, `S` in one batch).
      const along = await query.along([...forcedPrefix, ...path.slice(0, -1)], forcedPrefix.length);
      const p = path.reduce((product, token, i) => product * along[i]!.probabilityOf(token), 1);
      scores.push({ code: category.code, name: category.name.trim(), p });
    }
    return scores;
  }

  /** The free slot whose evaluated tokens share the longest prefix with this prompt (same policy and role label). */
  private claimSlot(promptTokens: Token[]): Slot {
    if (this.info.vocabOnly) {
      throw new EngineError("no-model-loaded", `${this.info.path} is loaded for its vocabulary only, which can tokenise but not evaluate`, "Load the model without vocabOnly to score with it.");
    }
    const free = this.slots.filter((s) => !s.busy);
    if (free.length === 0) throw new EngineError("engine-busy", "every sequence of this model is busy", "Wait for the running classifications to finish.");
    let best = free[0]!;
    let bestShared = -1;
    for (const slot of free) {
      const shared = commonPrefixLength(slot.sequence.contextTokens, promptTokens);
      if (shared > bestShared) [best, bestShared] = [slot, shared];
    }
    best.busy = true;
    this.evaluator.batches.begin();
    return best;
  }

  private releaseSlot(slot: Slot): void {
    slot.busy = false;
    this.evaluator.batches.end();
  }

  /**
   * Gives a claimed slot the longest evaluated prefix of this prompt any sequence holds. A sequence that never saw this
   * policy copies another's KV state (a cheap copy inside llama.cpp) instead of evaluating the policy prefix again.
   */
  private async prepareSlot(slot: Slot, promptTokens: Token[]): Promise<void> {
    if (!this.reusePrefix) {
      await slot.sequence.clearHistory();
      return;
    }
    const own = commonPrefixLength(slot.sequence.contextTokens, promptTokens);
    let donor: Slot | undefined;
    let donorShared = own;
    for (const other of this.slots) {
      // Never all of it: the last prompt token is evaluated again for its logits anyway.
      const shared = Math.min(commonPrefixLength(other.sequence.contextTokens, promptTokens), promptTokens.length - 1);
      if (other !== slot && shared > donorShared) [donor, donorShared] = [other, shared];
    }
    if (!donor || donorShared - own < MIN_TOKENS_WORTH_COPYING) return;
    if (!(await this.evaluator.copyPrefix(slot.sequence, donor.sequence, donorShared))) await slot.sequence.clearHistory();
  }

  /**
   * Greedy raw completion of a prompt given as token ids, with exact log-probabilities: what `guardbench worker` serves.
   * The tokens are used as given (no BOS added, no template), so a remote coordinator decides every prompt token.
   */
  async completeTokens({ tokens, maxTokens, topK }: CompleteTokensParams, signal?: AbortSignal): Promise<TokenCompletion> {
    const prompt = this.checkedTokens(tokens);
    if (prompt.length === 0) throw new EngineError("prompt-invalid", "the prompt has no tokens", "Send at least one token (usually BOS first).");
    if (prompt.length + maxTokens > this.info.contextSize) {
      throw new EngineError(
        "prompt-too-long",
        `the prompt is ${prompt.length} tokens and ${maxTokens} more were asked for, but this model's context holds ${this.info.contextSize}`,
        "Send a shorter prompt, ask for fewer tokens, or start the worker with a larger --context.",
      );
    }
    const slot = this.claimSlot(prompt);
    try {
      await this.prepareSlot(slot, prompt);
      const steps: CompletionStep[] = [];
      const generated: Token[] = [];
      // No ContinuationQuery: its cache keeps every position's full distribution, too much for long completions.
      while (generated.length < maxTokens) {
        if (signal?.aborted) throw new EngineError("cancelled", "the completion was cancelled");
        const tokensSoFar = [...prompt, ...generated];
        const [logits] = await this.evaluator.logitsAfter(slot.sequence, tokensSoFar, [tokensSoFar.length]);
        const distribution = ExactDistribution.fromLogits(logits!);
        const next = distribution.argmax() as Token;
        const top = distribution.top(topK).map(({ token }) => this.logprobOf(token as Token, distribution));
        steps.push({ ...this.logprobOf(next, distribution), top });
        if (this.model.isEogToken(next)) return { steps, finishReason: "stop", promptTokens: prompt.length };
        generated.push(next);
      }
      return { steps, finishReason: "length", promptTokens: prompt.length };
    } finally {
      this.releaseSlot(slot);
    }
  }

  /** What a remote coordinator needs to read a server's answer as this engine reads its own. */
  vocabulary(): VocabularyFacts {
    const endOfGenerationTokens: number[] = [];
    for (const token of this.model.iterateAllTokens()) if (this.model.isEogToken(token)) endOfGenerationTokens.push(token);
    return {
      size: this.vocabularySize(),
      decisionTokens: { safe: [...this.decisionTokens.safe], unsafe: [...this.decisionTokens.unsafe] },
      newlineTokens: [...this.newlineTokens],
      endOfGenerationTokens,
    };
  }

  tokenizeTexts({ texts, parseSpecial, addBos }: TokenizeTextsParams): number[][] {
    const bos = addBos && this.model.tokens.shouldPrependBosToken && this.model.tokens.bos != null ? [this.model.tokens.bos] : [];
    return texts.map((text) => [...bos, ...this.model.tokenize(text, parseSpecial)]);
  }

  describeTokens(tokens: number[]): DescribedTokens {
    const checked = this.checkedTokens(tokens);
    return { pieces: checked.map((t) => this.pieceOf(t)), text: this.model.detokenize(checked, true) };
  }

  /** Token ids from outside (an HTTP client): whole numbers inside the vocabulary, or llama.cpp would fail on them. */
  private checkedTokens(tokens: readonly number[]): Token[] {
    const size = this.vocabularySize();
    const bad = tokens.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= size);
    if (bad !== -1) throw new EngineError("prompt-invalid", `token ${bad} of the prompt (${String(tokens[bad])}) is not an id of this model's ${size}-token vocabulary`);
    return tokens as Token[];
  }

  private vocabularySize(): number {
    return this.model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? Number.MAX_SAFE_INTEGER;
  }

  private logprobOf(token: Token, distribution: ExactDistribution): TokenLogprob {
    return { id: token, piece: this.pieceOf(token), logprob: Math.log(distribution.probabilityOf(token)) };
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
    private readonly evaluator: SequenceEvaluator,
    private readonly signal?: AbortSignal,
  ) {}

  async after(continuation: Token[]): Promise<ExactDistribution> {
    return (await this.along(continuation, continuation.length))[0]!;
  }

  /**
   * The distributions after `path.slice(0, n)` for every n from `from` to `path.length`, evaluated in one batch: a
   * forced path costs one decode however many of its positions are read.
   */
  async along(path: Token[], from: number): Promise<ExactDistribution[]> {
    const keyOf = (n: number) => path.slice(0, n).join(",");
    const lengths = Array.from({ length: path.length - from + 1 }, (_, i) => from + i);
    const missing = lengths.filter((n) => !this.cache.has(keyOf(n)));
    if (missing.length > 0) {
      if (this.signal?.aborted) throw new EngineError("cancelled", "the classification was cancelled");
      const tokens = [...this.promptTokens, ...path.slice(0, missing.at(-1))];
      const logits = await this.evaluator.logitsAfter(this.sequence, tokens, missing.map((n) => this.promptTokens.length + n));
      missing.forEach((n, i) => this.cache.set(keyOf(n), ExactDistribution.fromLogits(logits[i]!)));
    }
    return lengths.map((n) => this.cache.get(keyOf(n))!);
  }
}

/** Below this many tokens, evaluating them is about as quick as copying another sequence's state. */
const MIN_TOKENS_WORTH_COPYING = 16;

/** What the scorer has asked of llama.cpp since it was loaded: what benchmarks and tests read to see reuse and sharing. */
export interface EngineWork {
  /** prompt and answer tokens decoded */
  tokensEvaluated: number;
  /** tokens a sequence took from another's KV state instead of decoding them */
  prefixTokensCopied: number;
  /** evaluations asked for, and the lockstep rounds they went in */
  evaluations: number;
  rounds: number;
}

/** Every evaluation of every sequence of one context goes through here. */
class SequenceEvaluator {
  readonly batches = new LockstepBatches();
  private tokensEvaluated = 0;
  private prefixTokensCopied = 0;

  work(): EngineWork {
    return { tokensEvaluated: this.tokensEvaluated, prefixTokensCopied: this.prefixTokensCopied, ...this.batches.stats() };
  }

  /**
   * Evaluates `tokens` on the sequence, keeping the longest prefix its KV cache already holds, and returns the raw
   * logits after each of the first `n` tokens for every n in `after` (ascending).
   */
  async logitsAfter(sequence: LlamaContextSequence, tokens: Token[], after: number[]): Promise<Map<Token, number>[]> {
    const evaluated = sequence.contextTokens;
    // A position's logits exist only when its token is evaluated in this call.
    const keep = Math.min(commonPrefixLength(evaluated, tokens), after[0]! - 1);
    if (keep < evaluated.length) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
    const wanted = new Set(after);
    const input = tokens.slice(keep).map((token, i): Token | [Token, { generateNext: { logits: true } }] =>
      wanted.has(keep + i + 1) ? [token, { generateNext: { logits: true } }] : token,
    );
    await this.batches.turn();
    this.tokensEvaluated += input.length;
    const results = await sequence.controlledEvaluate(input);
    return after.map((n) => {
      const logits = results[n - 1 - keep]?.next.logits;
      if (!logits) throw new EngineError("engine-failed", `llama.cpp returned no logits for prompt position ${n}`);
      return logits;
    });
  }

  /**
   * `target` takes `source`'s KV state for its first `upTo` tokens. node-llama-cpp has this only as an internal method
   * (it uses it for its own prefix sharing); false when it is missing or did not copy, and the caller evaluates instead.
   */
  async copyPrefix(target: LlamaContextSequence, source: LlamaContextSequence, upTo: number): Promise<boolean> {
    type WithCopy = { _copyStateFromOtherSequence?: (other: LlamaContextSequence, upToTokenIndex: number) => Promise<boolean> };
    const copy = (target as unknown as WithCopy)._copyStateFromOtherSequence;
    if (typeof copy !== "function") return false;
    try {
      const copied = (await copy.call(target, source, upTo)) && target.nextTokenIndex === upTo;
      if (copied) this.prefixTokensCopied += upTo;
      return copied;
    } catch {
      return false;
    }
  }
}

/** How many leading tokens `a` and `b` share. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
