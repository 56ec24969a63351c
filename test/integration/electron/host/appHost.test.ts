/**
 * AppHost with real parts on a temporary home: SQLite store, model library, engine worker (llama.cpp on the programmed
 * fixture model, CPU, one thread) and downloads from the loopback Hub double. Only hardware detection is a fixed profile.
 */
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EventName, EventPayload, JobDone, LoadJobProgress, Req } from "../../../../shared/ipc/contract.ts";
import { ok, type Result } from "../../../../shared/ipc/result.ts";
import type { HardwareProfile } from "../../../../shared/models/fit.ts";
import { presetPolicy, type Policy } from "../../../../shared/taxonomy/index.ts";
import { EngineProcess } from "../../../../electron/engine/engineProcess.ts";
import { AppHost } from "../../../../electron/host/appHost.ts";
import { HubDownloads } from "../../../../electron/host/downloads.ts";
import { HandlerTableError } from "../../../../electron/host/handlerTable.ts";
import type { AppHostDeps } from "../../../../electron/host/services.ts";
import { ModelLibrary } from "../../../../electron/models/library.ts";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { FileTokenStore, tokenFilePath } from "../../../../electron/models/tokenStore.ts";
import { databasePathFor, openStore, type GuardbenchStore } from "../../../../electron/store/index.ts";
import { LLAMA3_TOKENS as T } from "../../../fixtures/gguf/llama3Vocab.ts";
import { startHub, type HubDouble } from "../../../fixtures/hub/hubServer.ts";
import { writeProgrammedModel, type ProgrammedModel } from "../../../fixtures/models.ts";
import { writeDamagedGguf } from "../../../fixtures/gguf/tiny.ts";
import { llamaGuard3UnsafeAnswer } from "../../../fixtures/guardAnswers.ts";
import { modelFile, waitUntil } from "../../../support/download.ts";
import { sha256OfFile } from "../../../../electron/core/fileHash.ts";

const MODEL_ID = "local/unsafe-s3.gguf";
const HUB_REPO = "acme/tiny-guard";
const hubFiles = [modelFile("held.gguf", 600_000), modelFile("quick.gguf", 200_000)];
const stallAt = 128 * 1024;

const hardware: HardwareProfile = { totalRamBytes: 16 * 1024 ** 3, freeRamBytes: 8 * 1024 ** 3, cpuCores: 2, cpuInferenceReason: "no GPU detected — CPU inference" };

let home: string;
let store: GuardbenchStore;
let engine: EngineProcess;
let hub: HubDouble;
let model: ProgrammedModel;
let deps: AppHostDeps;
let host: AppHost;
const events: Array<{ event: EventName; payload: unknown }> = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-host-"));
  // Llama Guard 3 answering `\n\nunsafe\nS3` with P(unsafe) = 0.8 (see engine.test.ts).
  model = await writeProgrammedModel(join(modelsDirectory(home), MODEL_ID), {
    transitions: llamaGuard3UnsafeAnswer("3"),
  });
  hub = await startHub({ repos: [{ id: HUB_REPO, files: hubFiles }], chunkSize: 8 * 1024 });
  store = openStore(databasePathFor(home));
  engine = new EngineProcess();
  const tokenStore = new FileTokenStore(tokenFilePath(home));
  deps = {
    paths: { home, modelsDir: modelsDirectory(home), databasePath: databasePathFor(home) },
    transport: "websocket",
    appVersion: "0.0.0-test",
    env: { HF_ENDPOINT: hub.url },
    store,
    engine,
    engineDefaults: { gpu: false, threads: 1, contextSize: 2048, sequences: 1 },
    library: new ModelLibrary(home),
    downloads: new HubDownloads({ modelsDir: modelsDirectory(home), env: { HF_ENDPOINT: hub.url }, tokenStore, hub: { retry: { baseDelayMs: 5, maxDelayMs: 50 } }, progressIntervalMs: 0 }),
    detectHardware: async () => hardware,
    tokenStore,
  };
  host = new AppHost(deps);
  host.onAny((event, payload) => events.push({ event, payload }));
});

