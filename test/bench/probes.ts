/**
 * `npm run bench`: the unit costs the main section divides its arms' work by, measured on the same model in the same
 * run: one prompt token at prompt throughput, one lockstep decode round of B sequences, one position's exact
 * distribution (the whole vocabulary's logits copied into JavaScript and softmaxed in float64), taken as
 * node-llama-cpp's Map and as the addon's pairs (what the engine takes), and node-llama-cpp's filtered logits path
 * with its own float32 normaliser, timed and checked against the float64 reference.
 */
import { getLlama, type ControlledEvaluateInputItem, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { ExactDistribution } from "../../electron/engine/distribution.ts";
import { logitPairsOf, passLogitPairsThrough } from "../../electron/engine/llama/logitPairs.ts";
import { median } from "./stats.ts";

export interface UnitCosts {
  /** one prompt token evaluated in a batch of `promptBatch`, no logits read */
  promptTokenMs: number;
  promptBatch: number;
  /** one decode round: `sequences` sequences each evaluating one token in the same batch, no logits read */
  decodeRoundMs: number;
  /** the same round with every sequence reading its greedy next token: what a decode step of an answer costs */
  decodeRoundWithTokensMs: number;
  sequences: number;
  /**
   * one position, evaluated alone: without logits, with the whole vocabulary's logits as node-llama-cpp's Map, as the
   * addon's pairs, and the JS softmax part of the pairs' distribution
   */
  positionMs: number;
  /** with the greedy next token read (llama.cpp's output layer computed and sampled, nothing copied to JavaScript) */
  positionWithTokenMs: number;
  positionWithLogitsMs: number;
  positionWithPairsMs: number;
  softmaxMs: number;
  /** the filtered path (`filter: {tokens, includeTop: 5}` + `totalLogitWeight`) at one position */
  filteredMs: number;
  /** the filtered path's worst relative error on the probabilities it returns, against the float64 full softmax */
  filteredWorstRelativeError: number;
}

const REPEATS = Number(process.env.BENCH_PROBE_REPEATS ?? 12);

export async function measureUnitCosts(modelPath: string, threads: number, sequences: number, promptTokens: readonly number[], promptBatch: number): Promise<UnitCosts> {
  const llama = await getLlama({ gpu: false, build: "never" });
  const model = await llama.loadModel({ modelPath });
  try {
    const prompt = await promptThroughput(model, threads, promptTokens, promptBatch);
    const decodeRoundMs = await decodeRound(model, threads, sequences, promptTokens, false);
    const decodeRoundWithTokensMs = await decodeRound(model, threads, sequences, promptTokens, true);
    const position = await positionCosts(model, threads, promptTokens);
    return { promptTokenMs: prompt, promptBatch, decodeRoundMs, decodeRoundWithTokensMs, sequences, ...position };
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

/** Every sequence evaluates one token in the same batch (queued on the same turn), with or without its greedy next token read: ms per round. */
async function decodeRound(model: LlamaModel, threads: number, sequences: number, promptTokens: readonly number[], readToken: boolean): Promise<number> {
  return withSequences(model, threads, sequences, async (all) => {
    await Promise.all(all.map((sequence) => sequence.controlledEvaluate(promptTokens.slice(0, 64) as Token[])));
    const input: ControlledEvaluateInputItem[] = readToken ? [[271 as Token, { generateNext: { token: true } }]] : [271 as Token];
    const round = () => Promise.all(all.map((sequence) => sequence.controlledEvaluate(input)));
    await round();
    const started = performance.now();
    for (let i = 0; i < REPEATS; i++) await round();
    return (performance.now() - started) / REPEATS;
  });
}

/**
 * One position's reads, round by round in turn (so a noisy moment hits every read alike), medians of each: the Map
 * on a plain context, the pairs on a second context of the same model with them passed through.
 */
async function positionCosts(model: LlamaModel, threads: number, promptTokens: readonly number[]) {
  return withSequences(model, threads, 1, ([plain]) =>
    withSequences(model, threads, 1, async ([paired]) => {
      if (!passLogitPairsThrough(paired!.context)) throw new Error("the logit pairs could not be passed through on this node-llama-cpp");
      for (const sequence of [plain!, paired!]) await sequence.controlledEvaluate(promptTokens.slice(0, 64) as Token[]);
      const filter = { logits: { filter: { tokens: [39_257, 19_193] as Token[], includeTop: 5 } }, totalLogitWeight: true } as const;
      // The same position each time (the token erased and evaluated again), so every read sees the same logits.
      const reads: Record<string, [LlamaContextSequence, GenerateNext]> = {
        none: [plain!, {}],
        token: [plain!, { token: true }],
        map: [plain!, { logits: true }],
        pairs: [paired!, { logits: true }],
        filtered: [plain!, filter],
      };
      const samples = new Map(Object.keys(reads).map((name) => [name, [] as number[]]));
      for (let round = 0; round <= REPEATS; round++) {
        for (const [name, [sequence, generateNext]] of Object.entries(reads)) {
          const started = performance.now();
          await evaluateAgain(sequence, generateNext);
          // Round 0 warms every read up.
          if (round > 0) samples.get(name)!.push(performance.now() - started);
        }
      }
      const medianOf = (name: string) => median(samples.get(name)!);

      const full = (await evaluateAgain(plain!, { logits: true })).logits!;
      const pairs = logitPairsOf((await evaluateAgain(paired!, { logits: true })).logits!);
      const softmax: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const started = performance.now();
        const distribution = ExactDistribution.fromPairs(pairs);
        distribution.argmax();
        distribution.top(5);
        softmax.push(performance.now() - started);
      }

      const reference = ExactDistribution.fromLogits(full);
      const filtered = await evaluateAgain(plain!, filter);
      const weight = filtered.totalLogitWeight!;
      let maxLogit = -Infinity;
      for (const logit of full.values()) if (logit > maxLogit) maxLogit = logit;
      let worst = 0;
      for (const [token, logit] of filtered.logits!) {
        const p = Math.exp(logit - maxLogit) / weight;
        worst = Math.max(worst, Math.abs(p - reference.probabilityOf(token)) / reference.probabilityOf(token));
      }
      return {
        positionMs: medianOf("none"),
        positionWithTokenMs: medianOf("token"),
        positionWithLogitsMs: medianOf("map"),
        positionWithPairsMs: medianOf("pairs"),
        softmaxMs: median(softmax),
        filteredMs: medianOf("filtered"),
        filteredWorstRelativeError: worst,
      };
    }),
  );
}


type GenerateNext = { token?: true; logits?: true | { filter: { tokens: readonly Token[]; includeTop: number } }; totalLogitWeight?: true };

async function evaluateAgain(sequence: LlamaContextSequence, generateNext: GenerateNext): Promise<{ logits?: Map<Token, number>; totalLogitWeight?: number }> {
  if (sequence.nextTokenIndex > 64) await sequence.eraseContextTokenRanges([{ start: 64, end: sequence.nextTokenIndex }]);
  const [result] = await sequence.controlledEvaluate([[198 as Token, { generateNext }]]);
  return { ...(result?.next.logits ? { logits: result.next.logits } : {}), ...(result?.next.totalLogitWeight !== undefined ? { totalLogitWeight: result.next.totalLogitWeight } : {}) };
}
