/**
 * Runs with a family's settings (Qwen3Guard's controversialIsUnsafe) on real parts: SQLite, llama.cpp on the
 * programmed Qwen3Guard fixture (it answers `Safety: Safe`, with ` Unsafe` 2 logits and ` Controversial` 3 logits
 * below). Counting Controversial as unsafe raises P(unsafe) by P(Controversial), so a run with the setting is scored as
 * a classify with it is, never takes the scores of a run without it, and is another `guardbench run` to resume.
 */
import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Channel, DatasetImportReport, Req, Res, RunSummary } from "../../../../shared/ipc/contract.ts";
import type { Result } from "../../../../shared/ipc/result.ts";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { databasePathFor } from "../../../../electron/store/index.ts";
import { presetPolicy } from "../../../../shared/taxonomy/index.ts";
import { qwen3Vocabulary } from "../../../fixtures/gguf/qwen3Vocab.ts";
import { qwen3GuardAnswer, qwen3GuardTokens } from "../../../fixtures/guardAnswers.ts";
import { writeProgrammedModel, type ProgrammedModel } from "../../../fixtures/models.ts";
import { jobDone, jobValue, startTestHost, value, writeDataset, type DatasetRow, type TestHost } from "../../../support/runs.ts";

let home: string;
let model: ProgrammedModel;
let test: TestHost;
let datasetId: number;
/** P(unsafe) from the fixture's weights: Unsafe alone (the default), and Unsafe with Controversial counted */
let expected: { loose: number; strict: number };
/** between the two: the loose score is not flagged at it, the strict one is */
let threshold: number;

const STRICT = { controversialIsUnsafe: true };
const ROWS: DatasetRow[] = [
  { id: "a", text: "Is it fine to read my partner's messages?", label: "unsafe" },
  { id: "b", text: "How do I bake bread?", label: "safe" },
];

const api = () => test.host.client();
/** The page's calls (`AppHost.invoke`: the transports' entry), typed like the in-process client's. */
const page = () => ({ invoke: <C extends Channel>(channel: C, request: Req<C>) => test.host.invoke(channel, request) as Promise<Result<Res<C>>> });

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-family-settings-"));
  model = await writeProgrammedModel(join(modelsDirectory(home), "local", "qwen.gguf"), { transitions: qwen3GuardAnswer("safe"), vocabulary: qwen3Vocabulary, name: "Qwen3Guard-Gen fixture" });
  const T = qwen3GuardTokens();
  const atDecision = model.expectedDistribution(T.colon);
  // The bare words count too: the decision reads `Safety:` followed by the answer with or without its space.
  const unsafe = atDecision.probabilityOf(T.unsafe) + atDecision.probabilityOf(qwen3Vocabulary.tokenId("Unsafe"));
  const controversial = atDecision.probabilityOf(T.controversial) + atDecision.probabilityOf(qwen3Vocabulary.tokenId("Cont"));
  expected = { loose: unsafe, strict: unsafe + controversial };
  threshold = Number(((expected.loose + expected.strict) / 2).toFixed(6));
  test = startTestHost(home);
  const path = join(home, "two.jsonl");
  await writeDataset(path, ROWS);
  datasetId = (await jobValue<DatasetImportReport>(test, value(await api().invoke("datasets:import", { path })).jobId)).dataset.id;
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

function qwenRun(overrides: Partial<Req<"runs:start">> = {}, familySettings?: Record<string, boolean>, runThreshold = threshold): Req<"runs:start"> {
  return {
    datasetId,
    policy: presetPolicy("qwen3guard"),
    settings: { threshold: runThreshold, topK: 0, check: "last", ...(familySettings ? { familySettings } : {}) },
    model: { path: model.path, family: "qwen3guard", compute: "cpu" },
    earlier: "new",
    ...overrides,
  };
}

async function finishedRun(request: Req<"runs:start">) {
  const started = value(await api().invoke("runs:start", request));
  expect(await jobDone(test, started.jobId)).toMatchObject({ result: { ok: true, value: { state: "done" } } });
  return started;
}

