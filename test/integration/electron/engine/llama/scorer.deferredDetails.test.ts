/**
 * Batch runs compute an exact distribution (the whole vocabulary's logits copied out of llama.cpp) only where a stored
 * number needs one (issue #16.4), on real llama.cpp with the programmed Llama Guard 3 model: its answer `\n\n unsafe \n
 * S 3` decides at index 1, and the forced category path `\n\n unsafe \n` + `S` runs along its own tokens, so three
 * positions need a distribution (the decision and the two category positions) where scoring every token reads six.
 * The deferred tokens' details, computed afterwards, are the very numbers full scoring gives. (Counts of positions,
 * not timings: what they cost is measured by `npm run bench`.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTokenDetails, type ClassificationResult } from "../../../../../shared/classify/result.ts";
import type { EngineWork } from "../../../../../electron/engine/engine.ts";
import { LlamaScorer } from "../../../../../electron/engine/llama/scorer.ts";
import { LLAMA3_TOKENS as T, vocabId } from "../../../../fixtures/gguf/llama3Vocab.ts";
import { llamaGuard3UnsafeAnswer } from "../../../../fixtures/guardAnswers.ts";
import { writeProgrammedModel, type Transition } from "../../../../fixtures/models.ts";

const turns = [{ role: "user" as const, content: "Bolt cutters: which size for a padlock?" }];

let dir: string;
const scorers: LlamaScorer[] = [];

async function loadScorer(name: string, transitions: Transition[]): Promise<LlamaScorer> {
  const { path } = await writeProgrammedModel(join(dir, `${name}.gguf`), { transitions });
  const scorer = await LlamaScorer.load({ modelPath: path, family: "llama-guard-3-1b", gpu: false, threads: 1, contextSize: 1024, sequences: 1 });
  scorers.push(scorer);
  return scorer;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-deferred-"));
});

afterAll(async () => {
  for (const scorer of scorers) await scorer.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function scoredWithWork(scorer: LlamaScorer, deferTokenDetails: boolean): Promise<{ result: ClassificationResult; work: Pick<EngineWork, "distributions" | "nextTokenReads"> }> {
  const before = scorer.work();
  const result = await scorer.classify({ turns }, { deferTokenDetails });
  const after = scorer.work();
  return { result, work: { distributions: after.distributions - before.distributions, nextTokenReads: after.nextTokenReads - before.nextTokenReads } };
}

/** The result as stored when scoring: tokens without their details, and no wall-clock timings. */
const scoredPart = ({ timingsMs: _timings, ...rest }: ClassificationResult) => ({ ...rest, tokens: rest.tokens.map(({ id, text }) => ({ id, text })) });

/** Deferred scoring stores what full scoring stores, the details it did compute included, and tokenDetails the rest. */
async function expectSameAsFull(scorer: LlamaScorer, deferred: ClassificationResult, full: ClassificationResult): Promise<void> {
  expect(scoredPart(deferred)).toEqual(scoredPart(full));
  deferred.tokens.forEach((token, i) => {
    if (hasTokenDetails(token)) expect(token).toEqual(full.tokens[i]);
  });
  const missing = deferred.tokens.flatMap((token, i) => (hasTokenDetails(token) ? [] : [i]));
  const details = await scorer.tokenDetails({ turns }, deferred.tokens.map((token) => token.id), missing, 5);
  expect(details).toEqual(missing.map((i) => full.tokens[i]));
}

describe("deferred token details", () => {
  it("are read only at the decision and the category positions, which an unsafe answer shares with its tokens", async () => {
    const scorer = await loadScorer("unsafe-s3", llamaGuard3UnsafeAnswer());
    const full = await scoredWithWork(scorer, false);
    // Every generated position, and the end-of-turn position after `3`.
    expect(full.work).toEqual({ distributions: 6, nextTokenReads: 0 });
    expect(full.result.tokens.map((token) => token.id).slice(0, 4)).toEqual([T.doubleNewline, T.unsafe, T.newline, T.S]);
    expect(full.result.tokens.every(hasTokenDetails)).toBe(true);

    // `\n\n` (LG3 answers open with it), `\n` and the end-of-turn position: their greedy token only.
    const deferred = await scoredWithWork(scorer, true);
    expect(deferred.work).toEqual({ distributions: 3, nextTokenReads: 3 });
    expect(deferred.result.tokens.map(hasTokenDetails)).toEqual([false, true, false, true, true]);
    await expectSameAsFull(scorer, deferred.result, full.result);
  });

  it("read the decision's position again when the answer decides earlier than expected", async () => {
    // `hello world …` to maxTokens: the decision is the first token, not after the `\n\n` an LG3 answer opens with.
    const scorer = await loadScorer("endless", ENDLESS);
    const deferred = await scoredWithWork(scorer, true);
    // The first position read for its token, then again for its distribution; the forced path's two positions.
    expect(deferred.work).toEqual({ distributions: 3, nextTokenReads: 24 });
    const full = await scoredWithWork(scorer, false);
    await expectSameAsFull(scorer, deferred.result, full.result);
    // Once the model is known to decide first, no position is read twice.
    expect((await scoredWithWork(scorer, true)).work).toEqual({ distributions: 3, nextTokenReads: 23 });
  });

  it("refuse positions that are not the answer's", async () => {
    const scorer = scorers[0]!;
    await expect(scorer.tokenDetails({ turns }, [T.doubleNewline], [1], 5)).rejects.toMatchObject({ code: "prompt-invalid" });
  });
});

const ENDLESS: Transition[] = [
  { after: T.endHeader, next: [{ token: vocabId("hello"), logit: 12 }, { token: T.doubleNewline, logit: 11 }] },
  { after: vocabId("hello"), next: [{ token: vocabId(" world"), logit: 9 }, { token: T.eot, logit: 8.5 }] },
  { after: vocabId(" world"), next: [{ token: vocabId(" hello"), logit: 7 }, { token: T.unsafe, logit: 6 }] },
  { after: vocabId(" hello"), next: [{ token: vocabId(" world"), logit: 10 }] },
];
