/**
 * `npm run bench`: scoring throughput on a random-weight model at the real Llama Guard 3 1B shape (Q8_0), measured
 * side by side in one run so the ratios hold on a noisy machine. Absolute numbers depend on the machine; ratios travel.
 *
 *   1. the same items, the same GGUF, the same policy, arms interleaved round by round:
 *      - naive Guardbench: one by one, every prompt evaluated from scratch, every token's exact distribution
 *      - Guardbench as a batch run scores: the policy prefix's KV state reused, several sequences decoding in lockstep
 *        (the first evaluates the prefix, the others copy it), exact distributions only where a stored number needs
 *        them (the rest are computed when a result is opened)
 *      - llama.cpp's own llama-server (`--parallel 4`, `cache_prompt`, 4 concurrent `/completion` requests, `n_probs`)
 *      with items/s, the ratios best-local / llama-server and best-local / naive, and each arm's cost per item
 *   2. the unit costs, measured on the same model: a prompt token, a lockstep decode round, an exact distribution, and
 *      node-llama-cpp's filtered logits path against the full copy (its float32 normaliser, against the float64 one)
 *   3. this policy's compute floor per item and the fraction of it the best local arm reaches
 *   4. engine overhead on the tiny programmed fixture model (tinyModel.ts), then scaling out over `guardbench worker`s
 *      (workers.ts)
 */
import { readFileSync } from "node:fs";
import { LlamaScorer } from "../../electron/engine/llama/scorer.ts";
import { commonPrefixLength } from "../../electron/engine/llama/kvSlots.ts";
import type { EngineWork } from "../../electron/engine/engine.ts";
import type { ClassifyOptions } from "../../shared/classify/result.ts";
import { ensureRandom1BModel } from "../fixtures/models.ts";
import { cardInfo, presetPolicy, type Policy } from "../../shared/taxonomy/index.ts";
import type { Turn } from "../../shared/conversation/types.ts";
import { LlamaServerArm, type ServerWork } from "./llamaServerArm.ts";
import { measureUnitCosts, type UnitCosts } from "./probes.ts";
import { benchTinyModel, inPool, type TinyModelNumbers } from "./tinyModel.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 200);
/**
 * "preset" (default): the Llama Guard 3 1B categories as its template ships them, names only. "described": the same
 * categories each with the model card's description, as a policy author writing definitions would: a longer prefix.
 */
const POLICY_KIND = process.env.BENCH_POLICY ?? "preset";
/** sequence counts for the local batch arms, e.g. BENCH_PARALLEL=4,8 */
const PARALLEL = (process.env.BENCH_PARALLEL ?? "4,8").split(",").map(Number);
/** llama-server's slots and concurrent requests; BENCH_LLAMA_SERVER=0 leaves the arm out (no build at hand) */
const SERVER_PARALLEL = 4;
const WITH_SERVER = process.env.BENCH_LLAMA_SERVER !== "0";
const ROUND = Math.max(...PARALLEL, SERVER_PARALLEL);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
// Random weights never say end-of-turn; a real Llama Guard answers in about four tokens (`\n\n`, `unsafe`, `\n`, `S1`).
const MAX_TOKENS = 4;
const TOP_K = 5;
const CONTEXT_PER_SEQUENCE = 2048;
/** the forced category path's tokens past the decision: `unsafe`, `\n`, `S` (one batch) */
const FORCED_PATH_TOKENS = 3;
/** the positions along it whose logits the category scores need: after `\n` (the `S`) and after `S` (the digit) */
const FORCED_PATH_OUTPUTS = 2;

/**
 * Real, distinct prompts sharing one policy: the bundled XSTest demo (CC-BY-4.0), prompt classification. Warm-up items
 * come from the end of the file and are not measured: warming up on measured items would leave their whole prompts in
 * the KV cache and make them nearly free for the arms with more sequences.
 */
function conversations(): { measured: Turn[][]; warmUp: Turn[][] } {
  const lines = readFileSync(new URL("../../electron/datasets/demo/xstest/xstest.jsonl", import.meta.url), "utf8").split("\n").filter(Boolean);
  if (lines.length < ITEMS + ROUND) throw new Error(`the demo dataset has ${lines.length} items; BENCH_ITEMS is ${ITEMS} and warming up takes ${ROUND} more`);
  const turns = (line: string) => (JSON.parse(line) as { messages: Turn[] }).messages;
  return { measured: lines.slice(0, ITEMS).map(turns), warmUp: lines.slice(-ROUND).map(turns) };
}