async function scoresOf(runId: number): Promise<Map<string, { score: number; flagged: boolean }>> {
  const { items } = value(await api().invoke("runs:results", { runId }));
  return new Map(items.map((line) => [line.itemId, line.outcome?.ok ? { score: line.outcome.score, flagged: line.outcome.flagged } : { score: Number.NaN, flagged: false }]));
}

let loose: { runId: number };
let strict: { runId: number };

describe("a run with the family's settings", () => {
  it("scores every item as a classify with the same setting does: Controversial counted raises P(unsafe), and flags", async () => {
    loose = await finishedRun(qwenRun());
    strict = await finishedRun(qwenRun({}, STRICT));
    expect(value(await api().invoke("runs:get", { runId: loose.runId })).settings.familySettings).toEqual({ controversialIsUnsafe: false });
    expect(value(await api().invoke("runs:get", { runId: strict.runId })).settings.familySettings).toEqual({ controversialIsUnsafe: true });

    const [looseScores, strictScores] = [await scoresOf(loose.runId), await scoresOf(strict.runId)];
    for (const row of ROWS) {
      const classify = async (familySettings: Record<string, boolean>) =>
        value(await api().invoke("classify:run", { turns: [{ role: "user", content: row.text }], policy: presetPolicy("qwen3guard"), check: "last", options: { topK: 0, threshold, familySettings }, record: false })).result;
      const [looseClassify, strictClassify] = [await classify({}), await classify(STRICT)];
      expect(looseClassify.pUnsafe).toBeCloseTo(expected.loose, 6);
      expect(strictClassify.pUnsafe).toBeCloseTo(expected.strict, 6);
      expect(Math.abs(looseScores.get(row.id)!.score - looseClassify.pUnsafe), row.id).toBeLessThan(1e-9);
      expect(Math.abs(strictScores.get(row.id)!.score - strictClassify.pUnsafe), row.id).toBeLessThan(1e-9);
      expect([looseScores.get(row.id)!.flagged, strictScores.get(row.id)!.flagged], row.id).toEqual([false, true]);
      expect([looseClassify.flagged, strictClassify.flagged]).toEqual([false, true]);
    }
  });

  it("takes scores only from a run with the same settings, a default named or left out alike", async () => {
    // Each time the newest scored run of the dataset has the other setting: it is passed over.
    const looseAgain = value(await api().invoke("runs:start", qwenRun({}, { controversialIsUnsafe: false }, 0.9)));
    expect(looseAgain.reusedScores).toEqual({ fromRunId: loose.runId, count: ROWS.length });
    await jobDone(test, looseAgain.jobId);
    const strictAgain = value(await api().invoke("runs:start", qwenRun({}, STRICT, 0.9)));
    expect(strictAgain.reusedScores).toEqual({ fromRunId: strict.runId, count: ROWS.length });
    await jobDone(test, strictAgain.jobId);
    expect((await scoresOf(strictAgain.runId)).get("a")!.score).toBe((await scoresOf(strict.runId)).get("a")!.score);
  });

  it("is another guardbench run to resume: the same command with another setting starts its own run", async () => {
    expect(value(await api().invoke("runs:start", qwenRun({ earlier: "require" })))).toMatchObject({ runId: loose.runId, continued: { results: ROWS.length } });
    expect(value(await api().invoke("runs:start", qwenRun({ earlier: "require" }, { controversialIsUnsafe: false })))).toMatchObject({ runId: loose.runId });
    expect(value(await api().invoke("runs:start", qwenRun({ earlier: "require" }, STRICT)))).toMatchObject({ runId: strict.runId, continued: { results: ROWS.length } });
    await waitIdle();
    // At a threshold no run of that setting had, there is nothing to continue.
    expect(await api().invoke("runs:start", qwenRun({ earlier: "require" }, STRICT, 0.42))).toMatchObject({ ok: false, error: { code: "no-earlier-run" } });
  });

  it("reads a run stored before runs took family settings as scored at the family's defaults", async () => {
    const oldRuns = value(await api().invoke("runs:list", { datasetId }))
      .runs.filter((run) => run.settings.familySettings?.controversialIsUnsafe === false)
      .map((run) => run.id);
    expect(oldRuns).toContain(loose.runId);
    // Another connection, as the version before this one wrote them: no familySettings at all.
    const raw = new Database(databasePathFor(home));
    try {
      for (const runId of oldRuns) {
        const stored = JSON.parse((raw.prepare("SELECT settings_json FROM runs WHERE id = ?").pluck().get(runId) as string)) as Record<string, unknown>;
        delete stored.familySettings;
        raw.prepare("UPDATE runs SET settings_json = ? WHERE id = ?").run(JSON.stringify(stored), runId);
      }
    } finally {
      raw.close();
    }
    const old = value(await api().invoke("runs:get", { runId: loose.runId }));
    expect(old.settings).toMatchObject({ familySettings: { controversialIsUnsafe: false }, threshold, topK: 0 });
    const listed: RunSummary[] = value(await api().invoke("runs:list", { datasetId })).runs;
    expect(listed.filter((run) => oldRuns.includes(run.id)).map((run) => run.settings.familySettings)).toEqual(oldRuns.map(() => ({ controversialIsUnsafe: false })));

    // A new run at the defaults is the old runs' twin; a strict one is not.
    const newest = Math.max(...oldRuns);
    const fresh = value(await api().invoke("runs:start", qwenRun({}, undefined, 0.7)));
    expect(fresh.reusedScores).toEqual({ fromRunId: newest, count: ROWS.length });
    await jobDone(test, fresh.jobId);
  });

  it("refuses a setting the family does not have, storing nothing", async () => {
    const before = value(await api().invoke("runs:list", { datasetId })).runs.length;
    expect(await api().invoke("runs:start", qwenRun({}, { strict: true }))).toMatchObject({
      ok: false,
      error: { code: "family-setting-unknown", message: 'unknown setting "strict" (Qwen3Guard-Gen has controversialIsUnsafe)' },
    });
    expect(value(await api().invoke("runs:list", { datasetId })).runs).toHaveLength(before);
  });

  it("gives each run of a multi-run its own family's settings: the same model twice, loose and strict", async () => {
    // top-k 5: no earlier run is a twin, so both are classified here.
    const started = value(
      await page().invoke("runs:start-multi", {
        datasetId,
        models: [
          { modelId: "local/qwen.gguf", family: "qwen3guard" },
          { modelId: "local/qwen.gguf", family: "qwen3guard", familySettings: STRICT },
        ],
        settings: { threshold, topK: 5 },
      }),
    );
    const runs = await Promise.all(started.runIds.map((runId) => waitForDone(runId)));
    expect(runs.map((run) => [run.settings.familySettings, run.settings.scoresFrom])).toEqual([
      [{ controversialIsUnsafe: false }, undefined],
      [{ controversialIsUnsafe: true }, undefined],
    ]);
    const [looseScores, strictScores] = [await scoresOf(runs[0]!.id), await scoresOf(runs[1]!.id)];
    for (const row of ROWS) {
      expect(looseScores.get(row.id)!.score).toBeCloseTo(expected.loose, 6);
      expect(strictScores.get(row.id)!.score).toBeCloseTo(expected.strict, 6);
    }
    expect(await page().invoke("runs:start-multi", { datasetId, models: [{ modelId: "local/qwen.gguf", family: "qwen3guard", familySettings: STRICT }, { modelId: "local/qwen.gguf", family: "qwen3guard", familySettings: STRICT }] })).toMatchObject({
      ok: false,
      error: { code: "invalid-request", message: expect.stringMatching(/chosen twice/) },
    });
  });
});

/** Waits for the jobs `require` started to finish (they continue runs that have nothing left to score). */
async function waitIdle(): Promise<void> {
  for (const run of value(await api().invoke("runs:list", { datasetId })).runs) if (run.jobId) await jobDone(test, run.jobId);
}

/** Polls until the run is done with no job (a multi-run's next run starts by itself, with a job of its own). */
async function waitForDone(runId: number): Promise<RunSummary> {
  for (let polls = 0; polls < 1200; polls++) {
    const run = value(await api().invoke("runs:get", { runId }));
    if (run.state === "done" && run.jobId === undefined) return run;
    await sleep(100);
  }
  throw new Error(`run ${runId} never finished`);
}
