/**
 * Secrets never pass the contract (issue #11): a real `guardbench serve` saves a Hugging Face token and an endpoint key
 * the way the page does, then every channel that takes a path is tried on the files that hold them — directly, through
 * a hard link and a symbolic link outside the data folder, and after asking for a grant — and on the database, its WAL
 * and `/proc/self/environ` (which holds a canary put into serve's environment). No answer and no pushed event may carry
 * the token, the key or the canary, and the secret files must be left as they were.
 */
import { link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestSchemas } from "../../../../shared/ipc/contract.ts";
import type { Result } from "../../../../shared/ipc/result.ts";
import { AppSocket, startServe, writeStandInRenderer, type ServeProcess } from "../../../support/serve.ts";

const HF_TOKEN = `hf_${randomBytes(16).toString("hex")}`;
const ENDPOINT_KEY = `sk-${randomBytes(16).toString("hex")}`;
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const SECRETS = [HF_TOKEN, ENDPOINT_KEY, CANARY];

let scratch: string;
let served: ServeProcess;
let app: AppSocket;
/** every answer this test received, for the final sweep */
const answers: unknown[] = [];

async function call<T = unknown>(channel: string, request: unknown): Promise<Result<T>> {
  const result = await app.invoke<T>(channel, request);
  answers.push({ channel, result });
  return result;
}

function expectNoSecret(value: unknown, what: string): void {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) expect(text, `${what} carries a secret`).not.toContain(secret);
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "guardbench-secrets-"));
  const home = join(scratch, "home");
  served = await startServe({ home, rendererDir: await writeStandInRenderer(join(scratch, "renderer")), env: { GUARDBENCH_TEST_CANARY: CANARY } });
  app = await AppSocket.open(served);
  expect(await call("hf:token-set", { token: HF_TOKEN })).toMatchObject({ ok: true });
  expect(await call("endpoints:save", { name: "gpu-box", baseUrl: "http://127.0.0.1:9", kind: "openai-completions", model: "guard", apiKey: ENDPOINT_KEY })).toMatchObject({ ok: true });
});

