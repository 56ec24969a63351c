/**
 * eval:metrics keeps a run's joined rows between requests (electron/evaluation/joinedItemsCache.ts): every answer must still
 * be the current one — after a label, an undo, a label written by another connection (another process), and a result
 * added to the run.
 */
import Database from "better-sqlite3";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatasetImportReport } from "../../../../shared/ipc/contract.ts";
import { presetPolicy } from "../../../../shared/taxonomy/index.ts";
import { databasePathFor } from "../../../../electron/store/index.ts";
import { resultWithScore } from "../../../fixtures/storedResults.ts";
import { jobValue, startTestHost, value, writeDataset, type TestHost } from "../../../support/runs.ts";

const run = promisify(execFile);
let home: string;
let test: TestHost;
let datasetId: number;
let runId: number;
const api = () => test.host.client();
const counts = async () => value(await api().invoke("eval:metrics", { runId })).evaluation.counts;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-evalcache-"));
  test = startTestHost(home);
  const path = join(home, "three.jsonl");
  await writeDataset(path, [
    { id: "a", text: "one", label: "unsafe" },
    { id: "b", text: "two", label: "safe" },
    { id: "c", text: "three" },
  ]);
  const { jobId } = value(await api().invoke("datasets:import", { path }));
  datasetId = (await jobValue<DatasetImportReport>(test, jobId)).dataset.id;
  runId = test.store.runs.create({
    datasetId,
    model: { path: "/models/guard.gguf", sha256: "a".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" },
    policy: presetPolicy("llama-guard-3-1b"),
    settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1 },
    origin: "app",
  });
  test.store.runs.recordResult(runId, test.store.datasets.itemRowId(datasetId, "a"), { ok: true, result: resultWithScore(0.9) });
  test.store.runs.recordResult(runId, test.store.datasets.itemRowId(datasetId, "b"), { ok: true, result: resultWithScore(0.8) });
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

it("answers the current counts after each label, undo, outside write and new result", async () => {
  expect(await counts()).toEqual({ tp: 1, fp: 1, tn: 0, fn: 0, total: 2 });
  value(await api().invoke("review:label", { datasetId, itemId: "b", label: "unsafe" }));
  expect(await counts()).toEqual({ tp: 2, fp: 0, tn: 0, fn: 0, total: 2 });
  value(await api().invoke("review:undo", { datasetId, itemId: "b" }));
  expect(await counts()).toEqual({ tp: 1, fp: 1, tn: 0, fn: 0, total: 2 });

  // Another process's label: a second connection to the same database.
  const other = new Database(databasePathFor(home));
  try {
    const rowA = test.store.datasets.itemRowId(datasetId, "a");
    other.prepare("INSERT INTO label_events (item_id, kind, label, categories_json, who, created_at) VALUES (?, 'label', 'safe', '[]', 'cli', ?)").run(rowA, new Date().toISOString());
  } finally {
    other.close();
  }
  expect(await counts()).toEqual({ tp: 0, fp: 2, tn: 0, fn: 0, total: 2 });

  value(await api().invoke("review:label", { datasetId, itemId: "c", label: "safe" }));
  test.store.runs.recordResult(runId, test.store.datasets.itemRowId(datasetId, "c"), { ok: true, result: resultWithScore(0.1) });
  expect(await counts()).toEqual({ tp: 0, fp: 2, tn: 1, fn: 0, total: 3 });
});

it("guardbench eval --run measures the stored run through eval:metrics, with the labels as they are now", async () => {
  value(await api().invoke("review:label", { datasetId, itemId: "a", label: "unsafe" }));
  const expected = value(await api().invoke("eval:metrics", { runId, threshold: 0.85 })).evaluation;
  expect(expected.counts).toEqual({ tp: 1, fp: 0, tn: 2, fn: 0, total: 3 });
  const cli = (...args: string[]) =>
    run(process.execPath, [join(process.cwd(), "bin", "guardbench.js"), "eval", ...args], { env: { ...process.env, GUARDBENCH_HOME: home } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (failure: { code: number; stdout: string; stderr: string }) => failure,
    );
  const measured = await cli("--run", String(runId), "--threshold", "0.85", "--json");
  expect(measured.code).toBe(0);
  const { precision, recall, f1, fpr, auprc, counts } = expected;
  expect(JSON.parse(measured.stdout)).toEqual({ precision, recall, f1, fpr, auprc, counts: { ...counts, skipped: 0 } });
  const table = await cli("--run", String(runId));
  expect(table.stdout).toMatch(/^run \d+: 3 item\(s\) evaluated at threshold 0\.5$/m);
  expect(table.stdout).toMatch(/flagged\s+tp 1\s+fp 1/);

  const both = await cli("--run", String(runId), "--results", "x.jsonl");
  expect(both.code).toBe(2);
  expect(both.stderr).toMatch(/give one of --results FILE, --run ID and --runs ID,ID,…/);
  const missing = await cli("--run", "999999");
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/run 999999/);
});
