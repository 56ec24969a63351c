/**
 * The downloader against the loopback Hub: verified transfers, resuming, stalls, retries, checksum and disk
 * checks, revisions and URL encoding. Pause/cancel/queue: download-control.test.ts; auth and errors:
 * download-auth.test.ts; the CLI: download-cli.test.ts.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startDownload, type DownloadProgress } from "../../../../electron/models/download.ts";
import type { RetryNotice } from "../../../../electron/models/retry.ts";
import { freeBytesAt } from "../../../../electron/models/transfer.ts";
import { startHub, type HubDouble, type HubOptions } from "../../../fixtures/hub/hubServer.ts";
import { downloadErrorOf, fastHubClient, filesUnder, modelFile, sha256, temporaryFolder } from "../../../support/download.ts";

const repo = "acme/tiny-guard";
const model = modelFile("tiny-guard.Q4_K_M.gguf", 1_000_000);

let hub: HubDouble;
afterEach(async () => hub?.close());

async function setUp(options: Partial<HubOptions> = {}) {
  hub = await startHub({ repos: [{ id: repo, files: [model] }], chunkSize: 8 * 1024, ...options });
  const modelsDir = await temporaryFolder();
  const destination = join(modelsDir, repo, model.path);
  return { modelsDir, destination };
}

/** Downloads `file` and collects the progress and retry events on the way. */
async function pull(modelsDir: string, options: { file?: string; revision?: string; client?: ReturnType<typeof fastHubClient> } = {}) {
  const job = startDownload(
    { repo, file: options.file ?? model.path, ...(options.revision ? { revision: options.revision } : {}) },
    { modelsDir, hub: options.client ?? fastHubClient(hub.url), progressIntervalMs: 0 },
  );
  const progress: DownloadProgress[] = [];
  const retries: RetryNotice[] = [];
  job.on("progress", (event) => progress.push(event));
  job.on("retry", (notice) => retries.push(notice));
  return { job, progress, retries };
}

function rangeStarts(file = model.path): number[] {
  return hub
    .contentRequests(file)
    .map((request) => request.range?.match(/^bytes=(\d+)-$/)?.[1])
    .filter((start) => start !== undefined)
    .map(Number);
}