afterEach(() => {
  hub.clearFaults();
});

afterAll(async () => {
  host?.dispose();
  engine?.dispose();
  store?.close();
  await hub?.close();
  await rm(home, { recursive: true, force: true });
});

const api = () => host.client();

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function eventsOf<E extends EventName>(event: E, since = 0): EventPayload<E>[] {
  return events.slice(since).filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>);
}

/** [a, a, b, a] → [a, b, a] */
function withoutRepeats<T>(values: readonly T[]): T[] {
  return values.filter((item, i) => i === 0 || item !== values[i - 1]);
}

async function done(jobId: string): Promise<JobDone> {
  const finished = eventsOf("job:done").find((d) => d.jobId === jobId);
  return finished ?? (await host.whenJobDone(jobId))!;
}

describe("requests are validated before any handler runs", () => {
  it("answers a malformed request with an envelope, never a throw", async () => {
    expect(await host.invoke("classify:run", { turns: "hello" })).toEqual({
      ok: false,
      error: { code: "invalid-request", message: "invalid classify:run request: turns: turns must be an array of {role, content}" },
    });
    expect(await host.invoke("policies:drop-all", {})).toMatchObject({ ok: false, error: { code: "unknown-channel" } });
    expect(await host.invoke(undefined, undefined)).toMatchObject({ ok: false, error: { code: "unknown-channel" } });
    expect(await host.invoke("history:get", { id: -1 })).toMatchObject({ ok: false, error: { code: "invalid-request" } });
  });

  it("reports a missing row as data", async () => {
    expect(await api().invoke("history:get", { id: 424242 })).toEqual({
      ok: false,
      error: { code: "not-found", message: "there is no classification 424242 in the history", hint: expect.any(String) },
    });
  });

  it("refuses to start with a channel claimed twice", () => {
    const rogue = () => [{ name: "rogue", handlers: { "policies:save": async () => ok({ name: "x", version: 1, savedAt: "" }) } }];
    expect(() => new AppHost(deps, { extraHandlerGroups: rogue })).toThrow(HandlerTableError);
    expect(() => new AppHost(deps, { extraHandlerGroups: rogue })).toThrow('channel policies:save is handled twice: by the "policies" and the "rogue" handlers');
  });
});