function benchPolicy(): Policy {
  const preset = presetPolicy("llama-guard-3-1b");
  if (POLICY_KIND === "preset") return preset;
  if (POLICY_KIND !== "described") throw new Error(`BENCH_POLICY is "preset" or "described", not "${POLICY_KIND}"`);
  const categories = preset.categories.map((category) => ({ ...category, description: cardInfo("llama-guard-3-1b", category.code)?.cardDescription ?? "" }));
  return { ...preset, name: "Llama Guard 3 1B categories with the model card's descriptions", categories };
}
const policy = benchPolicy();

interface Arm {
  label: string;
  /** items in flight at once */
  parallel: number;
  seconds: number;
  score(turns: Turn[]): Promise<void>;
  /** the arm's cost per item since the warm-up, as one line */
  costLine(items: number): string;
  markWarm(): void;
  dispose(): Promise<void>;
}

function localArm(label: string, scorer: LlamaScorer, parallel: number, options: ClassifyOptions): Arm & { scorer: LlamaScorer; work(): EngineWork } {
  let before = scorer.work();
  const work = () => since(before, scorer.work());
  return {
    label,
    parallel,
    seconds: 0,
    scorer,
    work,
    score: async (turns) => void (await scorer.classify({ turns, policy }, { maxTokens: MAX_TOKENS, topK: TOP_K, ...options })),
    markWarm: () => void (before = scorer.work()),
    costLine: (items) => {
      const w = work();
      const perItem = (n: number) => (n / items).toFixed(1);
      return (
        `prompt ${perItem(w.promptTokensEvaluated)} tokens, answer ${perItem(w.tokensEvaluated - w.promptTokensEvaluated)} tokens (+${perItem(w.prefixTokensCopied)} copied), ` +
        `${perItem(w.distributions)} exact distributions + ${perItem(w.nextTokenReads)} next-token reads; ${(w.evaluations / Math.max(1, w.rounds)).toFixed(2)} evaluations per batch`
      );
    },
    dispose: () => scorer.dispose(),
  };
}

function serverArm(server: LlamaServerArm, promptOf: (turns: Turn[]) => number[]): Arm & { work(): ServerWork } {
  let before = server.work();
  const work = (): ServerWork => {
    const now = server.work();
    return Object.fromEntries(Object.entries(now).map(([key, value]) => [key, value - before[key as keyof ServerWork]])) as unknown as ServerWork;
  };
  return {
    label: `llama-server, --parallel ${SERVER_PARALLEL}`,
    parallel: SERVER_PARALLEL,
    seconds: 0,
    work,
    score: (turns) => server.score(promptOf(turns)),
    markWarm: () => void (before = server.work()),
    costLine: (items) => {
      const w = work();
      const perItem = (n: number) => (n / items).toFixed(1);
      return (
        `prompt ${perItem(w.promptTokens)} tokens, answer ${perItem(w.generatedTokens)} tokens; top-${TOP_K} of its full softmax per generated token, ` +
        `in native code (its own timings per item: prompt ${perItem(w.promptMs)} ms, generation ${perItem(w.predictedMs)} ms, slots overlapping)`
      );
    },
    dispose: () => server.stop(),
  };
}

function since(before: EngineWork, after: EngineWork): EngineWork {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - before[key as keyof EngineWork]])) as unknown as EngineWork;
}

/**
 * Alternates the arms a round at a time (one round = as many items as the widest arm has in flight), so load from
 * anything else on the machine falls on every arm alike.
 */
async function scoreInterleaved(arms: Arm[], items: Turn[][]): Promise<void> {
  for (let start = 0; start < items.length; start += ROUND) {
    const round = items.slice(start, start + ROUND);
    for (const arm of arms) {
      const started = performance.now();
      await inPool(round, arm.parallel, (turns) => arm.score(turns));
      arm.seconds += (performance.now() - started) / 1000;
    }
  }
}

/** Tokens every prompt shares (the policy prefix) and the average prompt length, from the scorer's own tokenisation. */
function promptSplit(prompts: number[][]): { shared: number; average: number } {
  const shared = Math.min(...prompts.map((tokens) => commonPrefixLength(tokens, prompts[0]!)));
  return { shared, average: prompts.reduce((sum, tokens) => sum + tokens.length, 0) / prompts.length };
}

