/**
 * The evaluation loop's stored side through AppHost on a real SQLite store (#13.2, #13.4, #13.9, #13.11): labels and
 * runs announced as events wherever they were written (this host, another connection, `guardbench label` in another
 * process), runs renamed with a note, and deletion of datasets, runs and policy versions (hidden when a run used one).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetImportReport } from "../../../../shared/ipc/contract.ts";
import { presetPolicy, type Policy } from "../../../../shared/taxonomy/index.ts";
import { databasePathFor } from "../../../../electron/store/index.ts";
import { resultWithScore } from "../../../fixtures/storedResults.ts";
import { eventsOf, jobValue, startTestHost, value, writeDataset, type TestHost } from "../../../support/runs.ts";

const exec = promisify(execFile);
const bin = join(process.cwd(), "bin", "guardbench.js");

let home: string;
let test: TestHost;
const api = () => test.host.client();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-evalloop-"));
  test = startTestHost(home, {}, { storeWatchIntervalMs: 20 });
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

async function importDataset(name: string): Promise<number> {
  const path = join(home, `${name}.jsonl`);
  await writeDataset(path, [
    { id: "a", text: "one", label: "unsafe", mlcommons: ["S14"] },
    { id: "b", text: "two", label: "safe" },
  ]);
  const { jobId } = value(await api().invoke("datasets:import", { path }));
  return (await jobValue<DatasetImportReport>(test, jobId)).dataset.id;
}

function storeRun(datasetId: number, policy: Policy = presetPolicy("llama-guard-3-1b"), policyVersion?: number): number {
  const runId = test.store.runs.create({
    datasetId,
    model: { path: "/models/guard-Q8_0.gguf", sha256: "a".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" },
    policy,
    ...(policyVersion !== undefined ? { policyVersion } : {}),
    settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1 },
    origin: "app",
  });
  for (const [itemId, score] of [["a", 0.9], ["b", 0.2]] as const) test.store.runs.recordResult(runId, test.store.datasets.itemRowId(datasetId, itemId), { ok: true, result: resultWithScore(score, score > 0.5 ? ["S14"] : []) });
  test.store.runs.setState(runId, "done");
  return runId;
}

async function until(check: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500 && !check(); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check()).toBe(true);
}

describe("labels:changed and runs:changed", () => {
  it("announces a label given through the host before its answer, and a run created in the store", async () => {
    const datasetId = await importDataset("events");
    const before = test.events.length;
    value(await api().invoke("review:label", { datasetId, itemId: "b", label: "unsafe" }));
    expect(eventsOf(test.events.slice(before), "labels:changed")).toEqual([{ datasetId }]);
    const runId = storeRun(datasetId);
    await until(() => eventsOf(test.events, "runs:changed").some((change) => change.runId === runId && change.changes.includes("created")));
  });

  it("announces labels written by another process: another connection, and `guardbench label`", async () => {
    const datasetId = await importDataset("outside");
    const other = new Database(databasePathFor(home));
    const seen = () => eventsOf(test.events, "labels:changed").filter((change) => change.datasetId === datasetId).length;
    try {
      other.prepare("INSERT INTO label_events (item_id, kind, label, categories_json, who, created_at) VALUES (?, 'label', 'safe', '[]', 'other', ?)").run(test.store.datasets.itemRowId(datasetId, "a"), new Date().toISOString());
    } finally {
      other.close();
    }
    await until(() => seen() === 1);

    const { stdout } = await exec(process.execPath, [bin, "label", "--dataset", "outside", "--item", "b", "--label", "unsafe", "--categories", "S1", "--who", "cli"], { env: { ...process.env, GUARDBENCH_HOME: home } });
    expect(stdout).toMatch(/^labeled "b" of dataset \d+ \(outside\) unsafe S1, by cli/);
    await until(() => seen() === 2);
    expect(value(await api().invoke("review:queue", { datasetId, limit: 10 })).items.map((item) => [item.itemId, item.label?.label, item.label?.source])).toEqual([
      ["a", "safe", "review"],
      ["b", "unsafe", "review"],
    ]);
    const failed = await exec(process.execPath, [bin, "label", "--dataset", "outside", "--item", "zz", "--label", "unsafe"], { env: { ...process.env, GUARDBENCH_HOME: home } }).catch((error: { stderr: string; code: number }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('has no item with the id "zz"');
    // The host's contract refuses a bad code; the CLI says it in its own flag's name, as a usage error.
    const badCode = await exec(process.execPath, [bin, "label", "--dataset", "outside", "--item", "b", "--label", "unsafe", "--categories", `S1,${"x".repeat(201)}`], { env: { ...process.env, GUARDBENCH_HOME: home } }).catch((error: { stderr: string; code: number }) => error);
    expect(badCode).toMatchObject({ code: 2 });
    expect((badCode as { stderr: string }).stderr).toMatch(/^guardbench label: --categories/);
    const noDataset = await exec(process.execPath, [bin, "label", "--dataset", "nowhere", "--item", "b", "--label", "safe"], { env: { ...process.env, GUARDBENCH_HOME: home } }).catch((error: { stderr: string; code: number }) => error);
    expect((noDataset as { stderr: string }).stderr).toContain('there is no dataset named "nowhere"; the datasets are: ');
    await until(() => seen() === 2);
    expect(value(await api().invoke("review:queue", { datasetId, limit: 10 })).items.map((item) => item.label?.label)).toEqual(["safe", "unsafe"]);
  });
});

describe("runs:update", () => {
  it("renames a run and notes it; an empty name gives back the generated one; bad names are refused", async () => {
    const runId = storeRun(await importDataset("names"));
    expect(value(await api().invoke("runs:update", { runId, name: "  Baseline  ", note: "before the S14 rewrite" }))).toMatchObject({ id: runId, name: "Baseline", note: "before the S14 rewrite" });
    expect(value(await api().invoke("runs:list", {})).runs.find((run) => run.id === runId)).toMatchObject({ name: "Baseline", note: "before the S14 rewrite" });
    const cleared = value(await api().invoke("runs:update", { runId, name: "" }));
    expect(cleared.name).toBeUndefined();
    expect(cleared.note).toBe("before the S14 rewrite");
    expect(await api().invoke("runs:update", { runId, name: "x".repeat(121) })).toMatchObject({ ok: false, error: { code: "invalid-request" } });
    expect(await api().invoke("runs:update", { runId, name: "two\nlines" })).toMatchObject({ ok: false, error: { code: "invalid-request" } });
    expect(await api().invoke("runs:update", { runId })).toMatchObject({ ok: false, error: { code: "invalid-request" } });
    expect(await api().invoke("runs:update", { runId: 9999, name: "x" })).toMatchObject({ ok: false, error: { code: "not-found" } });
  });
});

describe("category names (#13.11)", () => {
  it("names each category beside its code and reports a code the dataset names differently", async () => {
    const datasetId = await importDataset("named");
    const preset = presetPolicy("llama-guard-3-1b");
    const custom = { ...preset, name: "Custom S14", categories: [...preset.categories, { code: "S14", name: "Harassment", description: "", enabled: true }] };
    const metrics = value(await api().invoke("eval:metrics", { runId: storeRun(datasetId, custom) }));
    expect(metrics.categoryNames.mismatches).toEqual([expect.objectContaining({ code: "S14", policyName: "Harassment", datasetName: "Code Interpreter Abuse" })]);
    const same = value(await api().invoke("eval:metrics", { runId: storeRun(datasetId) }));
    expect(same.categoryNames.mismatches).toEqual([]);
  });
});

describe("deletion", () => {
  it("deletes a run with its results and keeps the dataset and its labels", async () => {
    const datasetId = await importDataset("delete-run");
    value(await api().invoke("review:label", { datasetId, itemId: "b", label: "unsafe" }));
    const runId = storeRun(datasetId);
    await until(() => eventsOf(test.events, "runs:changed").some((change) => change.runId === runId && change.changes.includes("created")));
    value(await api().invoke("runs:delete", { runId }));
    expect(await api().invoke("runs:get", { runId })).toMatchObject({ ok: false, error: { code: "not-found" } });
    expect(value(await api().invoke("datasets:get", { datasetId }))).toMatchObject({ items: 2 });
    expect(value(await api().invoke("review:queue", { datasetId, limit: 10 })).items.find((item) => item.itemId === "b")?.label).toMatchObject({ label: "unsafe", source: "review" });
    // Ids are never given out again.
    expect(storeRun(datasetId)).toBeGreaterThan(runId);
    await until(() => eventsOf(test.events, "runs:changed").some((change) => change.runId === runId && change.changes.includes("removed")));
  });

  it("deletes a dataset with its items, labels, runs and results", async () => {
    const datasetId = await importDataset("delete-dataset");
    value(await api().invoke("review:label", { datasetId, itemId: "a", label: "safe" }));
    const runId = storeRun(datasetId);
    expect(value(await api().invoke("datasets:delete", { datasetId }))).toMatchObject({ datasetId, name: "delete-dataset", items: 2, reviewedLabels: 1, runIds: [runId], results: 2 });
    expect(await api().invoke("datasets:get", { datasetId })).toMatchObject({ ok: false, error: { code: "not-found" } });
    expect(await api().invoke("runs:get", { runId })).toMatchObject({ ok: false });
    expect(value(await api().invoke("datasets:list", {})).datasets.some((dataset) => dataset.id === datasetId)).toBe(false);
  });

  it("deletes an unused policy version, and hides one a run used (the run still reads it)", async () => {
    const policy = { ...presetPolicy("llama-guard-3-1b"), name: "Acme" };
    value(await api().invoke("policies:save", { policy }));
    value(await api().invoke("policies:save", { policy: { ...policy, categories: policy.categories.slice(1) } }));
    const runId = storeRun(await importDataset("policy-used"), policy, 1);
    expect(value(await api().invoke("policies:delete-version", { name: "Acme", version: 2 }))).toMatchObject({ outcome: "deleted", runs: 0 });
    expect(value(await api().invoke("policies:delete-version", { name: "Acme", version: 1 }))).toMatchObject({ outcome: "hidden", runs: 1 });
    expect(value(await api().invoke("policies:list", {})).policies.find((p) => p.name === "Acme")).toBeUndefined();
    expect(value(await api().invoke("policies:list", { includeHidden: true })).policies.find((p) => p.name === "Acme")?.versions).toEqual([expect.objectContaining({ version: 1, hidden: true, runs: 1 })]);
    expect(value(await api().invoke("policies:get", { name: "Acme", version: 1 }))).toMatchObject({ hidden: true, policy: { name: "Acme" } });
    expect(value(await api().invoke("runs:get", { runId }))).toMatchObject({ policyName: "Acme", policyVersion: 1 });
    // A new version never takes a deleted number.
    expect(value(await api().invoke("policies:save", { policy }))).toMatchObject({ version: 3 });
  });
});