describe("downloading a model file", () => {
  it("installs a verified copy under <modelsDir>/<owner>/<repo>/<file> and reports progress", async () => {
    const { modelsDir, destination } = await setUp();
    const { job, progress } = await pull(modelsDir);
    const result = await job.result;

    expect(result).toMatchObject({ path: destination, sha256: sha256(model.content), size: model.content.length, alreadyInstalled: false });
    expect(result.commit).toBe(hub.commitOf(repo, "main"));
    expect(sha256(await readFile(destination))).toBe(sha256(model.content));
    expect(await filesUnder(modelsDir)).toEqual([join(repo, model.path)]);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ phase: "downloading", bytesDone: model.content.length, bytesTotal: model.content.length, etaSeconds: 0 });
    expect(progress.every((event) => event.bytesPerSecond >= 0)).toBe(true);
    expect(job.state).toBe("completed");
  });

  it("resumes after a dropped connection with a Range request, keeping the bytes already on disk", async () => {
    const { modelsDir, destination } = await setUp();
    hub.setFault({ file: model.path, fault: { kind: "drop", afterBytes: 300_000 } });
    const { job, retries } = await pull(modelsDir);
    await job.result;

    const [resumedAt] = rangeStarts();
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(300_000);
    expect(hub.contentRequests(model.path)).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(sha256(await readFile(destination))).toBe(sha256(model.content));
  });

  it("starts over when the server answers a ranged request with the whole file (200)", async () => {
    const { modelsDir, destination } = await setUp();
    hub.setFault({ file: model.path, fault: { kind: "drop", afterBytes: 200_000 } });
    hub.setFault({ file: model.path, fault: { kind: "ignore-range" } });
    const { job } = await pull(modelsDir);
    await job.result;

    const [first, second] = hub.contentRequests(model.path);
    expect(second?.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(second?.status).toBe(200);
    expect(first?.status).toBe(200);
    expect(sha256(await readFile(destination))).toBe(sha256(model.content));
  });

  it("notices a stalled connection and resumes it", async () => {
    const { modelsDir, destination } = await setUp();
    hub.setFault({ file: model.path, fault: { kind: "stall", afterBytes: 400_000 } });
    const { job, retries } = await pull(modelsDir, { client: fastHubClient(hub.url, { stallTimeoutMs: 1_000 }) });
    await job.result;

    expect(retries.map((notice) => notice.reason)).toEqual([expect.stringContaining("no data arrived for 1 s")]);
    expect(rangeStarts()).toEqual([400_000]);
    expect(sha256(await readFile(destination))).toBe(sha256(model.content));
  });

  it("waits out 429 (honouring Retry-After up to the cap) and 500 answers", async () => {
    const { modelsDir } = await setUp();
    hub.setFault({ file: model.path, times: 2, fault: { kind: "status", status: 429, retryAfterSeconds: 1 } });
    hub.setFault({ file: model.path, fault: { kind: "status", status: 500 } });
    const { job, retries } = await pull(modelsDir);
    const result = await job.result;

    const resolves = hub.requests.filter((request) => request.stage === "resolve").map((request) => request.status);
    expect(resolves).toEqual([429, 429, 500, 302]);
    // Retry-After: 1 s is longer than the test client's 50 ms cap, so the cap applies; the 500 gets plain backoff.
    expect(retries.map((notice) => notice.delayMs)).toEqual([50, 50, 20]);
    expect(retries[0]?.reason).toContain("429");
    expect(result.sha256).toBe(sha256(model.content));
  });

  it("retries a rate-limited Hub API call", async () => {
    const { modelsDir } = await setUp();
    hub.setFault({ repo, at: "api", fault: { kind: "status", status: 429 } });
    const { job, retries } = await pull(modelsDir);
    await job.result;

    expect(hub.requests[0]).toMatchObject({ url: `/api/models/${repo}/revision/main`, status: 429 });
    expect(hub.requests[1]).toMatchObject({ url: `/api/models/${repo}/revision/main`, status: 200 });
    // No Retry-After, but the RateLimit header's t=1 (s) asks for a wait: capped to 50 ms.
    expect(retries.map((notice) => notice.delayMs)).toEqual([50]);
  });

  it("gives up with a server-error after the configured retries", async () => {
    const { modelsDir } = await setUp();
    hub.setFault({ file: model.path, times: 10, fault: { kind: "status", status: 503 } });
    const { job } = await pull(modelsDir, { client: fastHubClient(hub.url, { retry: { maxRetries: 2 } }) });
    const error = await downloadErrorOf(job.result);

    expect(error.code).toBe("server-error");
    expect(error.message).toContain("after 2 retries");
    expect(error.hint).toMatch(/try again later/i);
    expect(hub.requests.filter((request) => request.stage === "resolve")).toHaveLength(3);
  });

  it("rejects bytes that do not hash to the Hub's sha256, leaving neither a final file nor a partial", async () => {
    const { modelsDir } = await setUp();
    hub.setFault({ file: model.path, fault: { kind: "corrupt" } });
    const { job } = await pull(modelsDir);
    const error = await downloadErrorOf(job.result);

    expect(error.code).toBe("checksum-mismatch");
    expect(error.details.expectedSha256).toBe(sha256(model.content));
    expect(error.details.actualSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(error.details.actualSha256).not.toBe(error.details.expectedSha256);
    expect(error.message).toContain(sha256(model.content));
    expect(await filesUnder(modelsDir)).toEqual([]);
  });

  it("refuses to start when the disk is too small, before fetching any byte of the file", async () => {
    const { modelsDir } = await setUp();
    const probed: string[] = [];
    const job = startDownload(
      { repo, file: model.path },
      { modelsDir, hub: fastHubClient(hub.url), freeBytes: async (directory) => (probed.push(directory), 1_000) },
    );
    const error = await downloadErrorOf(job.result);

    expect(error.code).toBe("disk-full");
    expect(error.details).toMatchObject({ bytesNeeded: model.content.length, bytesFree: 1_000 });
    expect(error.message).toContain("needs 1.0 MB");
    expect(error.message).toContain("only 1.0 kB is free");
    expect(probed).toEqual([join(modelsDir, repo)]);
    expect(hub.requests.filter((request) => request.url.includes("/resolve/") || request.url.startsWith("/cdn/"))).toEqual([]);
    expect(await filesUnder(modelsDir)).toEqual([]);
  });

  it("measures free space with statfs by default", async () => {
    expect(await freeBytesAt(await temporaryFolder())).toBeGreaterThan(0);
  });

  it("reuses an installed copy that still verifies, without downloading it again", async () => {
    const { modelsDir } = await setUp();
    await (await pull(modelsDir)).job.result;
    const second = await (await pull(modelsDir)).job.result;

    expect(second.alreadyInstalled).toBe(true);
    expect(second.sha256).toBe(sha256(model.content));
    expect(hub.contentRequests(model.path)).toHaveLength(1);
  });

  it("throws away a partial left from another version of the file instead of resuming it", async () => {
    const { modelsDir, destination } = await setUp();
    await mkdir(join(modelsDir, repo), { recursive: true });
    await writeFile(`${destination}.partial`, Buffer.alloc(4_096, 7));
    await writeFile(
      `${destination}.partial.json`,
      JSON.stringify({ version: 1, url: "old", repo, file: model.path, commit: "0".repeat(40), size: model.content.length, digest: "f".repeat(64) }),
    );
    const { job } = await pull(modelsDir);
    await job.result;

    expect(hub.contentRequests(model.path).map((request) => request.range)).toEqual([undefined]);
    expect(sha256(await readFile(destination))).toBe(sha256(model.content));
    expect(await filesUnder(modelsDir)).toEqual([join(repo, model.path)]);
  });

  it("verifies a non-LFS file (served without a CDN redirect) by its git blob id", async () => {
    const config = modelFile("config.json", 3_000, { lfs: false });
    const { modelsDir } = await setUp({ repos: [{ id: repo, files: [model, config] }] });
    const result = await (await pull(modelsDir, { file: config.path })).job.result;
    expect(result.sha256).toBe(sha256(config.content));
    expect(hub.contentRequests(config.path).map((request) => request.server + request.url.split("?")[0])).toEqual([
      `hub/${repo}/resolve/${hub.commitOf(repo, "main")}/config.json`,
    ]);

    hub.setFault({ file: config.path, fault: { kind: "corrupt" } });
    await writeFile(result.path, "stale");
    const error = await downloadErrorOf((await pull(modelsDir, { file: config.path })).job.result);
    expect(error.code).toBe("checksum-mismatch");
  });
});

