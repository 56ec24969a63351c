/**
 * `npm run bench`: scoring throughput on a random-weight model at the real Llama Guard 3 1B shape (Q8_0), measured
 * side by side in one run so the ratios hold on a noisy machine. Absolute numbers depend on the machine; ratios travel.
 *
 *   1. naive (every prompt evaluated from scratch) vs prefix reuse (the policy prefix's KV state kept between items)
 *   2. the cost of exact probabilities: one position with raw logits (float64 softmax) vs one position without
 */
import { readFileSync } from "node:fs";
import { getLlama, type Token } from "node-llama-cpp";
import { LlamaScorer } from "../../electron/engine/scorer.ts";
import { ExactDistribution } from "../../electron/engine/distribution.ts";
import { ensureRandom1BModel } from "../fixtures/models.ts";
import type { Turn } from "../../shared/conversation/types.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 20);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
// Random weights never say end-of-turn; a real Llama Guard answers in about four tokens (`\n\n`, `unsafe`, `\n`, `S1`).
const MAX_TOKENS = 4;

function conversations(): Turn[][] {
  const lines = readFileSync(new URL("../fixtures/sample-chats/sample-chats.jsonl", import.meta.url), "utf8").split("\n").filter(Boolean);
  const chats = lines.map((line) => (JSON.parse(line) as { messages: Turn[] }).messages.filter((m) => m.role !== "system"));
  // Twenty conversations sharing one policy: prompt classification of each chat's first user turn.
  return Array.from({ length: ITEMS }, (_, i) => chats[i % chats.length]!.slice(0, 1));
}

interface Arm {
  label: string;
  scorer: LlamaScorer;
  seconds: number;
  promptTokens: number;
}

/** Alternates the arms item by item, so load from anything else on the machine falls on both alike. */
async function scoreInterleaved(arms: Arm[], items: Turn[][]): Promise<void> {
  for (const turns of items) {
    for (const arm of arms) {
      const started = performance.now();
      const result = await arm.scorer.classify({ turns }, { maxTokens: MAX_TOKENS });
      arm.seconds += (performance.now() - started) / 1000;
      arm.promptTokens += result.prompt.tokenCount;
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
console.log(`Guardbench bench: ${items.length} conversations, one policy (llama-guard-3-1b preset), random Q8_0 model at the Llama Guard 3 1B shape, ${THREADS} threads\n`);

const load = (reusePrefix: boolean) =>
  LlamaScorer.load({ modelPath, family: "llama-guard-3-1b", gpu: false, threads: THREADS, contextSize: 2048, sequences: 1, reusePrefix });
const arms: Arm[] = [
  { label: "naive (full prompt each)", scorer: await load(false), seconds: 0, promptTokens: 0 },
  { label: "policy prefix reused", scorer: await load(true), seconds: 0, promptTokens: 0 },
];
// Warm-up: pages the weights in, and gives the reusing arm its evaluated policy prefix.
for (const arm of arms) await arm.scorer.classify({ turns: items[0]! }, { maxTokens: MAX_TOKENS });
await scoreInterleaved(arms, items);
for (const arm of arms) {
  report(arm.label, arm, items.length);
  await arm.scorer.dispose();
}
const [naive, reuse] = arms as [Arm, Arm];
console.log(`prefix reuse speed-up: ${(naive.seconds / reuse.seconds).toFixed(2)}×\n`);

const cost = await exactProbabilityCost(modelPath);
const positionsPerItem = MAX_TOKENS + 3; // generated tokens, the decision position, and the category walk after `unsafe\n` and `S`
console.log(`one position without logits     ${cost.withoutMs.toFixed(1)} ms`);
console.log(`one position with raw logits    ${cost.withLogitsMs.toFixed(1)} ms (of which float64 softmax + top-5: ${cost.softmaxMs.toFixed(2)} ms)`);
console.log(`exact probabilities per item    ≈ ${((cost.withLogitsMs - cost.withoutMs) * positionsPerItem).toFixed(0)} ms (${positionsPerItem} positions)`);
