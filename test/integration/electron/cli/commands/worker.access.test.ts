/**
 * `guardbench worker` keeps browsers out (issue #11): a real worker child process serving the programmed fixture
 * model, spoken to with raw HTTP requests whose Host, Origin and Content-Type the test sets. Without a token it answers
 * only requests addressed to a loopback name (a DNS-rebinding page is refused); with or without one it refuses the
 * requests a web page can send without asking first (text/plain, forms) and cross-site ones. Its token can come from a
 * file or an environment variable instead of the command line.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaGuard3UnsafeAnswer } from "../../../../fixtures/guardAnswers.ts";
import { LLAMA3_TOKENS as T } from "../../../../fixtures/gguf/llama3Vocab.ts";
import { writeProgrammedModel, type ProgrammedModel } from "../../../../fixtures/models.ts";
import { startWorker, type WorkerProcess } from "../../../../support/remote.ts";

const TOKEN = "worker-hardening-token-5b2e91c07d";

let dir: string;
let model: ProgrammedModel;
let open: WorkerProcess;

interface Answer {
  status: number;
  body: string;
}

/** One raw request: Node's client sends the Host and other headers exactly as given. */
function send(url: string, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: target.hostname, port: target.port, method: options.method ?? "GET", path: options.path ?? "/v1/models", headers: options.headers ?? {} }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode!, body }));
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

const completion = JSON.stringify({ prompt: [T.endHeader], max_tokens: 1, temperature: 0, logprobs: 1 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-worker-hardening-"));
  model = await writeProgrammedModel(join(dir, "unsafe-s3.gguf"), { transitions: llamaGuard3UnsafeAnswer() });
  open = await startWorker(model.path);
});

afterAll(async () => {
  await open?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("guardbench worker without a token", () => {
  it("answers requests addressed to a loopback name or its address, and refuses other Host names (DNS rebinding)", async () => {
    const port = new URL(open.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await send(open.url, { headers: { host } })).status, host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost:${Number(port) + 1}`, "localhost"]) {
      const answer = await send(open.url, { headers: { host } });
      expect(answer.status, `Host: ${host}`).toBe(403);
      expect(answer.body).toMatch(/loopback name/);
    }
    const rebound = await send(open.url, { method: "POST", path: "/v1/completions", headers: { host: `evil.example:${port}`, "content-type": "application/json" }, body: completion });
    expect(rebound.status).toBe(403);
  });

  it("refuses the POSTs a web page may send without asking (text/plain, forms, none) and cross-site ones", async () => {
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
      const answer = await send(open.url, { method: "POST", path: "/v1/completions", headers: type ? { "content-type": type } : {}, body: completion });
      expect(answer.status, String(type)).toBe(415);
      expect(answer.body).toMatch(/Content-Type: application\/json/);
    }
    const crossSite: Array<Record<string, string>> = [{ origin: "http://evil.example" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }];
    for (const headers of crossSite) {
      const answer = await send(open.url, { method: "POST", path: "/v1/completions", headers: { "content-type": "application/json", ...headers }, body: completion });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.body).toMatch(/cross-site/);
    }
  });

  it("serves an API client as before", async () => {
    const answer = await send(open.url, { method: "POST", path: "/v1/completions", headers: { "content-type": "application/json; charset=utf-8" }, body: completion });
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ object: "text_completion", choices: [{ index: 0 }] });
  });
});

describe("guardbench worker's token from a file or the environment", () => {
  it.each([
    ["--token-file", async () => ({ args: ["--token-file", await tokenFile()], env: {} })],
    ["GUARDBENCH_WORKER_TOKEN", async () => ({ args: [], env: { GUARDBENCH_WORKER_TOKEN: TOKEN } })],
  ])("%s", async (_how, setup) => {
    const { args, env } = await setup();
    const guarded = await startWorker(model.path, args, env);
    try {
      expect((await send(guarded.url, {})).status).toBe(401);
      expect((await send(guarded.url, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
      const authorized = await send(guarded.url, { method: "POST", path: "/v1/completions", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: completion });
      expect(authorized.status).toBe(200);
      // A token does not let a browser in: the cross-site checks come first.
      const fromPage = await send(guarded.url, { method: "POST", path: "/v1/completions", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" }, body: completion });
      expect(fromPage.status).toBe(415);
    } finally {
      await guarded.stop();
    }
  });
});

async function tokenFile(): Promise<string> {
  const path = join(dir, "worker.token");
  await writeFile(path, `${TOKEN}\n`, { mode: 0o600 });
  return path;
}
