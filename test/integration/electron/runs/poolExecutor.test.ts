/**
 * Runs scored across endpoints ("Scale out"): real `guardbench worker` processes on loopback serving the programmed
 * fixture model (CPU, one thread), driven by the run manager through AppHost and by `guardbench run --endpoint`.
 * Results must equal a local run's; a worker SIGKILLed mid-run must cost nothing but time; a coordinator SIGKILLed
 * mid-run must resume without scoring finished items again; the API key must never be written or shown.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetImportReport, EndpointInfo, RunJobProgress, RunSummary } from "../../../../shared/ipc/contract.ts";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { secretsFilePath } from "../../../../electron/endpoints/keyStore.ts";
import { joinedItems } from "../../../../electron/runs/runItems.ts";
import { databasePathFor } from "../../../../electron/store/index.ts";
import { MODEL_NAME, startWorker, type WorkerProcess } from "../../../support/remote.ts";
import { eventsOf, jobValue, numberedRows, startTestHost, value, writeDataset, writeUnsafeS3Model, type TestHost } from "../../../support/runs.ts";

const MODEL_ID = "local/unsafe-s3.gguf";
const ITEMS = 36;
/** What the workers require as `Authorization: Bearer …`: it must never reach the database, a log or an error. */
const API_KEY = "gb-test-key-7f3a9c2e51d04b86";
const WRONG_KEY = "gb-wrong-key-0d9e8f7a6b5c4d3e";

let home: string;
let modelPath: string;
let test: TestHost;
let workers: WorkerProcess[] = [];
let datasetId: number;
let datasetPath: string;

const api = () => test.host.client();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-remote-runs-"));
  modelPath = (await writeUnsafeS3Model(join(modelsDirectory(home), MODEL_ID))).path;
  workers = await Promise.all([1, 2, 3].map(() => startWorker(modelPath, ["--token", API_KEY])));
  test = startTestHost(home, {}, { runPoolOptions: { probeDelayMs: 200, maxProbeDelayMs: 1_000, probeTimeoutMs: 1_000 } });
  datasetPath = join(home, "items.jsonl");
  await writeDataset(datasetPath, numberedRows(ITEMS, 16));
  const { jobId } = value(await api().invoke("datasets:import", { path: datasetPath }));
  datasetId = (await jobValue<DatasetImportReport>(test, jobId)).dataset.id;
  const load = value(await api().invoke("models:load", { id: MODEL_ID, family: "llama-guard-3-1b" }));
  await jobValue(test, load.jobId);
  for (const [i, worker] of workers.entries()) {
    value(await api().invoke("endpoints:save", { name: `worker-${i + 1}`, baseUrl: worker.url, kind: "openai-completions", model: MODEL_NAME, apiKey: API_KEY, concurrency: 2 }));
  }
});

afterAll(async () => {
  test?.dispose();
  await Promise.all(workers.map((worker) => worker.stop()));
  await rm(home, { recursive: true, force: true });
});

async function finishRun(jobId: string): Promise<RunSummary> {
  return jobValue<RunSummary>(test, jobId);
}

/** Per item: what the results table holds, as the review queue and exports read it. */
function resultsOf(run: RunSummary) {
  return joinedItems(test.store, run.datasetId, run).map((item) => ({ id: item.itemId, score: item.result?.score, verdict: item.result?.verdict, categories: item.result?.categories, error: item.result?.error }));
}

