/**
 * Parallel sequences on real llama.cpp (programmed fixture model): classifications in flight together decode in shared
 * batches, a sequence that never saw the policy copies another's evaluated prefix instead of decoding it, and neither
 * changes a single result compared with scoring one conversation at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClassificationResult } from "../../../../../shared/classify/result.ts";
import type { Turn } from "../../../../../shared/conversation/types.ts";
import { LlamaScorer } from "../../../../../electron/engine/llama/scorer.ts";
import { commonPrefixLength } from "../../../../../electron/engine/llama/kvSlots.ts";
import { llamaGuard3UnsafeAnswer } from "../../../../fixtures/guardAnswers.ts";
import { writeProgrammedModel } from "../../../../fixtures/models.ts";

const conversations: Turn[][] = [
  [{ role: "user", content: "Apples or pears for a pie?" }],
  [{ role: "user", content: "Bolt cutters: which size for a padlock?" }],
  [{ role: "user", content: "Can you summarise this contract for me?" }],
];

let dir: string;
let modelPath: string;
const scorers: LlamaScorer[] = [];
const oneAtATime: ClassificationResult[] = [];

const load = async (sequences: number) => {
  const scorer = await LlamaScorer.load({ modelPath, family: "llama-guard-3-1b", gpu: false, threads: 1, contextSize: 1024, sequences });
  scorers.push(scorer);
  return scorer;
};

/** Everything but wall-clock timings. */
const comparable = ({ timingsMs: _timings, ...rest }: ClassificationResult) => rest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-parallel-"));
  modelPath = (await writeProgrammedModel(join(dir, "unsafe-s3.gguf"), { transitions: llamaGuard3UnsafeAnswer() })).path;
  const sequential = await load(1);
  for (const turns of conversations) oneAtATime.push(await sequential.classify({ turns }));
});

afterAll(async () => {
  for (const scorer of scorers) await scorer.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("parallel sequences", () => {
  it("decode classifications in flight together in shared batches, with the results of one at a time", async () => {
    const scorer = await load(3);
    const results = await Promise.all(conversations.map((turns) => scorer.classify({ turns })));

    expect(results.map(comparable)).toEqual(oneAtATime.map(comparable));
    const work = scorer.work();
    // Every evaluation of the three went in a batch with the other two.
    expect(work.evaluations).toBe(3 * work.rounds);
  });

  it("copy the evaluated policy prefix into a sequence that never saw it, instead of decoding it again", async () => {
    const scorer = await load(2);
    await scorer.classify({ turns: conversations[0]! });
    const before = scorer.work();
    // The second conversation takes the sequence that holds the prefix; the third gets the empty one and copies it.
    const results = await Promise.all(conversations.slice(1).map((turns) => scorer.classify({ turns })));

    expect(results.map(comparable)).toEqual(oneAtATime.slice(1).map(comparable));
    const prompts = conversations.map((turns) => scorer.tokenizePrompt(scorer.buildPrompts({ turns }).prompts[0]!.prompt));
    const sharedPrefix = commonPrefixLength(prompts[0]!, prompts[2]!);
    expect(sharedPrefix).toBeGreaterThan(100);
    const work = scorer.work();
    expect(work.prefixTokensCopied - before.prefixTokensCopied).toBe(sharedPrefix);
    // Neither of the two decoded the policy prefix: only their own suffixes and answers.
    const suffixes = prompts.slice(1).reduce((sum, tokens) => sum + tokens.length - sharedPrefix, 0);
    const answerTokens = results.reduce((sum, r) => sum + r.tokens.length, 0);
    expect(work.tokensEvaluated - before.tokensEvaluated).toBeLessThan(suffixes + answerTokens + 10);
  });

  it("stop a cancelled classification at its next evaluation, and the sequence scores the next one as before", async () => {
    const scorer = await load(2);
    const controller = new AbortController();
    const cancelled = scorer.classify({ turns: conversations[0]! }, {}, controller.signal);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: "cancelled" });
    expect(comparable(await scorer.classify({ turns: conversations[1]! }))).toEqual(comparable(oneAtATime[1]!));
  });
});