describe("app, policies and hardware", () => {
  it("describes itself", async () => {
    expect(value(await api().invoke("app:info", {}))).toMatchObject({ name: "guardbench", home, transport: "websocket", databasePath: join(home, "guardbench.db") });
    expect(value(await api().invoke("models:hardware", {}))).toEqual(hardware);
  });

  it("rates the catalog for this machine and lists installed models with their problems", async () => {
    const report = value(await api().invoke("models:catalog", {}));
    expect(report.catalog.models.length).toBeGreaterThan(0);
    expect(report.fit.hardware).toEqual(hardware);
    expect(report.fit.candidates.length).toBe(report.catalog.models.reduce((n, m) => n + m.files.length, 0));
    expect(report.fit.otherInstalled.map((o) => o.id)).toContain(MODEL_ID);
    const listed = value(await api().invoke("models:list", {}));
    expect(listed.models.find((m) => m.id === MODEL_ID)).toMatchObject({ origin: "imported", path: model.path, info: { architecture: "llama" } });
  });

  it("saves every policy edit as a new version and keeps the old ones", async () => {
    const base: Policy = { ...presetPolicy("llama-guard-3-1b"), name: "house rules" };
    const edited: Policy = { ...base, categories: base.categories.filter((c) => c.code !== "S13") };
    expect(value(await api().invoke("policies:save", { policy: base }))).toMatchObject({ name: "house rules", version: 1 });
    expect(value(await api().invoke("policies:save", { policy: edited }))).toMatchObject({ name: "house rules", version: 2 });
    const listed = value(await api().invoke("policies:list", {})).policies.find((p) => p.name === "house rules");
    expect(listed?.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(value(await api().invoke("policies:get", { name: "house rules", version: 1 })).policy).toEqual(base);
    expect(value(await api().invoke("policies:get", { name: "house rules" })).policy.categories).toHaveLength(12);
  });

  it("holds the model files the OS opened until a page asks, then pushes each as models:open-request", async () => {
    const since = events.length;
    host.requestModelOpen("/downloads/guard-a.gguf");
    host.requestModelOpen("/downloads/guard-b.gguf");
    expect(eventsOf("models:open-request", since)).toEqual([]);

    expect(value(await api().invoke("models:open-requests", {}))).toEqual({ delivered: 2 });
    expect(eventsOf("models:open-request", since)).toEqual([{ path: "/downloads/guard-a.gguf" }, { path: "/downloads/guard-b.gguf" }]);
    host.requestModelOpen("/downloads/guard-c.gguf");
    expect(eventsOf("models:open-request", since).at(-1)).toEqual({ path: "/downloads/guard-c.gguf" });
    expect(value(await api().invoke("models:open-requests", {}))).toEqual({ delivered: 0 });
  });

  it("keeps the Hub token on the main side and reports only where it comes from", async () => {
    expect(value(await api().invoke("hf:token-status", {}))).toEqual({ present: false, source: "none" });
    expect(await api().invoke("hf:token-set", { token: "hf_has a space" })).toMatchObject({ ok: false, error: { code: "auth-invalid" } });
    expect(value(await api().invoke("hf:token-set", { token: "hf_abcdefghijklmnop" }))).toEqual({ present: true, source: "stored" });
    expect(value(await api().invoke("hf:token-clear", {}))).toEqual({ present: false, source: "none" });
  });
});

describe("the engine through AppHost", () => {
  it("asks for a model before classifying or counting tokens", async () => {
    const turns = [{ role: "user" as const, content: "hi" }];
    expect(await api().invoke("classify:run", { turns })).toEqual({
      ok: false,
      error: { code: "no-model-loaded", message: "load a model to classify", hint: expect.any(String) },
    });
    expect(await api().invoke("prompt:tokenize", { turns })).toMatchObject({ ok: false, error: { code: "no-model-loaded", message: "load a model to count tokens" } });
  });

  it("answers a load of a file that is not a model at once, without a job", async () => {
    await writeFile(join(modelsDirectory(home), "local", "notes.gguf"), "not a model at all, just text ".repeat(20));
    expect(await api().invoke("models:load", { id: "local/notes.gguf", family: "llama-guard-3-1b" })).toMatchObject({ ok: false, error: { code: "not-gguf" } });
    expect(await api().invoke("models:load", { id: "../../etc/passwd.gguf" })).toMatchObject({ ok: false, error: { code: "outside-library" } });
  });

  it("loads a file outside the library by its path for a main-side caller (the CLI), never for a page that was not given it", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "guardbench-elsewhere-"));
    const path = join(elsewhere, "guard.gguf");
    await copyFile(model.path, path);
    try {
      expect(await host.invoke("models:load", { path, family: "llama-guard-3-1b" })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
      expect(await api().invoke("models:load", { id: MODEL_ID, path })).toMatchObject({ ok: false, error: { code: "invalid-request", message: expect.stringContaining("give the model's id or its path, one of them") } });
      expect(await api().invoke("models:load", { path: join(elsewhere, "notes.gguf") })).toMatchObject({ ok: false, error: { code: "file-not-found" } });
      const { jobId } = value(await api().invoke("models:load", { path, family: "llama-guard-3-1b" }));
      expect(await done(jobId)).toMatchObject({ kind: "load", result: { ok: true, value: { state: "ready", model: { id: path, path, family: "llama-guard-3-1b" } } } });
      value(await api().invoke("models:unload", {}));
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("refuses a damaged GGUF at import, lists and refuses to load a damaged copy, all in this process (issue #11)", async () => {
    const damaged = join(home, "damaged.gguf");
    await writeDamagedGguf(model.path, damaged);
    const copy = join(modelsDirectory(home), "local", "damaged-copy.gguf");
    await copyFile(damaged, copy);
    try {
      const problem = { code: "corrupt-header", message: expect.stringMatching(/damaged GGUF header: the key of metadata entry 1 of \d+ \(at offset 24\)/) };
      expect(await api().invoke("models:import", { path: damaged })).toMatchObject({ ok: false, error: problem });
      const listed = value(await api().invoke("models:list", {})).models;
      expect(listed.find((m) => m.id === "local/damaged-copy.gguf")).toMatchObject({ problem });
      expect(listed.find((m) => m.id === MODEL_ID)).toMatchObject({ info: { architecture: "llama" } });
      expect(await api().invoke("models:load", { id: "local/damaged-copy.gguf", family: "llama-guard-3-1b" })).toMatchObject({ ok: false, error: problem });
    } finally {
      await rm(copy, { force: true });
    }
  });

  it("loads a model as a job, then classifies, records and tokenizes", async () => {
    const since = events.length;
    const { jobId } = value(await api().invoke("models:load", { id: MODEL_ID, family: "llama-guard-3-1b" }));
    const finished = await done(jobId);
    expect(finished).toMatchObject({ jobId, kind: "load", result: { ok: true, value: { state: "ready", model: { id: MODEL_ID, path: model.path, family: "llama-guard-3-1b" } } } });
    const loadProgress = eventsOf("job:progress", since).filter((p): p is LoadJobProgress => p.jobId === jobId && p.kind === "load");
    expect(withoutRepeats(loadProgress.map((p) => p.stage))).toEqual(["starting", "loading"]);
    // llama.cpp's own progress, through the worker: never backwards, and all of the weights in the end.
    const fractions = loadProgress.flatMap((p) => (p.progress === undefined ? [] : [p.progress]));
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    // A second `ready` may follow when the hash outlasts the load; it adds the hash and changes nothing else.
    expect(withoutRepeats(eventsOf("engine:status", since).map((s) => s.state))).toEqual(["loading", "ready"]);
    const { sha256 } = await sha256OfFile(model.path);
    await waitUntil(async () => value(await api().invoke("engine:status", {})).model?.sha256 === sha256, "the model file is hashed");
    expect(value(await api().invoke("engine:status", {}))).toMatchObject({ state: "ready", model: { quant: "F32", sha256 }, compute: { device: "cpu", reason: expect.any(String) } });

    const turns = [{ role: "user" as const, content: "Tell me how to break the lock quietly." }];
    const run = value(await api().invoke("classify:run", { turns, options: { topK: 2 } }));
    expect(run.result).toMatchObject({ verdict: "unsafe", categories: ["S3"], outputText: "\n\nunsafe\nS3", flagged: true, model: { path: model.path, quant: "F32", sha256 } });
    expect(run.result.pUnsafe).toBeCloseTo(model.expectedDistribution(T.doubleNewline).probabilityOf(T.unsafe), 6);
    expect(run.historyId).toBeGreaterThan(0);

    const entry = value(await api().invoke("history:get", { id: run.historyId! }));
    expect(entry).toMatchObject({ turns, verdict: "unsafe", categories: ["S3"], modelPath: model.path, family: "llama-guard-3-1b", policyName: presetPolicy("llama-guard-3-1b").name });
    expect(entry.result.pUnsafe).toBe(run.result.pUnsafe);
    expect(value(await api().invoke("history:list", {})).items[0]).toMatchObject({ id: run.historyId, preview: turns[0]!.content });

    const tokenized = value(await api().invoke("prompt:tokenize", { turns }));
    expect(tokenized.text).toBe(run.result.prompt.text);
    expect(tokenized.tokenCount).toBe(run.result.prompt.tokenCount);
    expect(tokenized.pieces.join("")).toContain(turns[0]!.content);

    expect(await api().invoke("models:remove", { id: MODEL_ID })).toMatchObject({ ok: false, error: { code: "model-in-use" } });
  });

  it("cancels a classification by its request id, records nothing, and classifies again after", async () => {
    const turns = [{ role: "user" as const, content: "Stop this one halfway." }];
    const historyBefore = value(await api().invoke("history:list", {})).items.length;

    // A cancel that overtakes its run stops the run as soon as it starts (one mid-run: test/unit/electron/host/handlers/classify.cancel.test.ts).
    expect(value(await api().invoke("classify:cancel", { requestId: "not-yet" }))).toEqual({ cancelled: false });
    expect(await api().invoke("classify:run", { turns, requestId: "not-yet" })).toMatchObject({ ok: false, error: { code: "cancelled" } });

    expect(value(await api().invoke("history:list", {})).items).toHaveLength(historyBefore);
    const again = value(await api().invoke("classify:run", { turns, requestId: "not-yet" }));
    expect(again.result.verdict).toBe("unsafe");
    expect(value(await api().invoke("classify:cancel", { requestId: "not-yet" }))).toEqual({ cancelled: false });
  });

  it("searches and filters the history, lists what the filters can choose, and deletes entries for good", async () => {
    const lock = value(await api().invoke("classify:run", { turns: [{ role: "user", content: 'Open the "garden" SHED lock' }] }));
    const edited = { ...presetPolicy("llama-guard-3-1b"), name: "house rules" };
    const other = value(await api().invoke("classify:run", { turns: [{ role: "user", content: "Bake bread\nwith 100% rye" }], policy: edited, policyVersion: { name: "house rules", version: 1 } }));

    const ids = async (filters: Omit<Req<"history:list">, "limit" | "beforeId">) => value(await api().invoke("history:list", filters)).items.map((item) => item.id);
    // Every word, in any case, JSON escapes and LIKE wildcards taken literally.
    expect(await ids({ query: 'shed "garden"' })).toEqual([lock.historyId]);
    expect(await ids({ query: "100% RYE" })).toEqual([other.historyId]);
    // A backslash and n typed in the search are those two characters, not the line break JSON stores as \n.
    expect(await ids({ query: "with\\nrye" })).toEqual([]);
    expect(await ids({ query: "shed bread" })).toEqual([]);
    expect(await ids({ policyName: "house rules", policyVersion: 1 })).toEqual([other.historyId]);
    expect(await ids({ policyName: "house rules", policyVersion: 2 })).toEqual([]);
    expect(await ids({ verdict: "safe" })).toEqual([]);
    expect((await ids({ verdict: "unsafe", modelPath: model.path })).slice(0, 2)).toEqual([other.historyId, lock.historyId]);
    expect(await host.invoke("history:list", { verdict: "maybe" })).toMatchObject({ ok: false, error: { code: "invalid-request", message: expect.stringContaining("verdict must be safe, unsafe or unparseable") } });

    const page = value(await api().invoke("history:list", { limit: 1 }));
    expect(page.facets?.models).toEqual([{ path: model.path, entries: expect.any(Number) }]);
    expect(page.facets?.policies[0]).toEqual({ name: "house rules", versions: [1], entries: 1 });
    expect(value(await api().invoke("history:list", { limit: 1, beforeId: page.nextBeforeId! })).facets).toBeUndefined();

    expect(value(await api().invoke("history:delete", { ids: [other.historyId!, 999_999] }))).toEqual({ deleted: [other.historyId] });
    expect(await api().invoke("history:get", { id: other.historyId! })).toMatchObject({ ok: false, error: { code: "not-found" } });
    expect(await ids({ policyName: "house rules" })).toEqual([]);
    expect(await host.invoke("history:delete", { ids: [] })).toMatchObject({ ok: false, error: { code: "invalid-request" } });
  });

  it("reports a crash as a status and recovers on the next request", async () => {
    const since = events.length;
    engine.killWorkerForTesting();
    await waitUntil(() => eventsOf("engine:status", since).some((s) => s.state === "crashed"), "the crash is reported");
    expect(eventsOf("engine:status", since).at(-1)).toMatchObject({ state: "crashed", model: { path: model.path }, error: { code: "engine-crashed" } });
    const run = value(await api().invoke("classify:run", { turns: [{ role: "user", content: "again" }], record: false }));
    expect(run.historyId).toBeUndefined();
    expect(run.result.verdict).toBe("unsafe");
    expect(value(await api().invoke("engine:status", {})).state).toBe("ready");
  });

  it("unloads", async () => {
    expect(value(await api().invoke("models:unload", {}))).toEqual({ state: "idle" });
  });
});

describe("download jobs", () => {
  it("pushes progress, pauses, resumes and finishes with the installed file", async () => {
    hub.setFault({ file: "held.gguf", fault: { kind: "stall", afterBytes: stallAt } });
    const since = events.length;
    const { jobId } = value(await api().invoke("models:download", { repo: HUB_REPO, file: "held.gguf" }));
    const progressOf = () => eventsOf("job:progress", since).filter((p) => p.jobId === jobId);
    await waitUntil(() => progressOf().some((p) => p.kind === "download" && p.bytesDone >= stallAt), "the download is held mid-file");
    expect(value(await api().invoke("job:list", {})).jobs.map((j) => j.jobId)).toContain(jobId);

    expect(value(await api().invoke("job:pause", { jobId }))).toEqual({ jobId });
    expect(progressOf().at(-1)).toMatchObject({ kind: "download", state: "paused", repo: HUB_REPO, file: "held.gguf", bytesTotal: 600_000 });
    expect(value(await api().invoke("job:resume", { jobId }))).toEqual({ jobId });

    const finished = await done(jobId);
    expect(finished).toMatchObject({
      kind: "download",
      // random bytes, not a GGUF: installed and listed, with the problem named
      result: { ok: true, value: { id: `${HUB_REPO}/held.gguf`, origin: "hub", sizeBytes: 600_000, problem: { code: "not-gguf" } } },
    });
    // What the Hub's checksum verified travels with the result (`guardbench models pull` prints it).
    const { sha256 } = await sha256OfFile(join(modelsDirectory(home), HUB_REPO, "held.gguf"));
    expect(finished).toMatchObject({ result: { value: { verified: { sha256, alreadyInstalled: false, commit: expect.stringMatching(/^[0-9a-f]{40}$/) } } } });
    expect(eventsOf("models:changed", since)).toContainEqual({ reason: "downloaded" });
    expect(value(await api().invoke("models:list", {})).models.map((m) => m.id)).toContain(`${HUB_REPO}/held.gguf`);
    expect(await api().invoke("job:cancel", { jobId })).toEqual({ ok: true, value: { jobId, cancelled: false } });
  });

  it("cancels a running download and says so in job:done", async () => {
    hub.setFault({ file: "quick.gguf", fault: { kind: "stall", afterBytes: 64 * 1024 } });
    const since = events.length;
    const { jobId } = value(await api().invoke("models:download", { repo: HUB_REPO, file: "quick.gguf" }));
    await waitUntil(() => eventsOf("job:progress", since).some((p) => p.jobId === jobId && p.kind === "download" && p.bytesDone > 0), "bytes arrive");
    expect(value(await api().invoke("job:cancel", { jobId }))).toEqual({ jobId, cancelled: true });
    expect(await done(jobId)).toMatchObject({ jobId, kind: "download", result: { ok: false, error: { code: "cancelled" } } });
    expect(value(await api().invoke("job:list", {})).jobs).toEqual([]);
  });

  it("refuses what the downloader refuses, as data", async () => {
    expect(await api().invoke("models:download", { repo: "acme/tiny-guard", file: "../../.bashrc" })).toMatchObject({ ok: false, error: { code: "invalid-file-name" } });
    expect(await api().invoke("job:pause", { jobId: "no-such-job" })).toMatchObject({ ok: false, error: { code: "job-not-found" } });
  });

  it("refuses to pause a load job", async () => {
    const { jobId } = value(await api().invoke("models:load", { id: MODEL_ID, family: "llama-guard-3-1b" }));
    expect(await api().invoke("job:pause", { jobId })).toMatchObject({ ok: false, error: { code: "job-not-pausable" } });
    expect(value(await api().invoke("job:cancel", { jobId })).cancelled).toBe(true);
    expect(await done(jobId)).toMatchObject({ kind: "load", result: { ok: false, error: { code: "cancelled" } } });
    expect(value(await api().invoke("engine:status", {})).state).toBe("idle");
  });
});