function resultRowCount(runId: number): { rows: number; distinctItems: number } {
  const db = new Database(databasePathFor(home), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT COUNT(*) AS rows, COUNT(DISTINCT item_id) AS distinctItems FROM results WHERE run_id = ?").get(runId) as { rows: number; distinctItems: number };
  } finally {
    db.close();
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Every byte Guardbench wrote in its home folder that is not the key file: the database, its WAL, anything else. */
async function homeBytesOutsideKeyFile(folder: string): Promise<string> {
  const texts: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (path === secretsFilePath(home) || path.endsWith(".gguf")) continue;
    texts.push((await readFile(path)).toString("latin1"));
  }
  return texts.join("\n");
}

describe("endpoints:* handlers", () => {
  it("validate their input and never answer the key", async () => {
    const bad = [
      { name: "x", baseUrl: "ftp://host:21", kind: "openai-completions", model: "m" },
      { name: "x", baseUrl: "http://user:pw@host:8000", kind: "openai-completions", model: "m" },
      { name: "x", baseUrl: "not a url", kind: "openai-completions", model: "m" },
      { name: "x", baseUrl: "http://host:8000", kind: "chat", model: "m" },
      { name: "", baseUrl: "http://host:8000", kind: "openai-completions", model: "m" },
      { name: "a/b", baseUrl: "http://host:8000", kind: "openai-completions", model: "m" },
      { name: "x", baseUrl: "http://host:8000", kind: "openai-completions", model: "m", apiKey: "has space" },
      { name: "x", baseUrl: "http://host:8000", kind: "openai-completions", model: "m", concurrency: 0 },
      { name: "x", baseUrl: "http://host:8000", kind: "openai-completions", model: "m", apiKey: "k", clearApiKey: true },
      { name: "x", baseUrl: "http://host:8000", kind: "openai-completions", model: "m", extra: 1 },
    ];
    for (const request of bad) {
      const answer = await api().invoke("endpoints:save", request as never);
      expect(answer.ok, JSON.stringify(request)).toBe(false);
      if (!answer.ok) {
        expect(answer.error.code).toBe("invalid-request");
        expect(answer.error.message).not.toContain("has space");
      }
    }
    expect((await api().invoke("endpoints:remove", { name: "" })).ok).toBe(false);
    expect((await api().invoke("endpoints:test", { name: 3 } as never)).ok).toBe(false);
    const missing = await api().invoke("endpoints:test", { name: "nowhere" });
    expect(missing.ok ? undefined : missing.error.code).toBe("not-found");
    expect((await api().invoke("runs:start", { datasetId, endpoints: ["worker-1", "worker-1"] })).ok).toBe(false);
    expect((await api().invoke("runs:start", { datasetId, includeLocal: true })).ok).toBe(false);
    const unknown = await api().invoke("runs:start", { datasetId, endpoints: ["nowhere"] });
    expect(unknown.ok ? undefined : unknown.error.code).toBe("endpoint-not-found");

    const listed = value(await api().invoke("endpoints:list", {})).endpoints;
    expect(listed.map((e) => e.name)).toEqual(["worker-1", "worker-2", "worker-3"]);
    for (const endpoint of listed) expect(endpoint).toMatchObject({ hasApiKey: true, concurrency: 2, kind: "openai-completions", model: MODEL_NAME } satisfies Partial<EndpointInfo>);
    expect(JSON.stringify(listed)).not.toContain(API_KEY);
    // The key file is the owner's alone; the database does not hold the key.
    expect((await stat(secretsFilePath(home))).mode & 0o777).toBe(0o600);
    expect(await homeBytesOutsideKeyFile(home)).not.toContain(API_KEY);
  });

  it("probe a live worker, one with a wrong key, and a dead address, without echoing the key", async () => {
    const live = value(await api().invoke("endpoints:test", { name: "worker-1" }));
    expect(live).toMatchObject({ name: "worker-1", reachable: true, modelServed: true });
    expect(live.models).toContain(MODEL_NAME);
    expect(live.latencyMs).toBeGreaterThanOrEqual(0);

    value(await api().invoke("endpoints:save", { name: "wrong-key", baseUrl: workers[0]!.url, kind: "openai-completions", model: MODEL_NAME, apiKey: WRONG_KEY }));
    const refused = value(await api().invoke("endpoints:test", { name: "wrong-key" }));
    expect(refused.reachable).toBe(true);
    expect(refused.error?.code).toBe("unauthorized");
    expect(JSON.stringify(refused)).not.toContain(WRONG_KEY);

    value(await api().invoke("endpoints:save", { name: "dead", baseUrl: "http://127.0.0.1:1", kind: "llama-server", model: "m" }));
    const dead = value(await api().invoke("endpoints:test", { name: "dead" }));
    expect(dead).toMatchObject({ name: "dead", reachable: false, models: [] });
    expect(dead.error?.code).toBe("connection-failed");

    // Saving again without apiKey keeps the key; clearApiKey drops it; remove drops the row and the key.
    expect(value(await api().invoke("endpoints:save", { name: "wrong-key", baseUrl: workers[0]!.url, kind: "openai-completions", model: MODEL_NAME })).hasApiKey).toBe(true);
    expect(value(await api().invoke("endpoints:save", { name: "wrong-key", baseUrl: workers[0]!.url, kind: "openai-completions", model: MODEL_NAME, clearApiKey: true })).hasApiKey).toBe(false);
    value(await api().invoke("endpoints:save", { name: "wrong-key", baseUrl: workers[0]!.url, kind: "openai-completions", model: MODEL_NAME, apiKey: WRONG_KEY }));
    expect(value(await api().invoke("endpoints:remove", { name: "wrong-key" }))).toEqual({ name: "wrong-key", removed: true });
    expect(value(await api().invoke("endpoints:remove", { name: "dead" })).removed).toBe(true);
    expect(await readFile(secretsFilePath(home), "utf8")).not.toContain(WRONG_KEY);
    expect(JSON.stringify(test.events)).not.toContain(WRONG_KEY);
  });
});

describe("runs across endpoints through the run manager", () => {
  it("give the same score, verdict and categories per item as a local run, with per-endpoint progress", async () => {
    const local = await finishRun(value(await api().invoke("runs:start", { datasetId })).jobId);
    expect(local.state).toBe("done");

    const started = value(await api().invoke("runs:start", { datasetId, endpoints: ["worker-1", "worker-2", "worker-3"] }));
    const remote = await finishRun(started.jobId);
    expect(remote.state).toBe("done");
    expect(remote.counts).toMatchObject({ items: ITEMS, scored: ITEMS, failed: 0, pending: 0 });
    expect(remote.settings).toMatchObject({ endpoints: ["worker-1", "worker-2", "worker-3"], includeLocal: false, sequences: 6 });
    expect(resultsOf(remote)).toEqual(resultsOf(local));
    expect(resultRowCount(remote.id)).toEqual({ rows: ITEMS, distinctItems: ITEMS });

    const progress = eventsOf(test.events, "job:progress").filter((p): p is RunJobProgress => p.kind === "run" && p.jobId === started.jobId);
    const last = progress.at(-1)!;
    expect(last.perEndpoint?.map((share) => share.name)).toEqual(["worker-1", "worker-2", "worker-3"]);
    expect(last.perEndpoint!.reduce((sum, share) => sum + share.done, 0)).toBe(ITEMS);
    for (const share of last.perEndpoint!) expect(share).toMatchObject({ failed: 0, state: "active" });
    expect(JSON.stringify(test.events)).not.toContain(API_KEY);
  });

  it("finish with every item scored once when a worker is SIGKILLed mid-run", async () => {
    const doomed = await startWorker(modelPath, ["--token", API_KEY]);
    try {
      value(await api().invoke("endpoints:save", { name: "doomed", baseUrl: doomed.url, kind: "openai-completions", model: MODEL_NAME, apiKey: API_KEY, concurrency: 2 }));
      const started = value(await api().invoke("runs:start", { datasetId, endpoints: ["doomed", "worker-2"] }));
      await waitFor(() => test.store.runs.get(started.runId).counts.scored >= 6, "six results before the kill");
      await doomed.kill();
      const scoredAtKill = test.store.runs.get(started.runId).counts.scored;
      const run = await finishRun(started.jobId);
      expect(run.state).toBe("done");
      expect(run.counts).toMatchObject({ items: ITEMS, scored: ITEMS, failed: 0, pending: 0 });
      expect(resultRowCount(run.id)).toEqual({ rows: ITEMS, distinctItems: ITEMS });
      const progress = eventsOf(test.events, "job:progress").filter((p): p is RunJobProgress => p.kind === "run" && p.jobId === started.jobId);
      const last = progress.at(-1)!.perEndpoint!;
      expect(last.reduce((sum, share) => sum + share.done, 0)).toBe(ITEMS);
      // Killed before the end: the pool suspended it and worker-2 scored the rest.
      if (scoredAtKill < ITEMS) expect(last.find((share) => share.name === "doomed")!.state).toBe("suspended");
    } finally {
      await doomed.kill();
      value(await api().invoke("endpoints:remove", { name: "doomed" }));
    }
  });
});

describe("pausing a run across endpoints", () => {
  it("stores nothing while paused and finishes every item once after the resume", async () => {
    const started = value(await api().invoke("runs:start", { datasetId, endpoints: ["worker-1", "worker-3"] }));
    await waitFor(() => test.store.runs.get(started.runId).counts.scored >= 4, "four results before the pause");
    value(await api().invoke("job:pause", { jobId: started.jobId }));
    const paused = test.store.runs.get(started.runId);
    expect(paused.state).toBe("paused");
    // Attempts in flight were abandoned at the pause: whatever they return is not stored.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(test.store.runs.get(started.runId).counts.scored).toBe(paused.counts.scored);
    value(await api().invoke("job:resume", { jobId: started.jobId }));
    const run = await finishRun(started.jobId);
    expect(run.state).toBe("done");
    expect(run.counts).toMatchObject({ items: ITEMS, scored: ITEMS, failed: 0, pending: 0 });
    expect(resultRowCount(run.id)).toEqual({ rows: ITEMS, distinctItems: ITEMS });
  });
});

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `guardbench run --endpoint …` as a child process on its own home; `killAfterLines` SIGKILLs it after that many results. */
function cliRun(cliHome: string, endpoints: string[], killAfterLines?: number): Promise<CliRun> {
  const args = [join(process.cwd(), "bin", "guardbench.js"), "run", "--dataset", datasetPath, "--model", modelPath, "--family", "llama-guard-3-1b", "--endpoint-model", MODEL_NAME, "--api-key-env", "GB_TEST_KEY", "--endpoint-concurrency", "1"];
  for (const url of endpoints) args.push("--endpoint", url);
  const child = spawn(process.execPath, args, { env: { ...process.env, GUARDBENCH_HOME: cliHome, GB_TEST_KEY: API_KEY, GUARDBENCH_GPU: "off" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (killAfterLines !== undefined && stdout.split("\n").length - 1 >= killAfterLines && child.exitCode === null) child.kill("SIGKILL");
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe("guardbench run --endpoint", () => {
  it("resumes after the coordinator is SIGKILLed mid-run without scoring finished items again, and never shows the key", async () => {
    const cliHome = join(home, "cli-home");
    const urls = workers.slice(0, 2).map((worker) => worker.url);
    const killed = await cliRun(cliHome, urls, 5);
    expect(killed.signal).toBe("SIGKILL");
    const printedBeforeKill = killed.stdout.split("\n").filter(Boolean).length;
    expect(printedBeforeKill).toBeGreaterThanOrEqual(5);
    expect(printedBeforeKill).toBeLessThan(ITEMS);

    const db = new Database(databasePathFor(cliHome), { readonly: true });
    const storedAtKill = (db.prepare("SELECT COUNT(*) AS n FROM results").get() as { n: number }).n;
    db.close();
    // Every printed line was committed first; results finished after the last print may be stored too.
    expect(storedAtKill).toBeGreaterThanOrEqual(printedBeforeKill);

    const resumed = await cliRun(cliHome, urls);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`${storedAtKill} of ${ITEMS} item(s) already have a result`);
    expect(resumed.stderr).toContain(`${ITEMS - storedAtKill} classified now, ${storedAtKill} from earlier`);
    const lines = resumed.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { id: string; score: number; verdict: string; categories: string[] });
    expect(lines).toHaveLength(ITEMS);
    expect(new Set(lines.map((line) => line.id)).size).toBe(ITEMS);
    for (const line of lines) expect(line).toMatchObject({ verdict: "unsafe", categories: ["S3"] });

    const check = new Database(databasePathFor(cliHome), { readonly: true });
    const run = check.prepare("SELECT id, settings_json FROM runs").all() as Array<{ id: number; settings_json: string }>;
    const counts = check.prepare("SELECT COUNT(*) AS rows, COUNT(DISTINCT item_id) AS items FROM results").get() as { rows: number; items: number };
    check.close();
    expect(run).toHaveLength(1);
    expect(JSON.parse(run[0]!.settings_json)).toMatchObject({ endpoints: urls.map((url) => new URL(url).host), includeLocal: false });
    expect(counts).toEqual({ rows: ITEMS, items: ITEMS });

    for (const output of [killed.stdout, killed.stderr, resumed.stdout, resumed.stderr]) expect(output).not.toContain(API_KEY);
    expect(await homeBytesOutsideKeyFile(cliHome)).not.toContain(API_KEY);
  });
});
