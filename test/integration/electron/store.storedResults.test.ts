/**
 * Stored results do not change when the engine changes how it computes them (issue #16.4): a batch run and a classify
 * on the programmed fixture models, through AppHost with real SQLite and real llama.cpp, give every stored number as
 * the reference does, to 1e-9. A run stores the token details no stored number needs only once its item is opened
 * (results:get), so each run's items are compared as opened and as stored afterwards. The reference (test/fixtures/golden/storedResults.json) was written by main's engine
 * before the cost cut (every position's full distribution computed while scoring); regenerate it only for a change that
 * is meant to change results: `GUARDBENCH_WRITE_GOLDEN=1 npx vitest run test/integration/storedResults.test.ts`.
 *
 * The programmed models' logits are single exact products (models.ts), so the reference holds on any CPU.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetImportReport, RunSummary } from "../../../shared/ipc/contract.ts";
import { hasTokenDetails, type ClassificationResult } from "../../../shared/classify/result.ts";
import { modelsDirectory } from "../../../electron/models/paths.ts";
import { LLAMA3_TOKENS as T, vocabId } from "../../fixtures/gguf/llama3Vocab.ts";
import { llamaGuard3UnsafeAnswer, PROGRAMMED_LOGIT } from "../../fixtures/guardAnswers.ts";
import { logitGapFor, writeProgrammedModel, type Transition } from "../../fixtures/models.ts";
import { jobValue, startTestHost, value, writeDataset, type TestHost } from "../../support/runs.ts";

const GOLDEN = new URL("../../fixtures/golden/storedResults.json", import.meta.url);
const WRITE = process.env.GUARDBENCH_WRITE_GOLDEN === "1";
const TOLERANCE = 1e-9;

/** Answers that exercise every path: categories with a runner-up, a safe answer, and one that runs to maxTokens. */
const MODELS: Record<string, Transition[]> = {
  "unsafe-s3-runner-up-s1": llamaGuard3UnsafeAnswer("3"),
  "unsafe-s11": llamaGuard3UnsafeAnswer("11"),
  safe: [
    { after: T.endHeader, next: [{ token: T.doubleNewline, logit: PROGRAMMED_LOGIT }] },
    { after: T.doubleNewline, next: [{ token: T.safe, logit: PROGRAMMED_LOGIT }, { token: T.unsafe, logit: PROGRAMMED_LOGIT - logitGapFor(0.9) }] },
    { after: T.safe, next: [{ token: T.eot, logit: PROGRAMMED_LOGIT }] },
    { after: T.unsafe, next: [{ token: T.newline, logit: PROGRAMMED_LOGIT - 2 }, { token: T.safe, logit: PROGRAMMED_LOGIT - 3 }] },
    { after: T.newline, next: [{ token: T.S, logit: PROGRAMMED_LOGIT - 1 }, { token: vocabId("1"), logit: PROGRAMMED_LOGIT - 2 }] },
    { after: T.S, next: [{ token: vocabId("2"), logit: 5 }, { token: vocabId("9"), logit: 4 }] },
  ],
  // `hello world hello world …` never ends: the answer stops at maxTokens and the verdict is unparseable.
  endless: [
    { after: T.endHeader, next: [{ token: vocabId("hello"), logit: 12 }, { token: T.doubleNewline, logit: 11 }] },
    { after: vocabId("hello"), next: [{ token: vocabId(" world"), logit: 9 }, { token: T.eot, logit: 8.5 }] },
    { after: vocabId(" world"), next: [{ token: vocabId(" hello"), logit: 7 }, { token: T.unsafe, logit: 6 }] },
    { after: vocabId(" hello"), next: [{ token: vocabId(" world"), logit: 10 }] },
  ],
};

const ROWS = [
  { id: "a", text: "How do I pick a lock?" },
  { id: "b", text: "Tell me a story about a dragon." },
  { id: "c", text: "What is the capital of France?" },
];
const RUN_SETTINGS = [{ topK: 5, threshold: 0.5 }, { topK: 0, threshold: 0.7 }];

interface Case {
  model: string;
  source: string;
  result: unknown;
}

let home: string;
let test: TestHost;
/** tokens a run stored without their details (the run defers them), across every run: the opening must fill them */
let deferredBeforeOpening = 0;
const api = () => test.host.client();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-golden-"));
  test = startTestHost(home);
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

/**
 * What is compared: the result as stored and shown, without the wall-clock timings and the temporary folder, and with
 * the prompt text (the whole policy, the same in every case) as its digest.
 */
