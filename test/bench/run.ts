/**
 * `npm run bench`: scoring throughput on a random-weight model at the real Llama Guard 3 1B shape (Q8_0), measured
 * side by side in one run so the ratios hold on a noisy machine. Absolute numbers depend on the machine; ratios travel.
 *
 *   1. naive one-by-one (every prompt evaluated from scratch) vs prefix reuse (the policy prefix's KV state kept between
 *      items) vs prefix reuse with several sequences decoding in lockstep (their suffixes and answer tokens share
 *      batches; the first sequence evaluates the policy prefix, the others copy its KV state)
 *   2. where the time goes: the prompt's shared prefix and per-item suffix, and the ceiling that split sets on reuse
 *   3. the cost of exact probabilities: one position with raw logits (float64 softmax) vs one position without
 */
import { readFileSync } from "node:fs";
import { getLlama, type Token } from "node-llama-cpp";
import { LlamaScorer } from "../../electron/engine/llama/scorer.ts";
import { commonPrefixLength } from "../../electron/engine/llama/kvSlots.ts";
import type { EngineWork } from "../../electron/engine/engine.ts";
import { ExactDistribution } from "../../electron/engine/distribution.ts";
import { ensureRandom1BModel } from "../fixtures/models.ts";
import { cardInfo, presetPolicy, type Policy } from "../../shared/taxonomy/index.ts";
import type { Turn } from "../../shared/conversation/types.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 200);
/**
 * "preset" (default): the Llama Guard 3 1B categories as its template ships them, names only. "described": the same
 * categories each with the model card's description, as a policy author writing definitions would: a longer prefix.
 */
const POLICY_KIND = process.env.BENCH_POLICY ?? "preset";
/** sequence counts for the parallel arms, e.g. BENCH_PARALLEL=4,8 */
const PARALLEL = (process.env.BENCH_PARALLEL ?? "4,8").split(",").map(Number);
const ROUND = Math.max(...PARALLEL);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
// Random weights never say end-of-turn; a real Llama Guard answers in about four tokens (`\n\n`, `unsafe`, `\n`, `S1`).
const MAX_TOKENS = 4;

/** Real, distinct prompts sharing one policy: the bundled XSTest demo (CC-BY-4.0), prompt classification. */
/**
 * The measured items, and warm-up items from the end of the file that are not among them: warming up on measured items
 * would leave their whole prompts in the KV cache and make them nearly free for the arms with more sequences.
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
  scorer: LlamaScorer;
  /** items classified at once; the scorer has as many sequences */
  parallel: number;
  seconds: number;
  /** the scorer's work counters once the warm-up is done */
  workBefore?: EngineWork;
}

/**
 * Alternates the arms a round at a time (one round = as many items as the widest arm has sequences), so load from
 * anything else on the machine falls on every arm alike.
 */
async function scoreInterleaved(arms: Arm[], items: Turn[][]): Promise<void> {
  for (let start = 0; start < items.length; start += ROUND) {
    const round = items.slice(start, start + ROUND);
    for (const arm of arms) {
      const started = performance.now();
      for (let i = 0; i < round.length; i += arm.parallel) {
        await Promise.all(round.slice(i, i + arm.parallel).map((turns) => arm.scorer.classify({ turns, policy }, { maxTokens: MAX_TOKENS })));
      }
      arm.seconds += (performance.now() - started) / 1000;
    }
  }
}

function report(arm: Arm, items: number): void {
  const work = since(arm.workBefore!, arm.scorer.work());
  const perItem = (n: number) => (n / items).toFixed(1).padStart(6);
  console.log(
    `${arm.label.padEnd(28)} ${(items / arm.seconds).toFixed(3).padStart(7)} items/s  (${arm.seconds.toFixed(1)} s)  per item: ${perItem(work.tokensEvaluated)} tokens decoded, ` +
      `${perItem(work.prefixTokensCopied)} copied; ${(work.evaluations / Math.max(1, work.rounds)).toFixed(2)} evaluations per batch`,
  );
}

function since(before: EngineWork, after: EngineWork): EngineWork {
  return {
    tokensEvaluated: after.tokensEvaluated - before.tokensEvaluated,
    prefixTokensCopied: after.prefixTokensCopied - before.prefixTokensCopied,
    evaluations: after.evaluations - before.evaluations,
    rounds: after.rounds - before.rounds,
  };
}

