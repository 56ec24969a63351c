/**
 * Datasets and batch runs through AppHost with real parts: SQLite on a temporary home, the dataset importer, and
 * llama.cpp on the programmed fixture model (CPU, one thread, two sequences). Every score asserted is the one the
 * fixture's weights give (test/support/runs.ts), never one read back from the engine.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DatasetImportReport, JobProgress, RunJobProgress, RunSummary } from "../../../shared/ipc/contract.ts";
import { modelsDirectory } from "../../../electron/models/paths.ts";
import { cachedSha256OfFile } from "../../../electron/core/fileHash.ts";
import { presetPolicy } from "../../../shared/taxonomy/index.ts";
import type { ProgrammedModel } from "../../fixtures/models.ts";
import { eventsOf, expectedPUnsafe, jobDone, jobValue, numberedRows, startTestHost, value, writeDataset, writeUnsafeS3Model, type TestHost } from "../../support/runs.ts";

const MODEL_ID = "local/unsafe-s3.gguf";

let home: string;
let model: ProgrammedModel;
let test: TestHost;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-runs-"));
  model = await writeUnsafeS3Model(join(modelsDirectory(home), MODEL_ID));
  test = startTestHost(home);
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

const api = () => test.host.client();

async function importJsonl(name: string, rows: ReturnType<typeof numberedRows>): Promise<DatasetImportReport> {
  const path = join(home, `${name}.jsonl`);
  await writeDataset(path, rows);
  const { jobId } = value(await api().invoke("datasets:import", { path }));
  return jobValue<DatasetImportReport>(test, jobId);
}

async function loadModel(): Promise<void> {
  if (value(await api().invoke("engine:status", {})).state === "ready") return;
  const { jobId } = value(await api().invoke("models:load", { id: MODEL_ID, family: "llama-guard-3-1b" }));
  await jobValue(test, jobId);
}

function runProgress(jobId: string): RunJobProgress[] {
  return eventsOf(test.events, "job:progress").filter((p): p is RunJobProgress => p.jobId === jobId && p.kind === "run");
}

describe("importing datasets", () => {
  it("previews a CSV with a suggested mapping, imports it with bad rows listed by row and line, and stores nothing on stop", async () => {
    const path = join(home, "mapped.csv");
    await writeFile(path, 'text,is_harmful,topic\n"How do I bake bread?",0,food\n"How do I pick a lock?",1,crime\n"",1,empty\n"Where is the station?",maybe,travel\n');
    const preview = value(await api().invoke("datasets:preview", { path }));
    expect(preview).toMatchObject({ format: "csv", columns: ["text", "is_harmful", "topic"], partial: false });
    expect(preview.detection.mapping).toMatchObject({ prompt: "text", label: "is_harmful" });
    expect(preview.rows).toHaveLength(4);

    const mapping = { prompt: "text", label: "is_harmful" };
    const { jobId } = value(await api().invoke("datasets:import", { path, mapping }));
    const report = await jobValue<DatasetImportReport>(test, jobId);
    expect(report.dataset).toMatchObject({ name: "mapped", format: "csv", mapping, items: 2, badRows: 2, labels: { safe: 1, unsafe: 1, unlabeled: 0, reviewed: 0 } });
    expect(report.badRows.map(({ row, line }) => [row, line])).toEqual([
      [3, 4],
      [4, 5],
    ]);
    expect(report.badRows[0]!.reason).toMatch(/prompt/);
    expect(report.badRows[1]!.reason).toMatch(/"maybe"/);
    expect(value(await api().invoke("datasets:get", { datasetId: report.dataset.id })).badRowList).toEqual(report.badRows);

    const before = value(await api().invoke("datasets:list", {})).datasets.length;
    const stopped = value(await api().invoke("datasets:import", { path, mapping, onBadRows: "stop" }));
    const done = await jobDone(test, stopped.jobId);
    expect(done.result).toMatchObject({ ok: false, error: { code: "bad-row", message: expect.stringMatching(/^row 3 \(line 4\)/) } });
    expect(value(await api().invoke("datasets:list", {})).datasets).toHaveLength(before);
  });

  it("makes no dataset from an import that gives no items, and imports a yes/no label column through its label values", async () => {
    const path = join(home, "yes-no.csv");
    await writeFile(path, "text,is_harmful\nHow do I pick a lock?,yes\nHow do I bake bread?,no\nWhere is the station?,No\n");
    const before = value(await api().invoke("datasets:list", {})).datasets.length;
    const refused = await jobDone(test, value(await api().invoke("datasets:import", { path, mapping: { prompt: "text", label: "is_harmful" } })).jobId);
    expect(refused.result).toMatchObject({
      ok: false,
      error: { code: "no-items", message: expect.stringMatching(/^none of the file's 3 rows could be imported, so no dataset was made; the first, row 1 \(line 2\): the label "yes"/), hint: expect.stringMatching(/label values/) },
    });
    expect(value(await api().invoke("datasets:list", {})).datasets).toHaveLength(before);

    const mapping = { prompt: "text", label: "is_harmful", labelValues: { unsafe: ["yes"], safe: ["no"] } };
    const report = await jobValue<DatasetImportReport>(test, value(await api().invoke("datasets:import", { path, mapping })).jobId);
    expect(report.dataset).toMatchObject({ items: 3, badRows: 0, mapping, labels: { safe: 2, unsafe: 1, unlabeled: 0 } });
    expect(await api().invoke("datasets:import", { path, mapping: { ...mapping, labelValues: { unsafe: ["yes"], safe: ["YES"] } } })).toMatchObject({ ok: false, error: { code: "invalid-request", message: expect.stringMatching(/both unsafe and safe/) } });
  });

  it("reports an unclosed quote at its line and imports the rows after it", async () => {
    const path = join(home, "unclosed.csv");
    await writeFile(path, 'text,label\nfirst,safe\n"an unclosed quote,unsafe\nthird,safe\n"quoted, fourth",unsafe\nfifth,safe\n');
    const report = await jobValue<DatasetImportReport>(test, value(await api().invoke("datasets:import", { path, mapping: { prompt: "text", label: "label" } })).jobId);
    expect(report.dataset).toMatchObject({ items: 4, badRows: 1 });
    expect(report.badRows).toEqual([{ row: 2, line: 3, reason: expect.stringMatching(/^a quote opens a field on this line and is not closed/) }]);
  });

  it("imports a bundled demo and lists the demos with their licences", async () => {
    const list = value(await api().invoke("datasets:list", {}));
    expect(list.demos.map((demo) => demo.name)).toContain("sample-chats");
    const { jobId } = value(await api().invoke("datasets:demo", { name: "sample-chats" }));
    const report = await jobValue<DatasetImportReport>(test, jobId);
    expect(report.dataset).toMatchObject({ name: "sample-chats (demo)", items: 20, labels: { safe: 13, unsafe: 7 } });
    expect(await api().invoke("datasets:demo", { name: "nope" })).toMatchObject({ ok: false, error: { code: "demo-not-found" } });
  });

  it("refuses a relative path (the main side has no working folder the user knows)", async () => {
    expect(await api().invoke("datasets:import", { path: "data.jsonl" })).toMatchObject({ ok: false, error: { code: "invalid-request" } });
  });
});

describe("runs", () => {
  it("refuses to start without a loaded model, then scores every item with progress and stores each result", async () => {
    const { dataset } = await importJsonl("eight", numberedRows(8));
    expect(await api().invoke("runs:start", { datasetId: dataset.id })).toMatchObject({ ok: false, error: { code: "no-model-loaded" } });
    await loadModel();

    const started = value(await api().invoke("runs:start", { datasetId: dataset.id, settings: { threshold: 0.7 } }));
    const summary = await jobValue<RunSummary>(test, started.jobId);
    expect(summary).toMatchObject({ id: started.runId, state: "done", counts: { items: 8, scored: 8, failed: 0, pending: 0 }, origin: "app" });
    expect(summary.settings).toEqual({ threshold: 0.7, topK: 5, check: "last", sequences: 2 });
    expect(summary.model).toMatchObject({ path: model.path, family: "llama-guard-3-1b", sha256: (await cachedSha256OfFile(test.store.fileHashes, model.path)).sha256 });
    expect(summary.policyName).toBe(presetPolicy("llama-guard-3-1b").name);

    const progress = runProgress(started.jobId);
    const done = progress.map((p) => p.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ done: 8, total: 8, failed: 0 });

    const item = value(await api().invoke("results:get", { runId: started.runId, itemId: "item-004" }));
    expect(item.result!.pUnsafe).toBeCloseTo(expectedPUnsafe(model), 6);
    expect(item.result!.categories).toEqual(["S3"]);
    // The prompt text is rebuilt from the stored policy: exactly what the engine fed the model.
    const tokenized = value(await api().invoke("prompt:tokenize", { turns: item.turns }));
    expect(item.result!.prompt).toEqual({ text: tokenized.text, tokenCount: tokenized.tokenCount });
    expect(item.label).toMatchObject({ label: "unsafe", source: "import" });

    const metrics = value(await api().invoke("eval:metrics", { runId: started.runId }));
    expect(metrics.threshold).toBe(0.7);
    // Every item scores 0.8 ≥ 0.7: flagged. Items 0, 3, 6 are labeled safe.
    expect(metrics.evaluation.counts).toEqual({ tp: 5, fp: 3, tn: 0, fn: 0, total: 8 });
    expect(value(await api().invoke("runs:list", { datasetId: dataset.id })).runs.map((run) => run.id)).toEqual([started.runId]);
  });

  it("exports labels and results as JSON Lines and CSV", async () => {
    const { dataset } = await importJsonl("export", numberedRows(3));
    await loadModel();
    const started = value(await api().invoke("runs:start", { datasetId: dataset.id }));
    await jobValue(test, started.jobId);
    value(await api().invoke("review:label", { datasetId: dataset.id, itemId: "item-001", label: "safe", note: "a question about doors", who: "tester" }));

    const jsonlPath = join(home, "export.out.jsonl");
    expect(value(await api().invoke("datasets:export", { datasetId: dataset.id, runId: started.runId, path: jsonlPath, format: "jsonl" }))).toMatchObject({ path: jsonlPath, rows: 3 });
    const lines = (await readFile(jsonlPath, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[1]).toMatchObject({ id: "item-001", label: "safe", labelSource: "review", note: "a question about doors", labeledBy: "tester", verdict: "unsafe", flagged: true, categories: ["S3"] });
    expect(lines[1]!.score).toBeCloseTo(expectedPUnsafe(model), 6);
    expect(lines[0]).toMatchObject({ id: "item-000", label: "safe", labelSource: "import" });

    const csvPath = join(home, "export.out.csv");
    value(await api().invoke("datasets:export", { datasetId: dataset.id, path: csvPath, format: "csv" }));
    expect((await readFile(csvPath, "utf8")).split(/\r?\n/)[0]).toBe("id,label,labelSource,labelCategories,note,labeledBy,labeledAt");
  });

  it("a run that differs only by its threshold takes the scores instead of classifying again, and flags at its own threshold", async () => {
    const { dataset } = await importJsonl("threshold-only", numberedRows(4));
    await loadModel();
    const first = value(await api().invoke("runs:start", { datasetId: dataset.id, settings: { threshold: 0.5 } }));
    expect(first.reusedScores).toBeUndefined();
    await jobValue(test, first.jobId);
    const classify = vi.spyOn(test.engine, "classify");
    try {
      const second = value(await api().invoke("runs:start", { datasetId: dataset.id, settings: { threshold: 0.9 } }));
      expect(second.reusedScores).toEqual({ fromRunId: first.runId, count: 4 });
      const summary = await jobValue<RunSummary>(test, second.jobId);
      expect(summary).toMatchObject({ state: "done", counts: { items: 4, scored: 4, failed: 0, pending: 0 } });
      expect(summary.settings).toMatchObject({ threshold: 0.9, scoresFrom: first.runId });
      expect(classify).not.toHaveBeenCalled();
      // Every item scores 0.8: flagged at 0.5, not at 0.9 — the same scores, the run's own threshold.
      const opened = value(await api().invoke("results:get", { runId: second.runId, itemId: "item-001" }));
      expect(opened.result).toMatchObject({ threshold: 0.9, flagged: false });
      expect(opened.result!.score).toBeCloseTo(expectedPUnsafe(model), 6);
      const original = value(await api().invoke("results:get", { runId: first.runId, itemId: "item-001" })).result!;
      expect(original).toMatchObject({ threshold: 0.5, flagged: true });
      expect(opened.result!.score).toBe(original.score);
      expect(value(await api().invoke("results:get", { runId: first.runId, itemId: "item-001", threshold: 0.95 })).result).toMatchObject({ threshold: 0.95, flagged: false });
      expect(value(await api().invoke("eval:metrics", { runId: second.runId })).evaluation.counts).toMatchObject({ tp: 0, fp: 0 });
      // Another check mode needs new scores.
      const third = value(await api().invoke("runs:start", { datasetId: dataset.id, settings: { threshold: 0.9, check: "prompt" } }));
      expect(third.reusedScores).toBeUndefined();
      await jobValue(test, third.jobId);
      expect(classify).toHaveBeenCalledTimes(4);
    } finally {
      classify.mockRestore();
    }
    // The export's flagged column takes a threshold too.
    const path = join(home, "threshold-only.out.jsonl");
    value(await api().invoke("datasets:export", { datasetId: dataset.id, runId: first.runId, threshold: 0.85, path, format: "jsonl" }));
    const lines = (await readFile(path, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.flagged)).toEqual([false, false, false, false]);
  });

  it("marks the items in flight failed when the engine crashes, goes on, and retries only those on resume", async () => {
    const { dataset } = await importJsonl("crash", numberedRows(16));
    await loadModel();
    let killed = false;
    let jobId = "";
    const stop = test.host.on("job:progress", (progress: JobProgress) => {
      // In the progress report of the third result the other sequence's item is still being scored: kill the worker now.
      if (!killed && progress.jobId === jobId && progress.kind === "run" && progress.done >= 3) {
        killed = true;
        test.engine.killWorkerForTesting();
      }
    });
    const started = value(await api().invoke("runs:start", { datasetId: dataset.id }));
    jobId = started.jobId;
    const summary = await jobValue<RunSummary>(test, jobId);
    stop();
    expect(killed).toBe(true);
    expect(summary.state).toBe("done");
    expect(summary.counts.failed).toBeGreaterThanOrEqual(1);
    expect(summary.counts.scored + summary.counts.failed).toBe(16);

    const page = value(await api().invoke("review:queue", { datasetId: dataset.id, runId: started.runId, limit: 100 }));
    const failed = page.items.filter((item) => item.result?.ok === false);
    expect(failed).toHaveLength(summary.counts.failed);
    for (const item of failed) expect(item.result).toMatchObject({ ok: false, error: { code: "engine-crashed", message: expect.stringMatching(/stopped unexpectedly/) } });
    const scoredBefore = new Map<string, string | undefined>();
    for (const item of page.items.filter((i) => i.result?.ok)) scoredBefore.set(item.itemId, value(await api().invoke("results:get", { runId: started.runId, itemId: item.itemId })).finishedAt);

    expect(await api().invoke("runs:resume", { runId: started.runId })).toMatchObject({ ok: false, error: { code: "run-not-resumable", message: expect.stringMatching(/retryFailed/) } });
    const resumed = value(await api().invoke("runs:resume", { runId: started.runId, retryFailed: true }));
    const after = await jobValue<RunSummary>(test, resumed.jobId);
    expect(after.counts).toEqual({ items: 16, scored: 16, failed: 0, pending: 0 });
    expect(runProgress(resumed.jobId)[0]).toMatchObject({ done: 16 - summary.counts.failed, total: 16, failed: 0 });
    // The items scored before the crash were left alone.
    for (const [itemId, finishedAt] of scoredBefore) expect(value(await api().invoke("results:get", { runId: started.runId, itemId })).finishedAt).toBe(finishedAt);
  });

  it("pauses and resumes a run as a job", async () => {
    const { dataset } = await importJsonl("pause", numberedRows(6));
    await loadModel();
    let jobId = "";
    let markPaused!: () => void;
    const paused = new Promise<void>((resolve) => (markPaused = resolve));
    let pauseAsked = false;
    const stop = test.host.on("job:progress", (progress) => {
      if (!pauseAsked && progress.jobId === jobId && progress.kind === "run" && progress.done >= 1) {
        pauseAsked = true;
        void api().invoke("job:pause", { jobId }).then(markPaused);
      }
    });
    const started = value(await api().invoke("runs:start", { datasetId: dataset.id }));
    jobId = started.jobId;
    await paused;
    stop();
    const whilePaused = value(await api().invoke("runs:get", { runId: started.runId }));
    expect(whilePaused).toMatchObject({ state: "paused", jobId });
    // Only the items already in flight (one per sequence) finish while paused.
    expect(whilePaused.counts.scored).toBeLessThanOrEqual(3);
    expect(value(await api().invoke("runs:resume", { runId: started.runId }))).toEqual({ runId: started.runId, jobId });
    const summary = await jobValue<RunSummary>(test, jobId);
    expect(runProgress(jobId).map((p) => p.state)).toEqual(expect.arrayContaining(["paused", "running"]));
    expect(summary).toMatchObject({ state: "done", counts: { scored: 6 } });
  });

  it("refuses to resume when the model file changed, or when another model is loaded", async () => {
    const { dataset } = await importJsonl("refusals", numberedRows(2));
    await loadModel();
    const base = { datasetId: dataset.id, policy: presetPolicy("llama-guard-3-1b"), settings: { threshold: 0.5, topK: 5, check: "last" as const, sequences: 2 }, origin: "app" as const };
    const changed = test.store.runs.create({ ...base, model: { path: model.path, sha256: "0".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" } });
    test.store.runs.setState(changed, "paused");
    expect(await api().invoke("runs:resume", { runId: changed })).toMatchObject({
      ok: false,
      error: { code: "model-changed", message: expect.stringMatching(/^the model changed: .*unsafe-s3\.gguf is not the file run \d+ started with/) },
    });
    expect(value(await api().invoke("runs:get", { runId: changed })).counts.scored).toBe(0);

    const other = test.store.runs.create({ ...base, model: { path: join(home, "elsewhere.gguf"), sha256: "1".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" } });
    test.store.runs.setState(other, "paused");
    expect(await api().invoke("runs:resume", { runId: other })).toMatchObject({ ok: false, error: { code: "model-mismatch", hint: expect.stringMatching(/Load the run's model/) } });
  });

  it("resumes at start-up a run the app left running, loading the run's model itself", async () => {
    const { dataset } = await importJsonl("startup", numberedRows(4));
    const { sha256, size } = await cachedSha256OfFile(test.store.fileHashes, model.path);
    const runId = test.store.runs.create({
      datasetId: dataset.id,
      model: { path: model.path, sha256, sizeBytes: size, family: "llama-guard-3-1b" },
      policy: presetPolicy("llama-guard-3-1b"),
      settings: { threshold: 0.5, topK: 5, check: "last", sequences: 2 },
      origin: "app",
    });
    // A second app on the same home, as after a restart: nothing loaded yet.
    const restarted = startTestHost(home);
    try {
      await restarted.host.resumeInterruptedRuns();
      const job = eventsOf(restarted.events, "job:progress").find((p): p is RunJobProgress => p.kind === "run" && p.runId === runId);
      expect(job).toBeDefined();
      const summary = await jobValue<RunSummary>(restarted, job!.jobId);
      expect(summary).toMatchObject({ state: "done", counts: { scored: 4, failed: 0 } });
      expect(eventsOf(restarted.events, "engine:status").map((s) => s.state)).toEqual(expect.arrayContaining(["loading", "ready"]));
    } finally {
      restarted.dispose();
    }
  });
});
