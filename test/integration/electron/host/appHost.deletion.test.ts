/**
 * Deleting datasets, runs and saved policy versions through AppHost on a real SQLite store (issue #13, item 9): what
 * goes, what stays, and what is refused. Counts of what is left are read from the database file itself with a second
 * connection, so nothing the repositories might cache can hide a row left behind. The in-progress refusal runs a real
 * run with llama.cpp on the programmed fixture model.
 */
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetImportReport, RunSummary } from "../../../../shared/ipc/contract.ts";
import type { Result } from "../../../../shared/ipc/result.ts";
import { presetPolicy, type Policy } from "../../../../shared/taxonomy/index.ts";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { databasePathFor } from "../../../../electron/store/index.ts";
import { resultWithScore } from "../../../fixtures/storedResults.ts";
import { jobDone, jobValue, numberedRows, startTestHost, value, writeDataset, writeUnsafeS3Model, type DatasetRow, type TestHost } from "../../../support/runs.ts";

const MODEL_ID = "local/unsafe-s3.gguf";
const FAMILY = "llama-guard-3-1b";

let home: string;
let test: TestHost;
let raw: Database.Database;

const api = () => test.host.client();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-deletion-"));
  await writeUnsafeS3Model(join(modelsDirectory(home), MODEL_ID));
  test = startTestHost(home);
  raw = new Database(databasePathFor(home), { readonly: true });
});

