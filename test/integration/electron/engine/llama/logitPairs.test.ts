/**
 * The whole vocabulary's logits taken as the addon's pairs instead of node-llama-cpp's Map (issue #16.4), on real
 * llama.cpp with the programmed Llama Guard 3 model, its answer positions given 2,000 more tokens with scattered
 * logits so that every normaliser is a real sum. The pairs are the Map's entries in the Map's order, other reads are
 * untouched, and a scorer with pairs stores exactly what a scorer with the Map stores (the issue asks for 1e-9;
 * this is equality). What it saves is measured by `npm run bench`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClassificationResult } from "../../../../../shared/classify/result.ts";
import { logitPairsOfMap } from "../../../../../electron/engine/distribution.ts";
import { logitPairsOf, passLogitPairsThrough } from "../../../../../electron/engine/llama/logitPairs.ts";
import { LlamaScorer } from "../../../../../electron/engine/llama/scorer.ts";
import { LLAMA3_TOKENS as T, LLAMA3_VOCAB_SIZE } from "../../../../fixtures/gguf/llama3Vocab.ts";
import { llamaGuard3UnsafeAnswer, PROGRAMMED_LOGIT } from "../../../../fixtures/guardAnswers.ts";
import { writeProgrammedModel, type Transition } from "../../../../fixtures/models.ts";

/** Every answer position also leads to 2,000 tokens at scattered logits well below the programmed ones. */
function withScatteredLogits(transitions: Transition[]): Transition[] {
  let state = 7;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return transitions.map((transition) => {
    const taken = new Set(transition.next.map((n) => n.token));
    const scattered = Array.from({ length: 2000 }, (_, i) => 1000 + ((i * 61 + transition.after) % 100_000))
      .filter((token) => !taken.has(token))
      .map((token) => ({ token, logit: PROGRAMMED_LOGIT - 8 - 20 * random() }));
    return { after: transition.after, next: [...transition.next, ...scattered] };
  });
}

const conversations = [
  [{ role: "user" as const, content: "Bolt cutters: which size for a padlock?" }],
  [
    { role: "user" as const, content: "How do I get rid of a wasp nest?" },
    { role: "assistant" as const, content: "Wait until night, then spray it from a distance." },
  ],
];

let dir: string;
let modelPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-logit-pairs-"));
  modelPath = (await writeProgrammedModel(join(dir, "scattered.gguf"), { transitions: withScatteredLogits(llamaGuard3UnsafeAnswer()) })).path;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the addon's logit pairs", () => {
  it("are the Map's entries in its order; filtered logits and next-token reads are unchanged", async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1 });
    try {
      const sequence = context.getSequence();
      const prompt = [T.endHeader, T.doubleNewline] as Token[];
      const readLast = async (generateNext: object) => {
        await sequence.clearHistory();
        const results = await sequence.controlledEvaluate([prompt[0]!, [prompt[1]!, { generateNext }]]);
        return results.at(-1)!.next!;
      };
      const asMap = (await readLast({ logits: true })).logits!;
      expect(asMap.size).toBe(LLAMA3_VOCAB_SIZE);

      expect(passLogitPairsThrough(context)).toBe(true);
      expect(passLogitPairsThrough(context)).toBe(true);
      const passed = (await readLast({ logits: true })).logits!;
      expect(passed.size).toBe(1);
      const pairs = logitPairsOf(passed);
      expect(pairs.length).toBe(2 * LLAMA3_VOCAB_SIZE);
      expect(pairs).toEqual(logitPairsOfMap(asMap));
      // The Map path (another node-llama-cpp) gives the same pairs.
      expect(logitPairsOf(asMap)).toEqual(pairs);

      const filtered = (await readLast({ logits: { filter: { tokens: [T.unsafe, T.safe], includeTop: 3 } } })).logits!;
      expect([...filtered.keys()].sort((a, b) => a - b)).toEqual([...new Set([T.unsafe, T.safe, ...pairs.filter((_, i) => i % 2 === 0).slice(0, 3)])].sort((a, b) => a - b));
      expect(filtered.get(T.unsafe as Token)).toBe(asMap.get(T.unsafe as Token));
      expect((await readLast({ token: true })).token).toBe(T.unsafe);
    } finally {
      await context.dispose();
      await model.dispose();
    }
  });

  it("give a scorer the very numbers the Map gives, with every token's details and with them deferred", async () => {
    const scored = async (logitPairs: boolean): Promise<ClassificationResult[]> => {
      const scorer = await LlamaScorer.load({ modelPath, family: "llama-guard-3-1b", gpu: false, threads: 1, contextSize: 1024, sequences: 1, logitPairs });
      try {
        const results: ClassificationResult[] = [];
        for (const turns of conversations) {
          results.push(await scorer.classify({ turns }, { topK: 10 }));
          results.push(await scorer.classify({ turns }, { deferTokenDetails: true }));
        }
        return results.map(({ timingsMs: _timings, ...rest }) => rest as ClassificationResult);
      } finally {
        await scorer.dispose();
      }
    };
    const withMap = await scored(false);
    const withPairs = await scored(true);
    expect(withMap[0]!.verdict).toBe("unsafe");
    expect(withMap[0]!.tokens[1]!.top).toHaveLength(10);
    // Scattered logits make a real normaliser: P(unsafe) is below the programmed 0.8.
    expect(withMap[0]!.pUnsafe).toBeLessThan(0.8);
    expect(withMap[0]!.pUnsafe).toBeGreaterThan(0.5);
    expect(withPairs).toEqual(withMap);
  });
});
