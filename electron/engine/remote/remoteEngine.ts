/**
 * Scores conversations through a remote inference server (vLLM, llama-server, `guardbench worker`) behind the same
 * interface as the local engine, reading the answer as LlamaScorer reads its own:
 *
 * - the prompt is the local engine's, sent as a raw completion (never chat) — as token ids when a local copy of the
 *   model gives the vocabulary, else as text (promptEncoding.ts explains why ids, and how text mode is guarded);
 * - greedy decoding (temperature 0) with the top log-probabilities of every generated position;
 * - the decision is the first generated token that is not whitespace (LG3 emits `\n\n` first); P(unsafe) and P(safe)
 *   sum the returned probabilities of the first tokens of "unsafe"/" unsafe" and "safe"/" safe" there. A token the
 *   server's top-k left out counts with its upper bound, and the value is marked partial;
 * - per-category scores follow the local engine's forced `unsafe\n` prefix, from the positions the answer already
 *   covered plus one-token requests for the rest; token-ids mode only (text mode cannot name the code tokens).
 *
 * No retries: a failure is a typed RemoteEngineError and the endpoint pool decides where the item goes next.
 */
import { DEFAULT_CLASSIFY_OPTIONS, type CategoryScore, type ClassificationResult, type ClassifyOptions, type GeneratedToken, type PartialValues } from "../../../shared/classify/result.ts";
import { DEFAULT_TOP_LOGPROBS, ENDPOINT_KINDS, summarizeEndpoint, type RemoteEndpoint } from "../../../shared/remote/endpoint.ts";
import { presetPolicy, type Policy, type PromptFamily } from "../../../shared/taxonomy/index.ts";
import { parseVerdict } from "../../../shared/verdict/index.ts";
import { familyOf } from "../../../shared/families/registry.ts";
import type { ClassifierEngine, EngineInfo } from "../engine.ts";
import type { ClassifyRequest } from "../../../shared/ipc/contract.ts";
import { RemoteEngineError } from "./errors.ts";
import { LlamaServerClient } from "./llamaServer.ts";
import { OpenAiCompletionsClient } from "./openaiCompletions.ts";
import { assertSameModel } from "./servedModel.ts";
import { encodeTextPrompt, type EncodedPrompt, type PromptVocabulary } from "./promptEncoding.ts";
import { TopKDistribution, type CompletionClient, type CompletionSettings, type ServerCompletion, type ServerPosition, type ServerToken } from "./serverCompletion.ts";

export interface RemoteEngineOptions {
  endpoint: RemoteEndpoint;
  /** token-ids mode: the model's vocabulary from a local copy of the model file (one can serve many endpoints) */
  vocabulary?: PromptVocabulary;
  /** text mode: the prompt family (token-ids mode takes the vocabulary's) */
  family?: PromptFamily;
  /** derive per-category scores (default true); they may cost up to two short extra requests per conversation */
  categoryScores?: boolean;
  /** replaces the HTTP client (tests) */
  client?: CompletionClient;
}