/** Tokens every prompt shares (the policy prefix) and the average prompt length, from the scorer's own tokenisation. */
function promptSplit(scorer: LlamaScorer, items: Turn[][]): { shared: number; average: number } {
  const prompts = items.map((turns) => scorer.tokenizePrompt(scorer.buildPrompt({ turns, policy }).prompt));
  const shared = Math.min(...prompts.map((tokens) => commonPrefixLength(tokens, prompts[0]!)));
  return { shared, average: prompts.reduce((sum, tokens) => sum + tokens.length, 0) / prompts.length };
}

async function exactProbabilityCost(modelPath: string): Promise<{ withLogitsMs: number; withoutMs: number; softmaxMs: number }> {
  const llama = await getLlama({ gpu: false, build: "never" });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 512, threads: THREADS });
  const sequence = context.getSequence();
  await sequence.controlledEvaluate(model.tokenize("Task: Check if there is unsafe content", false));
  const positions = 12;
  const time = async (generateNext: { logits?: true; token?: true }) => {
    const started = performance.now();
    for (let i = 0; i < positions; i++) await sequence.controlledEvaluate([[271 as Token, { generateNext }]]);
    return (performance.now() - started) / positions;
  };
  await time({ token: true });
  const withoutMs = await time({ token: true });
  const withLogitsMs = await time({ logits: true });
  const [last] = await sequence.controlledEvaluate([[271 as Token, { generateNext: { logits: true } }]]);
  const started = performance.now();
  for (let i = 0; i < positions; i++) ExactDistribution.fromLogits(last!.next.logits!).top(5);
  const softmaxMs = (performance.now() - started) / positions;
  await context.dispose();
  await model.dispose();
  return { withLogitsMs, withoutMs, softmaxMs };
}

const modelPath = await ensureRandom1BModel();
const { measured: items, warmUp } = conversations();
console.log(`Guardbench bench: ${items.length} conversations, one policy (${policy.name}), XSTest prompts, random Q8_0 model at the Llama Guard 3 1B shape, ${THREADS} threads\n`);

const load = (reusePrefix: boolean, sequences: number) =>
  LlamaScorer.load({ modelPath, family: "llama-guard-3-1b", gpu: false, threads: THREADS, contextSize: 2048, sequences, reusePrefix });
const arms: Arm[] = [
  { label: "naive, one by one", scorer: await load(false, 1), parallel: 1, seconds: 0 },
  { label: "prefix reused", scorer: await load(true, 1), parallel: 1, seconds: 0 },
  ...(await Promise.all(
    PARALLEL.map(async (n) => ({ label: `prefix reused, ${n} sequences`, scorer: await load(true, n), parallel: n, seconds: 0 })),
  )),
];
// Warm-up: pages the weights in, and gives every reusing sequence its policy prefix (evaluated once, copied to the rest).
for (const arm of arms) {
  await Promise.all(warmUp.slice(0, arm.parallel).map((turns) => arm.scorer.classify({ turns, policy }, { maxTokens: MAX_TOKENS })));
  arm.workBefore = arm.scorer.work();
}
await scoreInterleaved(arms, items);
const split = promptSplit(arms[0]!.scorer, items);
for (const arm of arms) report(arm, items.length);
const [naive, ...reusing] = arms as [Arm, ...Arm[]];
for (const arm of reusing) {
  console.log(`${`${arm.label} speed-up:`.padEnd(44)} ${(naive.seconds / arm.seconds).toFixed(2)}×  (steady state ${(items.length / arm.seconds).toFixed(2)} items/s)`);
}
const suffix = split.average - split.shared;
console.log(
  `\nprompts: ${split.average.toFixed(1)} tokens on average, ${split.shared} of them the shared policy prefix, ${suffix.toFixed(1)} per item.\n` +
    `Where prompt evaluation is compute-bound (a CPU), reuse can at most divide prompt work by ${(split.average / suffix).toFixed(2)}, and every arm\n` +
    `still pays the same answer positions per item: that is the ceiling on any speed-up from prefix reuse for this policy.\n`,
);
for (const arm of arms) await arm.scorer.dispose();

const cost = await exactProbabilityCost(modelPath);
const positionsPerItem = MAX_TOKENS + 2; // each generated token's position, and the category walk after `unsafe\n` and after `S`
console.log(`one position without logits     ${cost.withoutMs.toFixed(1)} ms`);
console.log(`one position with raw logits    ${cost.withLogitsMs.toFixed(1)} ms (of which float64 softmax + top-5: ${cost.softmaxMs.toFixed(2)} ms)`);
console.log(`exact probabilities per item    ≈ ${((cost.withLogitsMs - cost.withoutMs) * positionsPerItem).toFixed(0)} ms (${positionsPerItem} positions)`);

const { benchWorkers } = await import("./workers.ts");
await benchWorkers();
