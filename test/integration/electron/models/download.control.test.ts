/**
 * Pause, resume and cancel of a download job, and the queue (concurrency limit, one download per file).
 * A server-side stall holds each transfer mid-file for as long as a test needs (the client's stall timeout is
 * far longer than any test).
 */
import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startDownload, type DownloadSettings, type ModelDownload } from "../../../../electron/models/download.ts";
import { DownloadQueue } from "../../../../electron/models/downloadQueue.ts";
import { startHub, type HubDouble } from "../../../fixtures/hub/hubServer.ts";
import { downloadErrorOf, downloadErrorThrownBy, fastHubClient, filesUnder, modelFile, sha256, temporaryFolder, waitUntil } from "../../../support/download.ts";

const repo = "acme/tiny-guard";
const models = [modelFile("a.gguf", 600_000), modelFile("b.gguf", 600_000), modelFile("c.gguf", 600_000)];
const [model] = models as [(typeof models)[0]];
const stallAt = 128 * 1024;

let hub: HubDouble;
afterEach(async () => hub?.close());

async function setUp(): Promise<DownloadSettings> {
  hub = await startHub({ repos: [{ id: repo, files: models }], chunkSize: 8 * 1024 });
  // The test decides when a held transfer goes on; fastHubClient's stall timeout is long enough not to interfere.
  return { modelsDir: await temporaryFolder(), hub: fastHubClient(hub.url), progressIntervalMs: 0 };
}

/** Makes the next transfer of `file` stop mid-file (until the client hangs up). */
function holdMidFile(file = model.path): void {
  hub.setFault({ file, fault: { kind: "stall", afterBytes: stallAt } });
}

async function untilHeld(job: ModelDownload): Promise<void> {
  await waitUntil(() => (job.progress?.bytesDone ?? 0) >= stallAt, `${job.file} is held mid-file`);
}

const partialOf = (settings: DownloadSettings, file = model.path) => join(settings.modelsDir, repo, `${file}.partial`);

describe("pause, resume and cancel", () => {
  it("pause keeps the partial; resume continues it with a Range request", async () => {
    const settings = await setUp();
    holdMidFile();
    const job = startDownload({ repo, file: model.path }, settings);
    await untilHeld(job);

    await job.pause();
    expect(job.state).toBe("paused");
    expect((await readFile(partialOf(settings))).length).toBe(stallAt);
    expect(await filesUnder(settings.modelsDir)).toEqual([join(repo, "a.gguf.partial"), join(repo, "a.gguf.partial.json")]);

    job.resume();
    const result = await job.result;
    expect(hub.contentRequests(model.path).at(-1)?.range).toBe(`bytes=${stallAt}-`);
    expect(result.sha256).toBe(sha256(model.content));
    expect(await filesUnder(settings.modelsDir)).toEqual([join(repo, "a.gguf")]);
  });

  it("a paused job reports the bytes it has on disk, even those throttled progress events held back", async () => {
    const settings = { ...(await setUp()), progressIntervalMs: 3_600_000 };
    holdMidFile();
    const job = startDownload({ repo, file: model.path }, settings);
    const reported: number[] = [];
    job.on("progress", (progress) => reported.push(progress.bytesDone));
    await waitUntil(async () => (await readFile(partialOf(settings)).catch(() => Buffer.alloc(0))).length >= stallAt, "the transfer is held mid-file");
    expect(job.progress?.bytesDone ?? 0).toBeLessThan(stallAt);

    await job.pause();
    expect(job.progress).toMatchObject({ bytesDone: stallAt, bytesPerSecond: 0, etaSeconds: null });
    expect(reported.at(-1)).toBe(stallAt);
    job.cancel();
    await job.result.catch(() => undefined);
  });

  it("cancel stops the download and deletes the partial", async () => {
    const settings = await setUp();
    holdMidFile();
    const job = startDownload({ repo, file: model.path }, settings);
    await untilHeld(job);

    job.cancel();
    const error = await downloadErrorOf(job.result);
    expect(error.code).toBe("cancelled");
    expect(job.state).toBe("cancelled");
    expect(await filesUnder(settings.modelsDir)).toEqual([]);
  });

  it("an aborted AbortSignal cancels like cancel()", async () => {
    const settings = await setUp();
    holdMidFile();
    const controller = new AbortController();
    const job = startDownload({ repo, file: model.path }, settings, { signal: controller.signal });
    await untilHeld(job);

    controller.abort();
    expect((await downloadErrorOf(job.result)).code).toBe("cancelled");
    expect(await filesUnder(settings.modelsDir)).toEqual([]);
  });

  it("cancelling a paused download keeps its partial, and the next pull resumes it", async () => {
    const settings = await setUp();
    holdMidFile();
    const job = startDownload({ repo, file: model.path }, settings);
    await untilHeld(job);
    await job.pause();

    job.cancel();
    const error = await downloadErrorOf(job.result);
    expect(error.code).toBe("cancelled");
    expect(error.message).toContain("partial download was kept");
    expect((await readFile(partialOf(settings))).length).toBe(stallAt);

    const result = await startDownload({ repo, file: model.path }, settings).result;
    expect(hub.contentRequests(model.path).at(-1)?.range).toBe(`bytes=${stallAt}-`);
    expect(result.sha256).toBe(sha256(model.content));
  });

  it("re-hashes the bytes already on disk when resuming, so a damaged partial is caught", async () => {
    const settings = await setUp();
    holdMidFile();
    const job = startDownload({ repo, file: model.path }, settings);
    await untilHeld(job);
    await job.pause();
    const partial = await readFile(partialOf(settings));
    partial[1_000]! ^= 0xff;
    await writeFile(partialOf(settings), partial);

    job.resume();
    const error = await downloadErrorOf(job.result);
    expect(error.code).toBe("checksum-mismatch");
    expect(hub.contentRequests(model.path).at(-1)?.range).toBe(`bytes=${stallAt}-`);
    expect(await filesUnder(settings.modelsDir)).toEqual([]);
  });
});