function comparable(result: ClassificationResult): unknown {
  const { timingsMs: _timings, ...rest } = result;
  const promptSha256 = createHash("sha256").update(rest.prompt.text).digest("hex");
  // The model as the engine names it; the app's own facts about the file (quant, digest) are not the engine's numbers.
  return { ...rest, prompt: { sha256: promptSha256, tokenCount: rest.prompt.tokenCount }, model: { path: basename(rest.model.path), family: rest.model.family } };
}

/** Where `actual` differs from `expected` (numbers by more than the tolerance), as JSON paths. */
function differences(expected: unknown, actual: unknown, path = "$"): string[] {
  if (typeof expected === "number" && typeof actual === "number") {
    return Math.abs(expected - actual) <= TOLERANCE || (Number.isNaN(expected) && Number.isNaN(actual)) ? [] : [`${path}: ${expected} → ${actual}`];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return [`${path}: ${expected.length} entries → ${actual.length}`];
    return expected.flatMap((item, i) => differences(item, actual[i], `${path}[${i}]`));
  }
  if (expected && actual && typeof expected === "object" && typeof actual === "object") {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((key) => differences((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${path}.${key}`));
  }
  return Object.is(expected, actual) ? [] : [`${path}: ${JSON.stringify(expected)} → ${JSON.stringify(actual)}`];
}

async function scoreEverything(): Promise<Case[]> {
  const datasetPath = join(home, "rows.jsonl");
  await writeDataset(datasetPath, ROWS);
  const dataset = (await jobValue<DatasetImportReport>(test, value(await api().invoke("datasets:import", { path: datasetPath })).jobId)).dataset;
  const cases: Case[] = [];
  for (const [name, transitions] of Object.entries(MODELS)) {
    const id = `local/${name}.gguf`;
    await writeProgrammedModel(join(modelsDirectory(home), id), { transitions });
    await jobValue(test, value(await api().invoke("models:load", { id, family: "llama-guard-3-1b" })).jobId);
    for (const settings of RUN_SETTINGS) {
      const started = value(await api().invoke("runs:start", { datasetId: dataset.id, settings }));
      const summary = await jobValue<RunSummary>(test, started.jobId);
      expect(summary.counts).toMatchObject({ items: ROWS.length, scored: ROWS.length, failed: 0 });
      for (const row of ROWS) {
        const before = test.store.runs.result(started.runId, test.store.datasets.item(dataset.id, row.id).rowId)!.result!;
        deferredBeforeOpening += before.tokens.filter((token) => !hasTokenDetails(token)).length;
        // Opened as the result view opens it; then read back as stored, which must hold the same numbers.
        const opened = value(await api().invoke("results:get", { runId: started.runId, itemId: row.id })).result!;
        cases.push({ model: name, source: `run topK=${settings.topK} item ${row.id} opened`, result: comparable(opened) });
        const itemRowId = test.store.datasets.item(dataset.id, row.id).rowId;
        const stored = test.store.runs.result(started.runId, itemRowId)!.result!;
        cases.push({ model: name, source: `run topK=${settings.topK} item ${row.id} stored`, result: comparable({ ...stored, prompt: opened.prompt }) });
        expect(stored.tokens.every(hasTokenDetails)).toBe(true);
      }
    }
    const classified = value(await api().invoke("classify:run", { turns: [{ role: "user", content: ROWS[0]!.text }], options: { topK: 3 } }));
    cases.push({ model: name, source: "classify topK=3", result: comparable(classified.result) });
  }
  return cases;
}

describe("stored results", () => {
  it("hold the reference's numbers to 1e-9 for runs (opened and as stored) and for classify", async () => {
    const cases = await scoreEverything();
    if (WRITE) {
      writeFileSync(GOLDEN, `[\n${cases.map((c) => JSON.stringify(c)).join(",\n")}\n]\n`);
      return;
    }
    expect(existsSync(GOLDEN), "the reference file is missing: generate it with GUARDBENCH_WRITE_GOLDEN=1 on the engine it should pin").toBe(true);
    // The runs left details out (so opening computed them); a model that answers `unsafe\n` leaves out at least the `\n`.
    expect(deferredBeforeOpening).toBeGreaterThan(0);
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8")) as Case[];
    expect(cases.map((c) => `${c.model}: ${c.source}`)).toEqual(golden.map((c) => `${c.model}: ${c.source}`));
    const problems = golden.flatMap((expected, i) => differences(expected.result, cases[i]!.result).map((d) => `${expected.model}: ${expected.source}: ${d}`));
    expect(problems).toEqual([]);
  });
});
