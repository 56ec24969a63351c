/**
 * `npm run bench`: the unit costs the main section divides its arms' work by, measured on the same model in the same
 * run: one prompt token at prompt throughput, one lockstep decode round of B sequences, one position's exact
 * distribution (the whole vocabulary's logits copied into JavaScript and softmaxed in float64), taken as
 * node-llama-cpp's Map and as the addon's pairs (what the engine takes), and node-llama-cpp's filtered logits path
 * with its own float32 normaliser, timed and checked against the float64 reference.
 */
import { getLlama, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { ExactDistribution } from "../../electron/engine/distribution.ts";
import { logitPairsOf, passLogitPairsThrough } from "../../electron/engine/llama/logitPairs.ts";

export interface UnitCosts {
  /** one prompt token evaluated in a batch of `promptBatch`, no logits read */
  promptTokenMs: number;
  promptBatch: number;
  /** one decode round: `sequences` sequences each evaluating one token in the same batch, no logits read */
  decodeRoundMs: number;
  sequences: number;
  /**
   * one position, evaluated alone: without logits, with the whole vocabulary's logits as node-llama-cpp's Map, as the
   * addon's pairs, and the JS softmax part of the pairs' distribution
   */
  positionMs: number;
  positionWithLogitsMs: number;
  positionWithPairsMs: number;
  softmaxMs: number;
  /** the filtered path (`filter: {tokens, includeTop: 5}` + `totalLogitWeight`) at one position */
  filteredMs: number;
  /** the filtered path's worst relative error on the probabilities it returns, against the float64 full softmax */
  filteredWorstRelativeError: number;
}

const REPEATS = Number(process.env.BENCH_PROBE_REPEATS ?? 8);

export async function measureUnitCosts(modelPath: string, threads: number, sequences: number, promptTokens: readonly number[], promptBatch: number): Promise<UnitCosts> {
  const llama = await getLlama({ gpu: false, build: "never" });
  const model = await llama.loadModel({ modelPath });
  try {
    const prompt = await promptThroughput(model, threads, promptTokens, promptBatch);
    const decodeRoundMs = await decodeRound(model, threads, sequences, promptTokens);
    const position = await positionCosts(model, threads, promptTokens);
    return { promptTokenMs: prompt, promptBatch, decodeRoundMs, sequences, ...position };
  } finally {
    await model.dispose();
  }
}

async function withSequences<T>(model: LlamaModel, threads: number, sequences: number, use: (all: LlamaContextSequence[]) => Promise<T>): Promise<T> {
  const context = await model.createContext({ contextSize: 2048, sequences, threads });
  try {
    return await use(Array.from({ length: sequences }, () => context.getSequence()));
  } finally {
    await context.dispose();
  }
}

/** A batch of `batch` prompt tokens after a prefix, evaluated again and again (erased in between): ms per token. */
async function promptThroughput(model: LlamaModel, threads: number, promptTokens: readonly number[], batch: number): Promise<number> {
  return withSequences(model, threads, 1, async ([sequence]) => {
    const prefix = promptTokens.slice(0, promptTokens.length - batch) as Token[];
    const suffix = promptTokens.slice(-batch) as Token[];
    await sequence!.controlledEvaluate(prefix);
    const once = async () => {
      await sequence!.controlledEvaluate(suffix);
      await sequence!.eraseContextTokenRanges([{ start: prefix.length, end: sequence!.nextTokenIndex }]);
    };
    await once();
    const started = performance.now();
    for (let i = 0; i < REPEATS; i++) await once();
    return (performance.now() - started) / REPEATS / batch;
  });
}

/** Every sequence evaluates one token in the same batch (queued on the same turn), no logits read: ms per round. */
async function decodeRound(model: LlamaModel, threads: number, sequences: number, promptTokens: readonly number[]): Promise<number> {
  return withSequences(model, threads, sequences, async (all) => {
    await Promise.all(all.map((sequence) => sequence.controlledEvaluate(promptTokens.slice(0, 64) as Token[])));
    const round = () => Promise.all(all.map((sequence) => sequence.controlledEvaluate([271 as Token])));
    await round();
    const started = performance.now();
    for (let i = 0; i < REPEATS; i++) await round();
    return (performance.now() - started) / REPEATS;
  });
}

async function positionCosts(model: LlamaModel, threads: number, promptTokens: readonly number[]) {
  return withSequences(model, threads, 1, async ([sequence]) => {
    await sequence!.controlledEvaluate(promptTokens.slice(0, 64) as Token[]);
    // The same position each time (the token erased and evaluated again), so every read sees the same logits.
    const at = async (generateNext: Parameters<typeof evaluateAgain>[1]) => evaluateAgain(sequence!, generateNext);
    const time = async (generateNext: Parameters<typeof evaluateAgain>[1]) => {
      await at(generateNext);
      const started = performance.now();
      for (let i = 0; i < REPEATS; i++) await at(generateNext);
      return (performance.now() - started) / REPEATS;
    };
    const positionMs = await time({});
    const positionWithLogitsMs = await time({ logits: true });
    const filter = { logits: { filter: { tokens: [39_257, 19_193] as Token[], includeTop: 5 } }, totalLogitWeight: true } as const;
    const filteredMs = await time(filter);
    const full = (await at({ logits: true })).logits!;

    if (!passLogitPairsThrough(sequence!.context)) throw new Error("the logit pairs could not be passed through on this node-llama-cpp");
    const positionWithPairsMs = await time({ logits: true });
    const pairs = logitPairsOf((await at({ logits: true })).logits!);
    const started = performance.now();
    for (let i = 0; i < REPEATS; i++) {
      const distribution = ExactDistribution.fromPairs(pairs);
      distribution.argmax();
      distribution.top(5);
    }
    const softmaxMs = (performance.now() - started) / REPEATS;

    const reference = ExactDistribution.fromLogits(full);
    const filtered = await at(filter);
    const weight = filtered.totalLogitWeight!;
    let maxLogit = -Infinity;
    for (const logit of full.values()) if (logit > maxLogit) maxLogit = logit;
    let worst = 0;
    for (const [token, logit] of filtered.logits!) {
      const p = Math.exp(logit - maxLogit) / weight;
      worst = Math.max(worst, Math.abs(p - reference.probabilityOf(token)) / reference.probabilityOf(token));
    }
    return { positionMs, positionWithLogitsMs, positionWithPairsMs, softmaxMs, filteredMs, filteredWorstRelativeError: worst };
  });
}

type GenerateNext = { logits?: true | { filter: { tokens: readonly Token[]; includeTop: number } }; totalLogitWeight?: true };

async function evaluateAgain(sequence: LlamaContextSequence, generateNext: GenerateNext): Promise<{ logits?: Map<Token, number>; totalLogitWeight?: number }> {
  if (sequence.nextTokenIndex > 64) await sequence.eraseContextTokenRanges([{ start: 64, end: sequence.nextTokenIndex }]);
  const [result] = await sequence.controlledEvaluate([[198 as Token, { generateNext }]]);
  return { ...(result?.next.logits ? { logits: result.next.logits } : {}), ...(result?.next.totalLogitWeight !== undefined ? { totalLogitWeight: result.next.totalLogitWeight } : {}) };
}
