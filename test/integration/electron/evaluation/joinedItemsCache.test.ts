/**
 * eval:metrics keeps a run's joined rows between requests (electron/evaluation/joinedItemsCache.ts): every answer must still
 * be the current one — after a label, an undo, a label written by another connection (another process), and a result
 * added to the run.
 */
import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatasetImportReport } from "../../../../shared/ipc/contract.ts";
import { presetPolicy } from "../../../../shared/taxonomy/index.ts";
import { databasePathFor } from "../../../../electron/store/index.ts";
import { resultWithScore } from "../../../fixtures/storedResults.ts";
import { jobValue, startTestHost, value, writeDataset, type TestHost } from "../../../support/runs.ts";

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