/** What is wrong with an endpoint's settings, or undefined. */
export function endpointProblem(endpoint: RemoteEndpoint): string | undefined {
  const label = endpoint.name ? `endpoint "${endpoint.name}"` : "an endpoint";
  if (!endpoint.name?.trim()) return "every endpoint needs a name (it labels results and reports)";
  if (!ENDPOINT_KINDS.includes(endpoint.kind)) return `${label}: kind must be one of ${ENDPOINT_KINDS.join(", ")}, not "${String(endpoint.kind)}"`;
  let url: URL;
  try {
    url = new URL(endpoint.baseUrl);
  } catch {
    return `${label}: "${endpoint.baseUrl}" is not a URL; write it like http://gpu-box:8000`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `${label}: the base URL must start with http:// or https://`;
  if (url.username || url.password) return `${label}: put the API key in apiKey, not in the base URL (URLs end up in logs)`;
  if (url.search || url.hash) return `${label}: the base URL takes no query or fragment`;
  if (endpoint.kind === "openai-completions" && !endpoint.model?.trim()) return `${label}: name the served model (vLLM's --served-model-name)`;
  const top = endpoint.topLogprobs;
  if (top !== undefined && (!Number.isInteger(top) || top < 1 || top > 1000)) return `${label}: topLogprobs must be a whole number from 1 to 1000`;
  return undefined;
}

/**
 * Asks every endpoint what it serves, all at once, and rejects with the first `model-mismatch`: a server running
 * another model is refused before anything is scored. One that does not answer yet is left to the pool, which checks
 * again whenever it probes it.
 */
export async function refuseOtherModels(engines: readonly RemoteEngine[]): Promise<void> {
  const checks = await Promise.allSettled(engines.map((engine) => engine.verifyModel()));
  for (const check of checks) {
    if (check.status === "rejected" && check.reason instanceof RemoteEngineError && check.reason.code === "model-mismatch") throw check.reason;
  }
}

/** How long asking a server what it runs may take. */
const MODEL_CHECK_TIMEOUT_MS = 10_000;

/** `promise`, or a `cancelled` error as soon as `signal` aborts (the work behind `promise` goes on for others). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  const cancelled = () => new RemoteEngineError("cancelled", message);
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Token texts that end a generation, for text mode where ids are unknown. */
const END_OF_GENERATION_TEXTS = new Set(["<|eot_id|>", "<|end_of_text|>", "<|eom_id|>", "</s>", "<|endoftext|>", "<|im_end|>", "<end_of_turn>"]);

/** The generated answer, read: tokens up to the end of generation, and what the server said of each position. */
interface Answer {
  /** chosen tokens, up to and excluding the end of generation */
  tokens: ServerToken[];
  pieces: string[];
  /** the probability of each chosen token */
  probabilities: number[];
  /** per position, the end-of-generation position included when the server reported it */
  distributions: TopKDistribution[];
  outputText: string;
  /** every chosen token's id, when the server named them all (needed to walk category codes) */
  ids: number[] | undefined;
  pieceOf(token: ServerToken): string;
}

export class RemoteEngine implements ClassifierEngine {
  readonly family: PromptFamily;
  private readonly client: CompletionClient;
  private readonly lifetime = new AbortController();

  constructor(private readonly options: RemoteEngineOptions) {
    const problem = endpointProblem(options.endpoint);
    if (problem) throw new Error(problem);
    const family = options.vocabulary?.family ?? options.family;
    if (!family) throw new Error(`endpoint "${options.endpoint.name}": text mode needs the prompt family (token-ids mode takes it from the vocabulary)`);
    if (options.vocabulary && options.family && options.family !== options.vocabulary.family) {
      throw new Error(`endpoint "${options.endpoint.name}": family ${options.family} differs from the vocabulary's ${options.vocabulary.family}`);
    }
    // The decision is read as the first answer token's safe/unsafe (classify below); other families score locally.
    if (!familyOf(family).firstTokenDecision) throw new Error(`endpoint "${options.endpoint.name}": ${familyOf(family).displayName} is scored by the local engine only`);
    this.family = family;
    this.client = options.client ?? (options.endpoint.kind === "llama-server" ? new LlamaServerClient(options.endpoint) : new OpenAiCompletionsClient(options.endpoint));
  }

  get name(): string {
    return this.options.endpoint.name;
  }

  info(): EngineInfo {
    return { kind: "remote", endpoint: summarizeEndpoint(this.options.endpoint), family: this.family, promptEncoding: this.promptEncoding };
  }

  /**
   * Resolves when the server answers its model list (OpenAI-compatible) or health route (llama-server) and, with a
   * local vocabulary, still runs the same model: a server restarted with another model does not come back.
   */
  async probe(signal?: AbortSignal): Promise<void> {
    await this.client.probe(this.withLifetime(signal));
    this.modelCheck = undefined;
    await this.verifyModel(signal);
  }

  private modelCheck: Promise<void> | undefined;

  /**
   * Rejects with `model-mismatch` when the server runs another model than the local file whose vocabulary builds the
   * prompts (servedModel.ts says what is compared). Asked once however many items start at once, and again on every
   * probe; a check that failed (mismatch, or no answer) is asked again next time. It runs under the engine's lifetime
   * and its own time limit, not under the first caller's signal: one item cancelled must not fail the others waiting.
   */
  verifyModel(signal?: AbortSignal): Promise<void> {
    const local = this.options.vocabulary?.identity;
    const servedModel = this.client.servedModel?.bind(this.client);
    if (!local || !servedModel) return Promise.resolve();
    if (!this.modelCheck) {
      const checkSignal = AbortSignal.any([this.lifetime.signal, AbortSignal.timeout(MODEL_CHECK_TIMEOUT_MS)]);
      const check = servedModel(checkSignal).then((served) => assertSameModel(this.name, local, served));
      check.catch(() => {
        if (this.modelCheck === check) this.modelCheck = undefined;
      });
      this.modelCheck = check;
    }
    return signal ? untilAborted(this.modelCheck, signal, `the model check of ${this.name} was cancelled`) : this.modelCheck;
  }

  /** Cancels requests in flight; the vocabulary belongs to whoever opened it. */
  dispose(): void {
    this.lifetime.abort();
  }

  async classify(request: ClassifyRequest, options: ClassifyOptions = {}, signal?: AbortSignal): Promise<ClassificationResult> {
    const settings = { ...DEFAULT_CLASSIFY_OPTIONS, ...options };
    const started = performance.now();
    const requestSignal = this.withLifetime(signal);
    const policy = request.policy ?? presetPolicy(this.family);
    await this.verifyModel(requestSignal);
    const encoded = await this.encode({ ...request, policy });
    const completionSettings: CompletionSettings = {
      maxTokens: settings.maxTokens,
      topLogprobs: Math.max(settings.topK, this.options.endpoint.topLogprobs ?? DEFAULT_TOP_LOGPROBS),
    };
    const completion = await this.client.complete(encoded.prompt, completionSettings, requestSignal);
    const answered = performance.now();

    const answer = await this.readAnswer(completion);
    const continuations = new Continuations(this.client, encoded.prompt, completionSettings, requestSignal, this.name);
    if (this.options.vocabulary && answer.ids) answer.distributions.forEach((distribution, i) => continuations.remember(answer.ids!.slice(0, i), distribution));

    // The decision is the first non-whitespace position, as in LlamaScorer.classify.
    const decisionTokenIndex = answer.pieces.findIndex((piece) => piece.trim() !== "");
    const decisionAt = decisionTokenIndex === -1 ? answer.tokens.length : decisionTokenIndex;
    const decision = answer.distributions[decisionAt] ?? (await continuations.afterAnswer(answer, decisionAt));
    const decisionTokens = await this.decisionTokens();
    const unsafe = decision.probabilityOfAny(decisionTokens.unsafe);
    const safe = decision.probabilityOfAny(decisionTokens.safe);

    const categories = await this.scoreCategories(answer, decisionAt, decision, continuations, policy);
    const categoriesDone = performance.now();

    const verdict = parseVerdict(answer.outputText, policy);
    const partial: PartialValues = {
      ...(unsafe.exact ? {} : { pUnsafe: "upper-bound" }),
      ...(safe.exact ? {} : { pSafe: "upper-bound" }),
      ...(unsafe.exact && safe.exact ? {} : { pUnsafeNormalized: "approximate" }),
    };
    const tokens: GeneratedToken[] = answer.tokens.map((token, i) => ({
      id: token.id ?? -1,
      text: answer.pieces[i]!,
      p: answer.probabilities[i]!,
      top: answer.distributions[i]!.alternatives.slice(0, settings.topK).map((alternative) => ({ id: alternative.id ?? -1, text: answer.pieceOf(alternative), p: alternative.p })),
    }));
    return {
      verdict: verdict.kind,
      categories: verdict.kind === "unsafe" ? verdict.categories : [],
      ...(verdict.kind === "unparseable" ? { unparseableReason: verdict.reason } : {}),
      pUnsafe: unsafe.p,
      pSafe: safe.p,
      pUnsafeNormalized: unsafe.p + safe.p > 0 ? unsafe.p / (unsafe.p + safe.p) : 0,
      score: unsafe.p,
      threshold: settings.threshold,
      flagged: unsafe.p >= settings.threshold,
      categoryScores: categories.scores,
      categoryScoresMethod: "forced-prefix",
      ...(categories.unavailable ? { categoryScoresUnavailable: categories.unavailable } : {}),
      probabilitySource: "server-top-k",
      ...(Object.keys(partial).length > 0 ? { partial } : {}),
      remote: { endpoint: this.name, model: this.options.endpoint.model, promptEncoding: this.promptEncoding },
      tokens,
      decisionTokenIndex,
      outputText: answer.outputText,
      target: encoded.target,
      prompt: { text: encoded.text, tokenCount: encoded.tokenCount ?? completion.promptTokens ?? 0 },
      model: { path: this.options.vocabulary?.modelPath ?? this.options.endpoint.model, family: this.family },
      // The server evaluates prompt and answer in one request: its whole time counts as generation.
      timingsMs: { prompt: 0, generation: answered - started, categories: categoriesDone - answered, total: categoriesDone - started },
    };
  }

  private get promptEncoding(): "token-ids" | "text" {
    return this.options.vocabulary ? "token-ids" : "text";
  }

  private withLifetime(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal;
  }

  private async encode(request: ClassifyRequest): Promise<EncodedPrompt> {
    return this.options.vocabulary ? this.options.vocabulary.encode(request) : encodeTextPrompt(this.family, request);
  }

  private decisionTokensCache: Promise<{ safe: ServerToken[]; unsafe: ServerToken[] }> | undefined;

  /** By id and text with a vocabulary (a server may name tokens either way), by text alone in text mode. */
  private decisionTokens(): Promise<{ safe: ServerToken[]; unsafe: ServerToken[] }> {
    const vocabulary = this.options.vocabulary;
    this.decisionTokensCache ??= (async () => {
      if (!vocabulary) return { safe: [{ text: "safe" }, { text: " safe" }], unsafe: [{ text: "unsafe" }, { text: " unsafe" }] };
      const { safe, unsafe } = vocabulary.facts.decisionTokens;
      const { pieces } = await vocabulary.describe([...safe, ...unsafe]);
      const named = (ids: number[], offset: number) => ids.map((id, i) => ({ id, text: pieces[offset + i]! }));
      return { safe: named(safe, 0), unsafe: named(unsafe, safe.length) };
    })();
    // A failed lookup (the vocabulary process crashed) must not stick.
    this.decisionTokensCache.catch(() => (this.decisionTokensCache = undefined));
    return this.decisionTokensCache;
  }

  private async readAnswer(completion: ServerCompletion): Promise<Answer> {
    const vocabulary = this.options.vocabulary;
    const isLast = (i: number) => i === completion.positions.length - 1;
    const ends = (position: ServerPosition, i: number): boolean => {
      const { id, text } = position.chosen;
      if (vocabulary && id !== undefined) return vocabulary.isEndOfGeneration(id);
      // Without ids: a special token's text, or the empty text a server decodes it to with special tokens skipped.
      return (text !== undefined && END_OF_GENERATION_TEXTS.has(text)) || (text === "" && isLast(i) && completion.finishReason === "stop");
    };
    const end = completion.positions.findIndex(ends);
    const generated = end === -1 ? completion.positions : completion.positions.slice(0, end);
    const tokens = generated.map((position) => position.chosen);
    const distributions = completion.positions.map((position) => new TopKDistribution(position));
    const probabilities = generated.map((position) => Math.exp(position.chosen.logprob));
    const ids = tokens.every((token) => token.id !== undefined) ? tokens.map((token) => token.id!) : undefined;

    if (vocabulary && ids) {
      // Pieces and text from the local vocabulary, as the local engine prints them (servers may skip special tokens).
      const alternativeIds = [...new Set(distributions.flatMap((d) => d.alternatives.map((a) => a.id)).filter((id): id is number => id !== undefined))];
      const [described, alternatives] = await Promise.all([vocabulary.describe(ids), vocabulary.describe(alternativeIds)]);
      const pieceById = new Map(alternativeIds.map((id, i) => [id, alternatives.pieces[i]!]));
      return { tokens, pieces: described.pieces, probabilities, distributions, outputText: described.text, ids, pieceOf: (token) => (token.id !== undefined ? pieceById.get(token.id) : undefined) ?? token.text ?? "" };
    }
    const pieces = tokens.map((token) => token.text ?? "");
    const stopText = end === -1 ? undefined : completion.positions[end]!.chosen.text;
    const outputText = stopText && completion.text.endsWith(stopText) ? completion.text.slice(0, -stopText.length) : completion.text;
    return { tokens, pieces, probabilities, distributions, outputText, ids, pieceOf: (token) => token.text ?? "" };
  }

  /**
   * P(code | forced `unsafe\n`) = the product of the code's token probabilities, as LlamaScorer.scoreCategories walks
   * them; a token missing from a top-k list contributes its upper bound and marks the score.
   */
  private async scoreCategories(
    answer: Answer,
    decisionAt: number,
    decision: TopKDistribution,
    continuations: Continuations,
    policy: Policy,
  ): Promise<{ scores: CategoryScore[]; unavailable?: string }> {
    const vocabulary = this.options.vocabulary;
    if (this.options.categoryScores === false) return { scores: [], unavailable: "per-category scores are turned off for this endpoint" };
    if (!vocabulary) return { scores: [], unavailable: "text mode: without the model's vocabulary the category codes' tokens are unknown" };
    if (!answer.ids) return { scores: [], unavailable: `${this.name} did not name the generated tokens by id` };
    const { unsafe } = await this.decisionTokens();
    const likeliestUnsafe = unsafe.reduce((a, b) => (decision.probabilityOf(b).p > decision.probabilityOf(a).p ? b : a));
    const forcedPrefix = [...answer.ids.slice(0, decisionAt), likeliestUnsafe.id!, ...vocabulary.facts.newlineTokens];
    const enabled = policy.categories.filter((category) => category.enabled);
    const paths = await vocabulary.tokenizeCodes(enabled.map((category) => category.code));
    const scores: CategoryScore[] = [];
    for (const [index, category] of enabled.entries()) {
      const path = paths[index]!;
      let p = 1;
      let exact = true;
      for (let i = 0; i < path.length && p > 0; i++) {
        const next = (await continuations.after([...forcedPrefix, ...path.slice(0, i)], "")).probabilityOf({ id: path[i]! });
        p *= next.p;
        exact &&= next.exact;
      }
      scores.push({ code: category.code, name: category.name.trim(), p, ...(exact ? {} : { bound: "upper-bound" as const }) });
    }
    return { scores };
  }
}

/**
 * "What comes next after the prompt plus these tokens?", answered from positions the server already returned or with a
 * one-token request (which a prefix-caching server answers from its KV cache).
 */
class Continuations {
  private readonly known = new Map<string, TopKDistribution>();

  constructor(
    private readonly client: CompletionClient,
    private readonly prompt: number[] | string,
    private readonly settings: CompletionSettings,
    private readonly signal: AbortSignal,
    private readonly endpointName: string,
  ) {}

  remember(ids: number[], distribution: TopKDistribution): void {
    this.known.set(ids.join(","), distribution);
  }

  /** After the answer's first `length` tokens: the only way to a position the server did not report (all whitespace). */
  afterAnswer(answer: Answer, length: number): Promise<TopKDistribution> {
    if (typeof this.prompt !== "string" && !answer.ids) {
      throw new RemoteEngineError("bad-response", `${this.endpointName} answered only whitespace without naming its tokens by id, so the decision position cannot be asked for`);
    }
    return this.after(answer.ids?.slice(0, length) ?? [], answer.pieces.slice(0, length).join(""));
  }

  /** `ids` extend a token-id prompt, `text` a text prompt. */
  async after(ids: number[], text: string): Promise<TopKDistribution> {
    const textPrompt = typeof this.prompt === "string";
    const key = textPrompt ? `text:${text}` : ids.join(",");
    const known = this.known.get(key);
    if (known) return known;
    const prompt = typeof this.prompt === "string" ? this.prompt + text : [...this.prompt, ...ids];
    const completion = await this.client.complete(prompt, { ...this.settings, maxTokens: 1 }, this.signal);
    const first = completion.positions[0];
    if (!first) throw new RemoteEngineError("bad-response", `${this.endpointName} returned no log-probabilities for the next token`, "The server must report log-probabilities for every generated token.");
    const distribution = new TopKDistribution(first);
    this.known.set(key, distribution);
    return distribution;
  }
}