// BENCH_ONLY=labeling: only the review-queue section at the end (no model needed).
if (process.env.BENCH_ONLY === "labeling") {
  await (await import("./labeling.ts")).benchLabeling();
  process.exit(0);
}

const modelPath = await ensureRandom1BModel();
const { measured: items, warmUp } = conversations();
console.log(
  `Guardbench bench: ${items.length} conversations, one policy (${policy.name}), XSTest prompts, random Q8_0 model at the Llama Guard 3 1B shape, ` +
    `${THREADS} threads, ${MAX_TOKENS} answer tokens, top-${TOP_K}\n`,
);

const load = (reusePrefix: boolean, sequences: number) =>
  LlamaScorer.load({ modelPath, family: "llama-guard-3-1b", gpu: false, threads: THREADS, contextSize: CONTEXT_PER_SEQUENCE, sequences, reusePrefix });
const naive = localArm("naive Guardbench, one by one", await load(false, 1), 1, {});
const batchArms = [];
for (const n of PARALLEL) batchArms.push(localArm(`Guardbench batch, ${n} sequences`, await load(true, n), n, { deferTokenDetails: true }));
const tokenizer = naive.scorer;
const promptTokens = new Map(items.concat(warmUp).map((turns) => [turns, tokenizer.tokenizePrompt(tokenizer.buildPrompts({ turns, policy }).prompts[0]!.prompt) as number[]]));
const server = WITH_SERVER
  ? serverArm(await LlamaServerArm.start(modelPath, { parallel: SERVER_PARALLEL, threads: THREADS, contextPerSlot: CONTEXT_PER_SEQUENCE, maxTokens: MAX_TOKENS, topK: TOP_K }), (turns) => promptTokens.get(turns)!)
  : undefined;
const arms: Arm[] = [naive, ...batchArms, ...(server ? [server] : [])];
// Warm-up: pages the weights in, and gives every reusing sequence (and server slot) the policy prefix.
for (const arm of arms) {
  await inPool(warmUp.slice(0, arm.parallel), arm.parallel, (turns) => arm.score(turns));
  arm.markWarm();
}
await scoreInterleaved(arms, items);

const perSecond = (arm: Arm) => items.length / arm.seconds;
for (const arm of arms) console.log(`${arm.label.padEnd(36)} ${perSecond(arm).toFixed(3).padStart(7)} items/s  (${arm.seconds.toFixed(1)} s)`);
const best = batchArms.reduce((a, b) => (perSecond(b) > perSecond(a) ? b : a));
console.log(`\n(a) best local arm: ${best.label}`);
if (server) console.log(`a / b (llama-server)   ${(perSecond(best) / perSecond(server)).toFixed(2)}×   target ≥ 1.00: ${perSecond(best) >= perSecond(server) ? "met" : "NOT met"}`);
console.log(`a / c (naive)          ${(perSecond(best) / perSecond(naive)).toFixed(2)}×`);
console.log("\ncost per item:");
for (const arm of arms) console.log(`  ${arm.label.padEnd(34)} ${arm.costLine(items.length)}`);

const split = promptSplit([...items.map((turns) => promptTokens.get(turns)!)]);
const suffix = split.average - split.shared;
for (const arm of arms) await arm.dispose();