afterAll(async () => {
  app?.close();
  await served?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe("secrets saved through serve", () => {
  it("are stored where the test expects them (so the attempts below aim at the real files)", async () => {
    expect(await readFile(join(served.home, "hf-token"), "utf8")).toContain(HF_TOKEN);
    expect(await readFile(join(served.home, "endpoint-keys.json"), "utf8")).toContain(ENDPOINT_KEY);
  });

  it("this test tries every channel of the contract that takes a path", () => {
    const takingAPath = Object.entries(requestSchemas)
      .filter(([, schema]) => "shape" in schema && "path" in (schema.shape as object))
      .map(([channel]) => channel)
      .sort();
    expect(takingAPath).toEqual([
      "datasets:export",
      "datasets:import",
      "datasets:preview",
      "files:allow",
      "files:drop",
      "models:custom-guard",
      "models:import",
      "models:load",
      "models:remove-custom-guard",
      "models:save-custom-guard",
    ]);
  });

  it("cannot be read, overwritten or echoed through any file-taking channel", async () => {
    const outside = join(scratch, "outside");
    await mkdir(outside);
    const home = served.home;
    // Links outside the data folder, named like datasets and models, so nothing but the file itself gives them away.
    await link(join(home, "endpoint-keys.json"), join(outside, "keys-hardlink.jsonl"));
    await link(join(home, "hf-token"), join(outside, "token-hardlink.csv"));
    await symlink(join(home, "endpoint-keys.json"), join(outside, "keys-symlink.json"));
    await symlink(join(home, "hf-token"), join(outside, "token-symlink.gguf"));
    await symlink("/proc/self/environ", join(outside, "environ-symlink.jsonl"));
    const targets = [
      join(home, "hf-token"),
      join(home, "endpoint-keys.json"),
      join(home, "guardbench.db"),
      join(home, "guardbench.db-wal"),
      "/proc/self/environ",
      `/proc/${served.child.pid}/environ`,
      join(outside, "keys-hardlink.jsonl"),
      join(outside, "token-hardlink.csv"),
      join(outside, "keys-symlink.json"),
      join(outside, "token-symlink.gguf"),
      join(outside, "environ-symlink.jsonl"),
    ];

    const demo = await call<{ jobId: string }>("datasets:demo", { name: "sample-chats" });
    if (!demo.ok) throw new Error(JSON.stringify(demo.error));
    const demoDone = await app.jobDone(demo.value.jobId);
    if (demoDone.kind !== "import" || !demoDone.result.ok) throw new Error(`the demo import failed: ${JSON.stringify(demoDone)}`);
    const datasetId = demoDone.result.value.dataset.id;

    for (const path of targets) {
      // Asking for a grant is refused too; a refused grant must not have granted anything, so the uses follow it.
      for (const purpose of ["dataset", "model", "export"]) {
        const allowed = await call("files:allow", { path, purpose });
        expect(allowed.ok, `files:allow ${purpose} ${path}`).toBe(false);
      }
      for (const purpose of ["dataset", "model"]) {
        // Desktop only (the preload sends it); serve refuses it whatever the path.
        expect((await call("files:drop", { path, purpose })).ok, `files:drop ${purpose} ${path}`).toBe(false);
      }
      for (const format of [undefined, "jsonl", "csv", "json"]) {
        const preview = await call("datasets:preview", { path, ...(format ? { format } : {}) });
        expect(preview.ok, `datasets:preview ${format ?? ""} ${path}`).toBe(false);
        const started = await call<{ jobId: string }>("datasets:import", { path, ...(format ? { format } : {}), mapping: { prompt: "prompt" } });
        if (started.ok) {
          const done = await app.jobDone(started.value.jobId);
          answers.push(done);
          expect(done.result.ok, `datasets:import ${format ?? ""} ${path}`).toBe(false);
        }
      }
      expect((await call("models:import", { path })).ok, `models:import ${path}`).toBe(false);
      expect((await call("models:load", { path, family: "llama-guard-3-1b" })).ok, `models:load ${path}`).toBe(false);
      // The custom guard editor answers the file's own template: a secret must never come back as one.
      expect((await call("models:custom-guard", { path })).ok, `models:custom-guard ${path}`).toBe(false);
      const definition = { name: "x", template: "{{ messages[0].content }}", decision: { unsafe: "unsafe", safe: "safe" }, verdict: { pattern: "(?<verdict>\\w+)" } };
      expect((await call("models:save-custom-guard", { path, definition })).ok, `models:save-custom-guard ${path}`).toBe(false);
      expect((await call("models:remove-custom-guard", { path })).ok, `models:remove-custom-guard ${path}`).toBe(false);
      for (const format of ["jsonl", "csv"]) {
        expect((await call("datasets:export", { datasetId, path, format })).ok, `datasets:export ${format} ${path}`).toBe(false);
      }
    }
    expect(await call("files:pick", { purpose: "dataset" })).toMatchObject({ ok: false, error: { code: "file-dialog-unavailable" } });

    // Nothing was overwritten or removed.
    expect(await readFile(join(home, "hf-token"), "utf8")).toBe(`${HF_TOKEN}\n`);
    expect(JSON.parse(await readFile(join(home, "endpoint-keys.json"), "utf8"))).toEqual({ "gpu-box": ENDPOINT_KEY });
    expect(await call("hf:token-status", {})).toMatchObject({ ok: true, value: { present: true, source: "stored" } });
    expect(await call("endpoints:list", {})).toMatchObject({ ok: true, value: { endpoints: [{ name: "gpu-box", hasApiKey: true }] } });
  });

  it("a file the user chose is read (the refusals above are not everything being refused)", async () => {
    const chosen = join(scratch, "chosen.jsonl");
    await writeFile(chosen, `${JSON.stringify({ id: "a", messages: [{ role: "user", content: "hello" }], label: "safe" })}\n`);
    expect(await call("datasets:preview", { path: chosen })).toMatchObject({ ok: false, error: { code: "file-not-chosen" } });
    expect(await call("files:allow", { path: chosen, purpose: "dataset" })).toMatchObject({ ok: true, value: { path: chosen, name: "chosen.jsonl", uploaded: false } });
    expect(await call("datasets:preview", { path: chosen })).toMatchObject({ ok: true, value: { format: "jsonl", rows: [{ id: "a" }] } });
  });

  it("no answer or pushed event carried a secret", () => {
    expect(answers.length).toBeGreaterThan(100);
    answers.forEach((answer, index) => expectNoSecret(answer, `answer ${index}`));
    app.events.forEach((event, index) => expectNoSecret(event, `event ${index} (${event.event})`));
    expectNoSecret(served.output(), "serve's output");
  });
});