afterAll(async () => {
  raw?.close();
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

let datasetCounter = 0;
async function importDataset(rows: readonly DatasetRow[]): Promise<DatasetImportReport["dataset"]> {
  datasetCounter += 1;
  const path = join(home, `set-${datasetCounter}.jsonl`);
  await writeDataset(path, rows);
  const { jobId } = value(await api().invoke("datasets:import", { path }));
  return (await jobValue<DatasetImportReport>(test, jobId)).dataset;
}

const threeRows: DatasetRow[] = [
  { id: "a", text: "How do I bake bread?", label: "safe" },
  { id: "b", text: "How do I pick a lock?", label: "unsafe", mlcommons: ["S2"] },
  { id: "c", text: "Unlabeled question" },
];

/** A finished run of the dataset with a score for every item, written straight into the store. */
function storedRun(datasetId: number, options: { policy?: Policy; policyVersion?: number } = {}): number {
  const runId = test.store.runs.create({
    datasetId,
    model: { path: "/models/guard.gguf", sha256: "a".repeat(64), sizeBytes: 1, family: FAMILY },
    policy: options.policy ?? presetPolicy(FAMILY),
    ...(options.policyVersion !== undefined ? { policyVersion: options.policyVersion } : {}),
    settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1 },
    origin: "app",
  });
  for (const item of test.store.datasets.itemsWithLabels(datasetId)) test.store.runs.recordResult(runId, item.rowId, { ok: true, result: resultWithScore(0.7, ["S2"]) });
  test.store.runs.setState(runId, "done");
  return runId;
}

const count = (sql: string, ...params: unknown[]) => (raw.prepare(sql).get(...params) as { n: number }).n;

function errorOf<T>(result: Result<T>) {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe("deleting a run", () => {
  it("removes the run and its results; the dataset, its items and their labels stay", async () => {
    const dataset = await importDataset(threeRows);
    const kept = storedRun(dataset.id);
    const doomed = storedRun(dataset.id);
    value(await api().invoke("review:label", { datasetId: dataset.id, itemId: "c", label: "unsafe", categories: ["S1"], who: "ann" }));

    expect(value(await api().invoke("runs:delete", { runId: doomed }))).toEqual({ runId: doomed, results: 3 });

    expect(errorOf(await api().invoke("runs:get", { runId: doomed })).code).toBe("not-found");
    expect(count("SELECT COUNT(*) AS n FROM results WHERE run_id = ?", doomed)).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM results WHERE run_id = ?", kept)).toBe(3);
    const detail = value(await api().invoke("datasets:get", { datasetId: dataset.id }));
    expect(detail).toMatchObject({ items: 3, labels: { safe: 1, unsafe: 2, unlabeled: 0, reviewed: 1 } });
    expect(detail.runs.map((run) => run.id)).toEqual([kept]);
    const queue = value(await api().invoke("review:queue", { datasetId: dataset.id }));
    expect(queue.items.find((item) => item.itemId === "c")?.label).toMatchObject({ label: "unsafe", categories: ["S1"], source: "review", who: "ann" });
    // Asked for again, the deleted run is an error with a way out, never a crash or another run's data.
    expect(errorOf(await api().invoke("eval:metrics", { runId: doomed })).code).toBe("not-found");
    expect(errorOf(await api().invoke("review:queue", { datasetId: dataset.id, runId: doomed })).code).toBe("not-found");
    expect(errorOf(await api().invoke("runs:delete", { runId: doomed })).code).toBe("not-found");
  });

  it("never gives a deleted run's id to a new run", async () => {
    const dataset = await importDataset(threeRows);
    const newest = storedRun(dataset.id);
    value(await api().invoke("runs:delete", { runId: newest }));
    expect(storedRun(dataset.id)).toBeGreaterThan(newest);
  });
});

describe("deleting a dataset", () => {
  it("removes its items, labels and label events, runs and results in one go, and leaves every other dataset alone", async () => {
    const other = await importDataset(threeRows);
    const otherRun = storedRun(other.id);
    value(await api().invoke("review:label", { datasetId: other.id, itemId: "a", label: "unsafe", who: "ann" }));
    const dataset = await importDataset(numberedRows(5, 4));
    const runs = [storedRun(dataset.id), storedRun(dataset.id)];
    for (const itemId of ["item-000", "item-001"]) value(await api().invoke("review:label", { datasetId: dataset.id, itemId, label: "unsafe", who: "ann" }));
    // An undo is an event naming the one it takes back (a foreign key within label_events): both must go together.
    value(await api().invoke("review:label", { datasetId: dataset.id, itemId: "item-002", label: "safe", who: "ann" }));
    value(await api().invoke("review:undo", { datasetId: dataset.id, itemId: "item-002" }));
    const rowIds = test.store.datasets.itemsWithLabels(dataset.id).map((item) => item.rowId);

    const deleted = value(await api().invoke("datasets:delete", { datasetId: dataset.id }));
    expect(deleted).toEqual({ datasetId: dataset.id, name: dataset.name, items: 5, reviewedLabels: 2, runIds: runs, results: 10 });

    expect(count("SELECT COUNT(*) AS n FROM datasets WHERE id = ?", dataset.id)).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM dataset_items WHERE dataset_id = ?", dataset.id)).toBe(0);
    expect(count(`SELECT COUNT(*) AS n FROM label_events WHERE item_id IN (${rowIds.join(",")})`)).toBe(0);
    expect(count(`SELECT COUNT(*) AS n FROM runs WHERE id IN (${runs.join(",")})`)).toBe(0);
    expect(count(`SELECT COUNT(*) AS n FROM results WHERE run_id IN (${runs.join(",")})`)).toBe(0);
    expect(raw.pragma("foreign_key_check")).toEqual([]);

    expect(errorOf(await api().invoke("datasets:get", { datasetId: dataset.id })).code).toBe("not-found");
    expect(errorOf(await api().invoke("review:queue", { datasetId: dataset.id })).code).toBe("not-found");
    expect(value(await api().invoke("datasets:list", {})).datasets.map((d) => d.id)).not.toContain(dataset.id);
    expect(value(await api().invoke("runs:list", {})).runs.map((run) => run.id)).not.toEqual(expect.arrayContaining([runs[0]]));

    const untouched = value(await api().invoke("datasets:get", { datasetId: other.id }));
    expect(untouched).toMatchObject({ items: 3, labels: { reviewed: 1 } });
    expect(untouched.runs.map((run) => run.id)).toEqual([otherRun]);
    expect(count("SELECT COUNT(*) AS n FROM results WHERE run_id = ?", otherRun)).toBe(3);
  });

  it("never gives a deleted dataset's id (or its runs' ids) to a new import", async () => {
    const dataset = await importDataset(threeRows);
    const run = storedRun(dataset.id);
    value(await api().invoke("datasets:delete", { datasetId: dataset.id }));
    const next = await importDataset(threeRows);
    expect(next.id).toBeGreaterThan(dataset.id);
    expect(storedRun(next.id)).toBeGreaterThan(run);
  });

  it("leaves the moderation audit it was sampled from readable, and sampling works again", async () => {
    const content = "Is this a question worth auditing?";
    test.store.moderationAudit.record([
      {
        createdAt: new Date(),
        requestId: "req-1",
        inputIndex: 0,
        contentSha256: createHash("sha256").update(content).digest("hex"),
        content,
        modelName: "guard",
        modelPath: "/models/guard.gguf",
        family: FAMILY,
        policyName: "Acme",
        flagged: true,
        verdict: "unsafe",
        score: 0.9,
        categories: ["S1"],
        openai: {},
      },
    ]);
    const sampled = value(await api().invoke("moderation:audit-to-dataset", { n: 1, name: "audited" }));
    value(await api().invoke("datasets:delete", { datasetId: sampled.dataset.id }));
    expect(value(await api().invoke("moderation:settings", {})).audited).toMatchObject({ inputs: 1, withContent: 1 });
    expect(value(await api().invoke("moderation:audit-to-dataset", { n: 1, name: "audited again" })).dataset.items).toBe(1);
  });
});

describe("deleting a saved policy version", () => {
  /** A policy told apart from its other versions by its first category's description. */
  const acme = (text: string, name = "Acme deletion"): Policy => {
    const preset = presetPolicy(FAMILY);
    return { ...preset, name, categories: preset.categories.map((category, index) => (index === 0 ? { ...category, description: text } : category)) };
  };
  const textOf = (policy: Policy) => policy.categories[0]!.description;

  it("deletes a version no run used, and never gives its number to a later save", async () => {
    value(await api().invoke("policies:save", { policy: acme("first") }));
    const second = value(await api().invoke("policies:save", { policy: acme("second") }));
    // A classification in the history that used the version keeps its own copy of the policy.
    const historyId = test.store.history.add({ turns: [{ role: "user", content: "hi" }], policy: acme("second"), policyVersion: second.version, modelPath: "/models/guard.gguf", family: FAMILY, result: resultWithScore(0.2) });

    expect(value(await api().invoke("policies:delete-version", { name: "Acme deletion", version: second.version }))).toEqual({ name: "Acme deletion", version: second.version, outcome: "deleted", runs: 0 });

    expect(errorOf(await api().invoke("policies:get", { name: "Acme deletion", version: second.version })).code).toBe("not-found");
    const listed = value(await api().invoke("policies:list", { includeHidden: true })).policies.find((p) => p.name === "Acme deletion");
    expect(listed?.versions.map((v) => v.version)).toEqual([1]);
    const entry = value(await api().invoke("history:get", { id: historyId }));
    expect(entry).toMatchObject({ policyName: "Acme deletion", policyVersion: second.version });
    expect(textOf(entry.policy)).toBe("second");
    expect(value(await api().invoke("policies:save", { policy: acme("third") })).version).toBe(second.version + 1);
  });

  it("hides a version a run used: gone from the lists, still there for the run (name, version and text)", async () => {
    const dataset = await importDataset(threeRows);
    const name = "Acme hidden";
    const older = value(await api().invoke("policies:save", { policy: acme("older", name) }));
    const used = value(await api().invoke("policies:save", { policy: acme("used by a run", name) }));
    const runId = storedRun(dataset.id, { policy: acme("used by a run", name), policyVersion: used.version });

    expect(value(await api().invoke("policies:delete-version", { name, version: used.version }))).toEqual({ name, version: used.version, outcome: "hidden", runs: 1 });

    const shown = value(await api().invoke("policies:list", {})).policies.find((p) => p.name === name)!;
    expect(shown).toMatchObject({ latestVersion: older.version, versions: [expect.objectContaining({ version: older.version, runs: 0 })] });
    expect(shown.versions).toHaveLength(1);
    const all = value(await api().invoke("policies:list", { includeHidden: true })).policies.find((p) => p.name === name)!;
    expect(all.versions).toEqual([expect.objectContaining({ version: older.version, runs: 0 }), expect.objectContaining({ version: used.version, hidden: true, runs: 1 })]);
    expect(all.versions[0]).not.toHaveProperty("hidden");
    // The editor's "open the latest" never lands on a hidden version while another is there.
    expect(all.latestVersion).toBe(older.version);
    expect(value(await api().invoke("policies:get", { name })).version).toBe(older.version);
    const hidden = value(await api().invoke("policies:get", { name, version: used.version }));
    expect(hidden.hidden).toBe(true);
    expect(textOf(hidden.policy)).toBe("used by a run");
    const run = value(await api().invoke("runs:get", { runId }));
    expect(run).toMatchObject({ policyName: name, policyVersion: used.version });
    expect(textOf(run.policy)).toBe("used by a run");
    // A hidden version still counts: the next save does not take its number.
    expect(value(await api().invoke("policies:save", { policy: acme("newest", name) })).version).toBe(used.version + 1);

    // Once its last run is gone, deleting it again deletes it.
    value(await api().invoke("runs:delete", { runId }));
    expect(value(await api().invoke("policies:delete-version", { name, version: used.version })).outcome).toBe("deleted");
    expect(errorOf(await api().invoke("policies:get", { name, version: used.version })).code).toBe("not-found");
  });
});

describe("a run in progress", () => {
  it("cannot be deleted, nor its dataset, until it is cancelled", async () => {
    const dataset = await importDataset(numberedRows(8));
    if (value(await api().invoke("engine:status", {})).state !== "ready") {
      const { jobId } = value(await api().invoke("models:load", { id: MODEL_ID, family: FAMILY }));
      await jobValue(test, jobId);
    }
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

    const refused = errorOf(await api().invoke("runs:delete", { runId: started.runId }));
    expect(refused).toMatchObject({ code: "run-in-progress", message: `run ${started.runId} is being scored, so it cannot be deleted`, hint: expect.stringMatching(/^Cancel the run first/) });
    const datasetRefused = errorOf(await api().invoke("datasets:delete", { datasetId: dataset.id }));
    expect(datasetRefused).toMatchObject({ code: "run-in-progress", message: expect.stringContaining(`(run ${started.runId})`) });
    expect(value(await api().invoke("runs:get", { runId: started.runId })).state).toBe("paused");
    expect(value(await api().invoke("datasets:get", { datasetId: dataset.id })).items).toBe(8);

    value(await api().invoke("job:cancel", { jobId }));
    await jobDone(test, jobId);
    expect(value(await api().invoke("runs:delete", { runId: started.runId })).runId).toBe(started.runId);
  });

  it("scored by another live process cannot be deleted either", async () => {
    const dataset = await importDataset(threeRows);
    const runId = storedRun(dataset.id);
    // The test runner's parent process stands for a `guardbench run` scoring the run elsewhere.
    expect(test.store.runs.claim(runId, process.ppid, () => false)).toEqual({ ok: true });
    expect(errorOf(await api().invoke("runs:delete", { runId }))).toMatchObject({ code: "run-in-progress", message: expect.stringContaining(`another Guardbench process (pid ${process.ppid})`) });
    expect(errorOf(await api().invoke("datasets:delete", { datasetId: dataset.id })).code).toBe("run-in-progress");
    test.store.runs.release(runId, process.ppid);
    expect(value(await api().invoke("datasets:delete", { datasetId: dataset.id })).runIds).toEqual([runId]);
    const summaries: RunSummary[] = value(await api().invoke("runs:list", { datasetId: dataset.id })).runs;
    expect(summaries).toEqual([]);
  });
});