const units: UnitCosts = await measureUnitCosts(modelPath, THREADS, best.parallel, promptTokens.get(items[0]!)!, 64);
// What an exact distribution adds to a position whose greedy token is read anyway: the logits copied into JavaScript
// and the float64 softmax (the output layer and llama.cpp's sampling are in both).
const copyMs = units.positionWithPairsMs - units.positionWithTokenMs;
const mapCopyMs = units.positionWithLogitsMs - units.positionWithTokenMs;
const outputLayerMs = units.positionWithTokenMs - units.positionMs;
console.log(
  `\nunit costs (same model, same run): a prompt token ${units.promptTokenMs.toFixed(2)} ms (in a batch of ${units.promptBatch}); ` +
    `a decode round of ${units.sequences} sequences ${units.decodeRoundWithTokensMs.toFixed(1)} ms with each greedy token read ` +
    `(${(units.decodeRoundWithTokensMs / units.sequences).toFixed(1)} ms per sequence; ${units.decodeRoundMs.toFixed(1)} ms without the output layer); ` +
    `one position alone ${units.positionMs.toFixed(1)} ms without logits, ${units.positionWithTokenMs.toFixed(1)} ms with its greedy token read ` +
    `(the output layer ≈ ${outputLayerMs.toFixed(1)} ms), ${units.positionWithPairsMs.toFixed(1)} ms with the whole vocabulary's logits as the addon's pairs ` +
    `(an exact distribution ≈ ${copyMs.toFixed(1)} ms over the greedy read, of which float64 softmax, greedy token and top-${TOP_K} in JavaScript ` +
    `${units.softmaxMs.toFixed(1)} ms) and ${units.positionWithLogitsMs.toFixed(1)} ms as node-llama-cpp's Map (≈ ${mapCopyMs.toFixed(1)} ms, before the softmax)`,
);
const filteredExact = units.filteredWorstRelativeError <= 1e-6;
console.log(
  `filtered logits path (filter: tokens + includeTop ${TOP_K}, totalLogitWeight): ${units.filteredMs.toFixed(1)} ms per position; its float32 normaliser is ` +
    `${units.filteredWorstRelativeError.toExponential(2)} (relative) off the float64 softmax → ${filteredExact ? "within" : "NOT within"} 1e-6: ` +
    `${filteredExact ? "it could replace" : "the engine keeps"} the full copy`,
);
const bestWork = best.work();
const distributionsPerItem = bestWork.distributions / items.length;
console.log(
  `exact probabilities per item: naive ${(naive.work().distributions / items.length).toFixed(1)} distributions ≈ ${((naive.work().distributions / items.length) * copyMs).toFixed(0)} ms; ` +
    `${best.label} ${distributionsPerItem.toFixed(1)} ≈ ${(distributionsPerItem * copyMs).toFixed(0)} ms (target ≤ 100 ms: ${distributionsPerItem * copyMs <= 100 ? "met" : "NOT met"})`,
);

// The floor: the per-item suffix and the forced category path at prompt throughput, the answer's decode rounds shared
// by the sequences of a batch (each reading its greedy token, which needs the output layer), and the output layer at
// the prompt's last position (the first answer token) and at the forced path's two scored positions. Nothing else must
// be computed to give the answer, P(unsafe) and the categories.
const outputs = 1 + FORCED_PATH_OUTPUTS;
const floorMs =
  (suffix + FORCED_PATH_TOKENS) * units.promptTokenMs + ((MAX_TOKENS - 1) * units.decodeRoundWithTokensMs) / units.sequences + outputs * outputLayerMs;
const bestMs = 1000 / perSecond(best);
console.log(
  `\nprompts: ${split.average.toFixed(1)} tokens on average, ${split.shared} of them the shared policy prefix, ${suffix.toFixed(1)} per item: prefix reuse can at most ` +
    `divide prompt work by ${(split.average / suffix).toFixed(2)}.\ncompute floor per item: (${suffix.toFixed(1)} suffix + ${FORCED_PATH_TOKENS} forced-path tokens) × ` +
    `${units.promptTokenMs.toFixed(2)} ms + ${MAX_TOKENS - 1} decode rounds × ${units.decodeRoundWithTokensMs.toFixed(1)} ms / ${units.sequences} sequences + ` +
    `${outputs} output-layer reads × ${outputLayerMs.toFixed(1)} ms = ${floorMs.toFixed(0)} ms ` +
    `(${(1000 / floorMs).toFixed(2)} items/s); ${best.label} takes ${bestMs.toFixed(0)} ms: ${((100 * floorMs) / bestMs).toFixed(0)}% of the floor ` +
    `(target ≥ 80%: ${floorMs / bestMs >= 0.8 ? "met" : "NOT met"})`,
);

const tiny: TinyModelNumbers = await benchTinyModel();
console.log(
  `engine overhead per item on the tiny model: ${tiny.deferredMsPerItem.toFixed(1)} ms with batch-run options (target ≤ 50 ms: ${tiny.deferredMsPerItem <= 50 ? "met" : "NOT met"}), ` +
    `${tiny.everyDetailMsPerItem.toFixed(1)} ms with every token's details; guardbench run ${tiny.cliItemsPerSecond.toFixed(1)} items/s (target ≥ 20: ${tiny.cliItemsPerSecond >= 20 ? "met" : "NOT met"})`,
);

if (process.env.BENCH_WORKERS !== "0") {
  const { benchWorkers } = await import("./workers.ts");
  await benchWorkers();
}

const { benchModeration } = await import("./moderation.ts");
await benchModeration();

await (await import("./labeling.ts")).benchLabeling();