describe("another process downloading the same file", () => {
  it("makes the job wait, and cancelling it leaves that process's partial and lock alone", async () => {
    const settings = await setUp();
    const folder = join(settings.modelsDir, repo);
    await mkdir(folder, { recursive: true });
    // The lock of a live process on this machine (the one that started this test run), with the partial it writes.
    const lock = `${join(folder, model.path)}.partial.lock`;
    await writeFile(lock, JSON.stringify({ pid: process.ppid, host: hostname(), since: new Date().toISOString() }));
    await writeFile(partialOf(settings), model.content.subarray(0, stallAt));

    const job = startDownload({ repo, file: model.path }, settings);
    await waitUntil(() => job.progress?.phase === "waiting", "the job says it waits for the other process");
    job.cancel();
    expect(await downloadErrorOf(job.result)).toMatchObject({ code: "cancelled" });

    expect(hub.contentRequests(model.path)).toEqual([]);
    expect((await readFile(partialOf(settings))).length).toBe(stallAt);
    expect(await filesUnder(settings.modelsDir)).toEqual([join(repo, "a.gguf.partial"), join(repo, "a.gguf.partial.lock")]);
  });

  it("takes over the lock of a process that is gone and resumes its partial", async () => {
    const settings = await setUp();
    const folder = join(settings.modelsDir, repo);
    await mkdir(folder, { recursive: true });
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
    await writeFile(`${join(folder, model.path)}.partial.lock`, JSON.stringify({ pid: gone, host: hostname(), since: new Date().toISOString() }));

    const result = await startDownload({ repo, file: model.path }, settings).result;
    expect(result.sha256).toBe(sha256(model.content));
    expect(await filesUnder(settings.modelsDir)).toEqual([join(repo, "a.gguf")]);
  });
});

describe("the download queue", () => {
  it("gives a second request for the same file the same job: one download, one result", async () => {
    const queue = new DownloadQueue(await setUp());
    const first = queue.enqueue({ repo, file: model.path });
    const second = queue.enqueue({ repo, file: model.path, revision: "main" });

    expect(second).toBe(first);
    const [a, b] = await Promise.all([first.result, second.result]);
    expect(b).toBe(a);
    expect(hub.contentRequests(model.path)).toHaveLength(1);
    expect(hub.requests.filter((request) => request.stage === "resolve")).toHaveLength(1);
    expect(queue.jobs).toEqual([]);
  });

  it("refuses to download the same file from two revisions at once", async () => {
    const queue = new DownloadQueue(await setUp());
    holdMidFile();
    const first = queue.enqueue({ repo, file: model.path });
    const error = downloadErrorThrownBy(() => queue.enqueue({ repo, file: model.path, revision: "v2" }));
    expect(error.code).toBe("already-downloading");
    expect(error.message).toContain('revision "main"');
    first.cancel();
    expect((await downloadErrorOf(first.result)).code).toBe("cancelled");
  });

  it("runs at most `concurrency` transfers; a freed slot goes to the next queued job", async () => {
    const queue = new DownloadQueue({ ...(await setUp()), concurrency: 2 });
    for (const { path } of models) holdMidFile(path);
    const running = new Set<ModelDownload>();
    let mostRunning = 0;
    const jobs = models.map(({ path }) => {
      const job = queue.enqueue({ repo, file: path });
      job.on("state", (state) => {
        if (state === "running") running.add(job);
        else running.delete(job);
        mostRunning = Math.max(mostRunning, running.size);
      });
      return job;
    });
    const [first, second, third] = jobs as [ModelDownload, ModelDownload, ModelDownload];
    await untilHeld(first);
    await untilHeld(second);

    expect(third.state).toBe("queued");
    expect(hub.requests.filter((request) => request.file === third.file)).toEqual([]);

    first.cancel();
    await untilHeld(third);
    expect(second.state).toBe("running");
    expect(mostRunning).toBe(2);

    hub.clearFaults();
    second.cancel();
    third.cancel();
    await Promise.allSettled(jobs.map((job) => job.result));
    expect(queue.jobs).toEqual([]);
  });

  it("a paused job gives up its slot, and asking for its file again resumes it", async () => {
    const queue = new DownloadQueue({ ...(await setUp()), concurrency: 1 });
    holdMidFile(models[0]!.path);
    const first = queue.enqueue({ repo, file: models[0]!.path });
    const second = queue.enqueue({ repo, file: models[1]!.path });
    await untilHeld(first);
    expect(second.state).toBe("queued");

    await first.pause();
    await second.result;
    expect(first.state).toBe("paused");

    expect(queue.enqueue({ repo, file: models[0]!.path })).toBe(first);
    const result = await first.result;
    expect(result.sha256).toBe(sha256(models[0]!.content));
    expect(hub.contentRequests(models[0]!.path).at(-1)?.range).toBe(`bytes=${stallAt}-`);
  });
});