describe("revisions and URLs", () => {
  const onBranch = (name: string) => modelFile(model.path, 50_000 + name.length);

  it.each(["refs/pr/1", "gptq-4bit-32g-actorder_True", "v1.0"])("downloads the file as it is on %s", async (revision) => {
    const branchFile = onBranch(revision);
    const { modelsDir, destination } = await setUp({ repos: [{ id: repo, revisions: { main: [model], [revision]: [branchFile] } }] });
    const result = await (await pull(modelsDir, { revision })).job.result;

    expect(sha256(await readFile(destination))).toBe(sha256(branchFile.content));
    expect(result).toMatchObject({ revision, commit: hub.commitOf(repo, revision) });
    const encoded = encodeURIComponent(revision);
    expect(hub.requests[0]?.url).toBe(`/api/models/${repo}/revision/${encoded}`);
    if (revision === "refs/pr/1") expect(hub.requests[0]?.url).toContain("refs%2Fpr%2F1");
  });

  it("accepts a commit hash as the revision", async () => {
    const { modelsDir } = await setUp();
    const commit = hub.commitOf(repo, "main");
    const result = await (await pull(modelsDir, { revision: commit })).job.result;
    expect(result).toMatchObject({ commit, sha256: sha256(model.content) });
  });

  it("finds a file in a sub-folder through a paginated listing, with its name percent-encoded", async () => {
    const nested = modelFile("gguf files/tiny (q4)!.gguf", 20_000);
    const siblings = ["a.gguf", "b.gguf", "c.gguf"].map((name) => modelFile(`gguf files/${name}`, 100));
    const { modelsDir } = await setUp({ repos: [{ id: repo, files: [model, ...siblings, nested] }], treePageSize: 1 });
    const result = await (await pull(modelsDir, { file: nested.path })).job.result;

    expect(result.path).toBe(join(modelsDir, repo, "gguf files", "tiny (q4)!.gguf"));
    expect(sha256(await readFile(result.path))).toBe(sha256(nested.content));
    const commit = hub.commitOf(repo, "main");
    const treePages = hub.requests.filter((request) => request.url.includes("/tree/"));
    expect(treePages[0]?.url).toBe(`/api/models/${repo}/tree/${commit}/gguf%20files`);
    expect(treePages.length).toBeGreaterThan(1);
    expect(treePages[1]?.url).toContain("cursor=1");
    // Python's quote(): "/" kept, and "(", ")", "!" encoded (encodeURIComponent alone would leave them).
    expect(hub.requests.some((request) => request.url === `/${repo}/resolve/${commit}/gguf%20files/tiny%20%28q4%29%21.gguf`)).toBe(true);
  });
});
