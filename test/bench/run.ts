/**
 * `npm run bench`: scoring throughput on a random-weight model at the real Llama Guard 3 1B shape (Q8_0), measured
 * side by side in one run so the ratios hold on a noisy machine. Absolute numbers depend on the machine; ratios travel.
 *
 *   1. naive one-by-one (every prompt evaluated from scratch) vs prefix reuse (the policy prefix's KV state kept between
 *      items) vs prefix reuse with several sequences decoding at once (their suffixes and answer tokens share batches;
 *      each sequence evaluates the policy prefix once, then keeps it)
 *   2. the cost of exact probabilities: one position with raw logits (float64 softmax) vs one position without
 */
import { readFileSync } from "node:fs";
import { getLlama, type Token } from "node-llama-cpp";
import { LlamaScorer } from "../../electron/engine/scorer.ts";
import { ExactDistribution } from "../../electron/engine/distribution.ts";
import { ensureRandom1BModel } from "../fixtures/models.ts";
import type { Turn } from "../../shared/conversation/types.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 200);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 4);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
// Random weights never say end-of-turn; a real Llama Guard answers in about four tokens (`\n\n`, `unsafe`, `\n`, `S1`).
const MAX_TOKENS = 4;

/** Real, distinct prompts sharing one policy: the bundled XSTest demo (CC-BY-4.0), prompt classification. */
function conversations(): Turn[][] {
  const lines = readFileSync(new URL("../../electron/datasets/demo/xstest/xstest.jsonl", import.meta.url), "utf8").split("\n").filter(Boolean);
  if (lines.length < ITEMS) throw new Error(`the demo dataset has ${lines.length} items; BENCH_ITEMS is ${ITEMS}`);
  return lines.slice(0, ITEMS).map((line) => (JSON.parse(line) as { messages: Turn[] }).messages);
}

interface Arm {
  label: string;
  scorer: LlamaScorer;
  /** items classified at once; the scorer has as many sequences */
  parallel: number;
  seconds: number;
  promptTokens: number;
}

/**
 * Alternates the arms a round at a time (one round = PARALLEL items), so load from anything else on the machine falls
 * on every arm alike.
 */
async function scoreInterleaved(arms: Arm[], items: Turn[][]): Promise<void> {
  for (let start = 0; start < items.length; start += PARALLEL) {
    const round = items.slice(start, start + PARALLEL);
    for (const arm of arms) {
      const started = performance.now();
      for (let i = 0; i < round.length; i += arm.parallel) {
        const results = await Promise.all(round.slice(i, i + arm.parallel).map((turns) => arm.scorer.classify({ turns }, { maxTokens: MAX_TOKENS })));
        for (const result of results) arm.promptTokens += result.prompt.tokenCount;
      }
      arm.seconds += (performance.now() - started) / 1000;
    }
  }
}

function report(label: string, run: { seconds: number; promptTokens: number }, items: number): void {
  console.log(`${label.padEnd(28)} ${(items / run.seconds).toFixed(3).padStart(8)} items/s ${(run.promptTokens / run.seconds).toFixed(1).padStart(9)} prompt tokens/s  (${run.seconds.toFixed(1)} s)`);
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
const items = conversations();
console.log(`Guardbench bench: ${items.length} conversations, one policy (llama-guard-3-1b preset), XSTest prompts, random Q8_0 model at the Llama Guard 3 1B shape, ${THREADS} threads\n`);

const load = (reusePrefix: boolean, sequences: number) =>
  LlamaScorer.load({ modelPath, family: "llama-guard-3-1b", gpu: false, threads: THREADS, contextSize: 2048, sequences, reusePrefix });
const arms: Arm[] = [
  { label: "naive, one by one", scorer: await load(false, 1), parallel: 1, seconds: 0, promptTokens: 0 },
  { label: "prefix reused", scorer: await load(true, 1), parallel: 1, seconds: 0, promptTokens: 0 },
  { label: `prefix reused, ${PARALLEL} sequences`, scorer: await load(true, PARALLEL), parallel: PARALLEL, seconds: 0, promptTokens: 0 },
];
// Warm-up: pages the weights in, and gives every reusing sequence its evaluated policy prefix.
for (const arm of arms) await Promise.all(items.slice(0, arm.parallel).map((turns) => arm.scorer.classify({ turns }, { maxTokens: MAX_TOKENS })));
await scoreInterleaved(arms, items);
for (const arm of arms) {
  report(arm.label, arm, items.length);
  await arm.scorer.dispose();
}
const [naive, reuse, parallel] = arms as [Arm, Arm, Arm];
console.log(`prefix reuse speed-up:                  ${(naive.seconds / reuse.seconds).toFixed(2)}×`);
console.log(`prefix reuse + ${PARALLEL} sequences speed-up:   ${(naive.seconds / parallel.seconds).toFixed(2)}×  (steady state ${(items.length / parallel.seconds).toFixed(2)} items/s)\n`);

const cost = await exactProbabilityCost(modelPath);
const positionsPerItem = MAX_TOKENS + 3; // generated tokens, the decision position, and the category walk after `unsafe\n` and `S`
console.log(`one position without logits     ${cost.withoutMs.toFixed(1)} ms`);
console.log(`one position with raw logits    ${cost.withLogitsMs.toFixed(1)} ms (of which float64 softmax + top-5: ${cost.softmaxMs.toFixed(2)} ms)`);
console.log(`exact probabilities per item    ≈ ${((cost.withLogitsMs - cost.withoutMs) * positionsPerItem).toFixed(0)} ms (${positionsPerItem} positions)`);

const { benchWorkers } = await import("./workers.ts");
await benchWorkers();
