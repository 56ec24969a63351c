/**
 * Which files the page may name (electron/host/fileAccess.ts), against a real `guardbench serve` over its WebSocket and
 * real files: only files chosen in the session (confirmed or uploaded), never special files (a real FIFO from mkfifo, a
 * socket, devices, /proc and /sys) — refused at once, never a hung read — never the data folder's files, and
 * malformed-file errors that say where the problem is without quoting the file. The in-process client (CLI, tests) and
 * the desktop transport's dialog-only rule are checked on an AppHost with real parts.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChosenFile } from "../../../../shared/ipc/contract.ts";
import { startTestHost, value } from "../../../support/runs.ts";
import { AppSocket, startServe, upload, writeStandInRenderer, type ServeProcess } from "../../../support/serve.ts";

const CANARY = `canary-${randomBytes(8).toString("hex")}`;
const RECORD = JSON.stringify({ id: "r1", messages: [{ role: "user", content: "How do I bake bread?" }], label: "safe" });

let scratch: string;
let outside: string;
let served: ServeProcess;
let app: AppSocket;
let socketServer: Server;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "guardbench-file-access-"));
  outside = join(scratch, "outside");
  await mkdir(outside);
  served = await startServe({ home: join(scratch, "home"), rendererDir: await writeStandInRenderer(join(scratch, "renderer")) });
  app = await AppSocket.open(served);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(outside, "socket.jsonl"), resolve));
});

afterAll(async () => {
  app?.close();
  await served?.stop();
  await new Promise((resolve) => socketServer?.close(resolve));
  await rm(scratch, { recursive: true, force: true });
});

function mkfifo(path: string): void {
  execFileSync("mkfifo", [path]);
}

describe("the page names only files the user chose", () => {
  it("refuses a path it was never given, then reads it once the user confirmed it", async () => {
    const path = join(outside, "chosen.jsonl");
    await writeFile(path, `${RECORD}\n`);
    expect(await app.invoke("datasets:preview", { path })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
    const missing = join(outside, "missing.jsonl");
    // Without a grant the page learns nothing about a path, not even that it does not exist.
    expect(await app.invoke("datasets:preview", { path: missing })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
    expect(await app.invoke("files:allow", { path: missing, purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "file-not-found" } });
    expect(await app.invoke("files:allow", { path: "relative/data.jsonl", purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "invalid-request" } });

    const allowed = await app.invoke<ChosenFile>("files:allow", { path, purpose: "dataset" });
    expect(allowed).toEqual({ ok: true, value: { path, name: "chosen.jsonl", sizeBytes: RECORD.length + 1, uploaded: false } });
    expect(await app.invoke("datasets:preview", { path })).toMatchObject({ ok: true, value: { format: "jsonl", rows: [{ id: "r1" }] } });
    const started = value(await app.invoke<{ jobId: string }>("datasets:import", { path }));
    expect(await app.jobDone(started.jobId)).toMatchObject({ result: { ok: true, value: { dataset: { name: "chosen", items: 1 } } } });
  });

  it("a link to a chosen file is the chosen file; a link does not extend the grant to its neighbours", async () => {
    const real = join(outside, "real.csv");
    await writeFile(real, "text,label\nhello,safe\n");
    await symlink(real, join(outside, "alias.csv"));
    value(await app.invoke("files:allow", { path: join(outside, "alias.csv"), purpose: "dataset" }));
    expect(await app.invoke("datasets:preview", { path: real })).toMatchObject({ ok: true, value: { columns: ["text", "label"] } });
    expect(await app.invoke("datasets:preview", { path: join(outside, "chosen-not.csv") })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
  });

  it("refuses the data folder's files even when asked to allow them, but not uploads and library models", async () => {
    const inHome = join(served.home, "my-data.jsonl");
    await writeFile(inHome, `${RECORD}\n`);
    expect(await app.invoke("files:allow", { path: inHome, purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "guardbench-file", message: expect.stringContaining("inside Guardbench's data folder") } });
    expect(await app.invoke("files:allow", { path: join(served.home, "exported.jsonl"), purpose: "export" })).toMatchObject({ ok: false, error: { code: "guardbench-file" } });
    const libraryModel = join(served.home, "models", "local", "guard.gguf");
    await mkdir(join(served.home, "models", "local"), { recursive: true });
    await writeFile(libraryModel, "GGUF");
    expect(await app.invoke("files:allow", { path: libraryModel, purpose: "model" })).toMatchObject({ ok: true, value: { path: libraryModel } });
    expect(await app.invoke("files:allow", { path: libraryModel, purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "guardbench-file" } });
  });
});

describe("special files are refused at once", () => {
  it("a FIFO (mkfifo) — no read that waits for a writer forever", async () => {
    const fifo = join(outside, "fifo.jsonl");
    mkfifo(fifo);
    expect(await app.invoke("files:allow", { path: fifo, purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "not-a-regular-file", message: `${fifo} is a named pipe (FIFO), not a regular file` } });
    await symlink(fifo, join(outside, "fifo-link.jsonl"));
    expect(await app.invoke("files:allow", { path: join(outside, "fifo-link.jsonl"), purpose: "model" })).toMatchObject({ ok: false, error: { code: "not-a-regular-file" } });
    expect(await app.invoke("files:allow", { path: fifo, purpose: "export" })).toMatchObject({ ok: false, error: { code: "not-a-regular-file" } });
  });

  it("a granted file swapped for a FIFO after the grant", async () => {
    const path = join(outside, "swapped.jsonl");
    await writeFile(path, `${RECORD}\n`);
    value(await app.invoke("files:allow", { path, purpose: "dataset" }));
    await rm(path);
    mkfifo(path);
    expect(await app.invoke("datasets:preview", { path })).toMatchObject({ ok: false, error: { code: "not-a-regular-file" } });
    expect(await app.invoke("datasets:import", { path })).toMatchObject({ ok: false, error: { code: "not-a-regular-file" } });
  });

  it("a socket, a folder, devices, /proc and /sys", async () => {
    expect(await app.invoke("files:allow", { path: join(outside, "socket.jsonl"), purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "not-a-regular-file", message: expect.stringContaining("a socket") } });
    expect(await app.invoke("files:allow", { path: outside, purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "not-a-regular-file", message: expect.stringContaining("a folder") } });
    const system = ["/dev/null", "/dev/zero", "/proc/self/environ", "/proc/self/cmdline", "/proc/version", "/sys/kernel/uevent_seqnum"].filter((path) => existsSync(path));
    expect(system.length).toBeGreaterThanOrEqual(4);
    for (const path of system) {
      for (const purpose of ["dataset", "model"]) {
        expect(await app.invoke("files:allow", { path, purpose }), path).toMatchObject({ ok: false, error: { code: "system-file" } });
      }
    }
    await symlink("/proc/self/environ", join(outside, "environ.csv"));
    expect(await app.invoke("files:allow", { path: join(outside, "environ.csv"), purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "system-file" } });
    expect(await app.invoke("files:allow", { path: "/dev/null", purpose: "export" })).toMatchObject({ ok: false, error: { code: "system-file" } });
  });
});

describe("uploads", () => {
  it("stores the page's bytes privately, previews and imports them, then removes them", async () => {
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: `u${i}`, messages: [{ role: "user", content: `question ${i} ${"x".repeat(400)}` }], label: i % 2 ? "safe" : "unsafe" })).join("\n"));
    const uploaded = value(await upload(app, "../../evil/name.jsonl", bytes, 16 * 1024));
    expect(uploaded).toMatchObject({ name: "name.jsonl", uploaded: true });
    expect(uploaded.path.startsWith(join(served.home, "uploads"))).toBe(true);
    expect((await stat(uploaded.path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(served.home, "uploads"))).mode & 0o777).toBe(0o700);
    expect(await app.invoke("datasets:preview", { path: uploaded.path, rows: 2 })).toMatchObject({ ok: true, value: { format: "jsonl", partial: true } });
    const started = value(await app.invoke<{ jobId: string }>("datasets:import", { path: uploaded.path }));
    expect(await app.jobDone(started.jobId)).toMatchObject({ result: { ok: true, value: { dataset: { name: "name", items: 300 } } } });
    expect(existsSync(uploaded.path)).toBe(false);
    expect(await app.invoke("datasets:preview", { path: uploaded.path })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
  });

  it("refuses chunks out of order, too many bytes, and an unfinished upload", async () => {
    const begun = value(await app.invoke<{ uploadId: string }>("files:upload-begin", { name: "a.csv", sizeBytes: 10, purpose: "dataset" }));
    const chunk = (offset: number, text: string) => app.invoke("files:upload-chunk", { uploadId: begun.uploadId, offset, data: Buffer.from(text).toString("base64") });
    expect(await chunk(3, "abc")).toMatchObject({ ok: false, error: { code: "upload-out-of-order" } });
    expect(await chunk(0, "abcdef")).toEqual({ ok: true, value: { received: 6 } });
    expect(await chunk(6, "ghijkl")).toMatchObject({ ok: false, error: { code: "upload-too-large" } });
    expect(await app.invoke("files:upload-finish", { uploadId: begun.uploadId })).toMatchObject({ ok: false, error: { code: "upload-incomplete" } });
    expect(await app.invoke("files:upload-cancel", { uploadId: begun.uploadId })).toEqual({ ok: true, value: { cancelled: true } });
    expect(await app.invoke("files:upload-finish", { uploadId: begun.uploadId })).toMatchObject({ ok: false, error: { code: "upload-unknown" } });
  });

  it("leaves nothing behind when serve stops", async () => {
    const home = join(scratch, "home-uploads");
    const other = await startServe({ home, rendererDir: join(scratch, "renderer") });
    const client = await AppSocket.open(other);
    value(await upload(client, "kept.jsonl", Buffer.from(`${RECORD}\n`)));
    value(await client.invoke("files:upload-begin", { name: "half.jsonl", sizeBytes: 100, purpose: "dataset" }));
    expect(await readdir(join(home, "uploads"))).toHaveLength(1);
    client.close();
    await other.stop();
    expect(await readdir(join(home, "uploads"))).toEqual([]);
  });
});

describe("malformed files: errors say where, never what", () => {
  const secretText = `token=${CANARY}`;

  it.each([
    ["jsonl", `${RECORD}\n${secretText}\n`, /line 2|column 1/],
    ["jsonl", `{"id": "x", "messages": ${secretText}}\n`, /column 25/],
    ["json", `${secretText}\n`, /line 1 starts with text that is not JSON/],
    ["json", `[${RECORD}, {"a": ${secretText}}]`, /not valid JSON at line 1/],
    ["json", `[${RECORD}] ${secretText}`, /after the array's closing/],
    ["csv", `text,label\n"quoted"${secretText},safe\n`, /followed by more text/],
  ])("%s: %j", async (format, content, where) => {
    const path = join(outside, `malformed-${randomBytes(4).toString("hex")}.${format}`);
    await writeFile(path, content);
    value(await app.invoke("files:allow", { path, purpose: "dataset" }));
    const preview = await app.invoke("datasets:preview", { path });
    const started = await app.invoke<{ jobId: string }>("datasets:import", { path, mapping: { prompt: "text" }, onBadRows: "stop" });
    const done = started.ok ? await app.jobDone(started.value.jobId) : started;
    const said = JSON.stringify([preview, done]);
    expect(said).not.toContain(CANARY);
    expect(said).not.toContain("token=");
    expect(said).toMatch(where);
  });
});

describe("the in-process client and the desktop transport", () => {
  it("main-side code names files itself, but a FIFO or a secret file is refused all the same", async () => {
    const home = await mkdtemp(join(scratch, "host-"));
    const test = startTestHost(home);
    try {
      const api = test.host.client();
      const path = join(outside, "direct.jsonl");
      await writeFile(path, `${RECORD}\n`);
      expect(await api.invoke("datasets:preview", { path })).toMatchObject({ ok: true });
      const fifo = join(outside, "direct-fifo.jsonl");
      mkfifo(fifo);
      expect(await api.invoke("datasets:preview", { path: fifo })).toMatchObject({ ok: false, error: { code: "not-a-regular-file" } });
      expect(await api.invoke("datasets:import", { path: fifo })).toMatchObject({ ok: false, error: { code: "not-a-regular-file" } });
      value(await api.invoke("hf:token-set", { token: `hf_${CANARY}` }));
      const preview = await api.invoke("datasets:preview", { path: join(home, "hf-token"), format: "csv" });
      expect(preview).toMatchObject({ ok: false, error: { code: "guardbench-file" } });
      expect(JSON.stringify(preview)).not.toContain(CANARY);
      expect(await api.invoke("datasets:preview", { path: "/proc/self/environ", format: "csv" })).toMatchObject({ ok: false, error: { code: "system-file" } });
    } finally {
      test.dispose();
    }
  });

  it("the desktop page takes files from the dialog only; a file the OS opened is granted for import", async () => {
    const picked = join(outside, "picked.jsonl");
    await writeFile(picked, `${RECORD}\n`);
    let answer: string | undefined = picked;
    const desktop = startTestHost(await mkdtemp(join(scratch, "desktop-")), {}, {}, { transport: "electron", pickFile: async () => answer });
    const page = desktop.host;
    try {
      expect(await page.invoke("files:allow", { path: picked, purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "use-file-dialog" } });
      expect(await page.invoke("datasets:preview", { path: picked })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
      expect(await page.invoke("files:pick", { purpose: "dataset" })).toEqual({ ok: true, value: { file: { path: picked, name: "picked.jsonl", sizeBytes: RECORD.length + 1, uploaded: false } } });
      expect(await page.invoke("datasets:preview", { path: picked })).toMatchObject({ ok: true });
      answer = undefined;
      expect(await page.invoke("files:pick", { purpose: "export" })).toEqual({ ok: true, value: {} });
      // The dialog cannot grant what nobody may read.
      answer = "/proc/self/environ";
      expect(await page.invoke("files:pick", { purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "system-file" } });

      const opened = join(outside, "opened.gguf");
      await writeFile(opened, "not a model");
      expect(await page.invoke("models:import", { path: opened })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
      page.requestModelOpen(opened);
      // Past the grant: the library itself now says what the file is.
      expect(await page.invoke("models:import", { path: opened })).toMatchObject({ ok: false, error: { code: "not-gguf" } });

      // A dropped file (the preload names it by Electron's path for the File) is granted like a chosen one, with the same refusals.
      const dropped = join(outside, "dropped.jsonl");
      await writeFile(dropped, `${RECORD}\n`);
      expect(await page.invoke("datasets:preview", { path: dropped })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
      expect(await page.invoke("files:drop", { path: dropped, purpose: "dataset" })).toMatchObject({ ok: true, value: { path: dropped, name: "dropped.jsonl", uploaded: false } });
      expect(await page.invoke("datasets:preview", { path: dropped })).toMatchObject({ ok: true });
      expect(await page.invoke("files:drop", { path: "/proc/self/environ", purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "system-file" } });
      expect(await page.invoke("files:drop", { path: dropped, purpose: "export" })).toMatchObject({ ok: false, error: { code: "invalid-request" } });
    } finally {
      desktop.dispose();
    }
  });

  it("the browser page cannot claim a dropped path: it uploads the file", async () => {
    const dropped = join(outside, "dropped-in-browser.jsonl");
    await writeFile(dropped, `${RECORD}\n`);
    expect(await app.invoke("files:drop", { path: dropped, purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "use-upload" } });
    expect(await app.invoke("datasets:preview", { path: dropped })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
  });
});
