/**
 * `guardbench serve` as a user runs it: a real child process on a free port with a temporary GUARDBENCH_HOME, spoken to
 * over real HTTP and a real WebSocket.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { ServerMessage } from "../../../../../shared/ipc/wire.ts";
import { TOKEN_PATTERN, tokenFromFragment, webSocketProtocols } from "../../../../../shared/ipc/wire.ts";
import { writeDamagedGguf, writeTinyGguf } from "../../../../fixtures/gguf/tiny.ts";
import { GUARDBENCH_CLI } from "../../../../support/paths.ts";

const TOKEN = "test-token-0123456789abcdef";
const INDEX_HTML = "<!doctype html><title>Guardbench</title><script type=module src=/assets/app.js></script>";

let scratch: string;
let rendererDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "guardbench-serve-"));
  rendererDir = join(scratch, "renderer");
  await mkdir(join(rendererDir, "assets"), { recursive: true });
  await writeFile(join(rendererDir, "index.html"), INDEX_HTML);
  await writeFile(join(rendererDir, "assets", "app.js"), "console.log('hi');\n");
  await writeFile(join(scratch, "secret.txt"), "outside the renderer folder\n");
});

afterAll(async () => {
  await Promise.all(children.map((child) => stop(child)));
  await rm(scratch, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  url: URL;
  origin: string;
  output: () => string;
}

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [GUARDBENCH_CLI, "serve", ...args], {
    env: { ...process.env, GUARDBENCH_HOME: join(scratch, `home-${children.length}`), GUARDBENCH_GPU: "off" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function serve(...args: string[]): Promise<Served> {
  const { child, output, exited } = run(["--port", "0", "--renderer-dir", rendererDir, ...args]);
  const url = await Promise.race([
    new Promise<string>((resolve) => {
      const check = () => {
        const match = /serving at (\S+)/.exec(output());
        if (match) resolve(match[1]!);
        else setTimeout(check, 25);
      };
      check();
    }),
    exited.then((code) => Promise.reject(new Error(`serve exited with ${code} before printing its URL:\n${output()}`))),
  ]);
  const parsed = new URL(url);
  return { child, url: parsed, origin: parsed.origin, output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** A raw GET: node's http client sends the path exactly as given (fetch would normalise `..`). */
function get(served: Served, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: served.url.hostname, port: served.url.port, path, method, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Opens the app's WebSocket; resolves with the socket, or rejects with the HTTP status of the refused upgrade. */
/** With the session token serve printed, unless `protocols` says otherwise. */
function connect(served: Served, options: { origin?: string; protocols?: string[] } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${served.url.host}/ws`, options.protocols ?? webSocketProtocols(tokenFromFragment(served.url.hash)), { origin: options.origin ?? served.origin });
    socket.once("open", () => resolve(socket));
    socket.once("unexpected-response", (_req, res) => reject(new RefusedUpgrade(res.statusCode ?? 0)));
    socket.once("error", reject);
  });
}

class RefusedUpgrade extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

async function refusal(attempt: Promise<WebSocket>): Promise<number> {
  try {
    (await attempt).close();
  } catch (error) {
    if (error instanceof RefusedUpgrade) return error.status;
    throw error;
  }
  throw new Error("the connection was accepted");
}

/** Sends one invoke and waits for its reply, collecting pushed events meanwhile; rejects if the connection closes first. */
function invoke(socket: WebSocket, id: number, channel: string, request: unknown, events: ServerMessage[] = []): Promise<Extract<ServerMessage, { type: "reply" }>["result"]> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number) => reject(new Error(`the connection closed (${code}) before ${channel} was answered`));
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === "event") return void events.push(message);
      if (message.id !== id) return;
      socket.off("message", onMessage);
      socket.off("close", onClose);
      resolve(message.result);
    };
    socket.once("close", onClose);
    socket.on("message", onMessage);
    socket.send(JSON.stringify({ type: "invoke", id, channel, request }));
  });
}

describe("guardbench serve on loopback", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve();
  });

  it("prints a loopback URL with the real port and a session token", () => {
    expect(served.url.hostname).toBe("127.0.0.1");
    expect(Number(served.url.port)).toBeGreaterThan(0);
    expect(tokenFromFragment(served.url.hash)).toMatch(TOKEN_PATTERN);
  });

  it("serves the page with a strict CSP allowing only its own WebSocket", async () => {
    const page = await get(served, "/");
    expect(page.status).toBe(200);
    expect(page.body).toBe(INDEX_HTML);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = page.headers["content-security-policy"] as string;
    expect(csp).toContain("default-src 'self'; script-src 'self'; style-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${served.url.host}`);
    expect(csp).toContain("object-src 'none'; base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect((await get(served, "/assets/app.js")).headers["content-type"]).toBe("text/javascript; charset=utf-8");
    // client-side routes fall back to the page; missing files with an extension do not
    expect((await get(served, "/results/3")).body).toBe(INDEX_HTML);
    expect((await get(served, "/assets/missing.js")).status).toBe(404);
  });

  it.each(["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/%00index.html", "/%E0%A4%A"])("refuses the traversal %s", async (path) => {
    const response = await get(served, path);
    expect([400, 403]).toContain(response.status);
    expect(response.body).not.toContain("outside the renderer folder\n");
  });

  it("answers only requests addressed to a loopback host (DNS rebinding)", async () => {
    expect((await get(served, "/", { host: `evil.example:${served.url.port}` })).status).toBe(403);
    expect((await get(served, "/", { host: `localhost:${served.url.port}` })).status).toBe(200);
    expect((await get(served, "/", {}, "POST")).status).toBe(405);
  });

  it("runs AppHost over a WebSocket from its own origin, with pushed events", async () => {
    const socket = await connect(served);
    try {
      expect(socket.protocol).toBe("guardbench.v1");
      const info = await invoke(socket, 1, "app:info", {});
      expect(info).toMatchObject({ ok: true, value: { name: "guardbench", transport: "websocket", home: join(scratch, "home-0") } });
      expect(await invoke(socket, 2, "classify:run", { turns: 5 })).toMatchObject({ ok: false, error: { code: "invalid-request" } });
      expect(await invoke(socket, 3, "no:such", {})).toMatchObject({ ok: false, error: { code: "unknown-channel" } });
      const events: ServerMessage[] = [];
      expect(await invoke(socket, 4, "models:unload", {}, events)).toEqual({ ok: true, value: { state: "idle" } });
      expect(events).toContainEqual({ type: "event", event: "engine:status", payload: { state: "idle" } });
    } finally {
      socket.close();
    }
  });

  it("closes a connection that sends something other than an invoke", async () => {
    const socket = await connect(served);
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send("not json");
    expect(await closed).toBe(1007);
  });

  it("refuses a WebSocket from a foreign origin, without the subprotocol, or without the session token", async () => {
    expect(await refusal(connect(served, { origin: "http://evil.example" }))).toBe(403);
    expect(await refusal(connect(served, { origin: `http://localhost:${Number(served.url.port) + 1}` }))).toBe(403);
    expect(await refusal(connect(served, { protocols: [] }))).toBe(400);
    expect(await refusal(connect(served, { protocols: webSocketProtocols() }))).toBe(401);
  });
});

describe("guardbench serve with a token", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve("--token", TOKEN);
  });

  it("prints the token in the URL fragment only", () => {
    expect(served.url.hash).toBe(`#token=${TOKEN}`);
  });

  it("refuses connections without the token or with a wrong one", async () => {
    expect(await refusal(connect(served, { protocols: webSocketProtocols() }))).toBe(401);
    expect(await refusal(connect(served, { protocols: webSocketProtocols("wrong-token-0123456789abcdef") }))).toBe(401);
    expect(await refusal(connect(served, { origin: "http://evil.example", protocols: webSocketProtocols(TOKEN) }))).toBe(403);
  });

  it("accepts the right token", async () => {
    const socket = await connect(served, { protocols: webSocketProtocols(TOKEN) });
    try {
      expect(await invoke(socket, 1, "engine:status", {})).toEqual({ ok: true, value: { state: "idle" } });
    } finally {
      socket.close();
    }
  });
});

describe("guardbench serve meets a damaged GGUF (issue #11)", () => {
  let served: Served;
  let damaged: string;
  beforeAll(async () => {
    // Bytes 24–31 (the first key's length) = 0x7FFFFFFF: node-llama-cpp's reader aborted the whole server on this file.
    await writeTinyGguf(join(scratch, "intact.gguf"));
    damaged = join(scratch, "damaged.gguf");
    await writeDamagedGguf(join(scratch, "intact.gguf"), damaged);
    const library = join(scratch, `home-${children.length}`, "models", "local");
    await mkdir(library, { recursive: true });
    await copyFile(damaged, join(library, "damaged-copy.gguf"));
    served = await serve();
  });

  it("answers models:import, models:list, models:load and models:catalog with the problem, and keeps serving", async () => {
    const socket = await connect(served);
    try {
      const problem = { code: "corrupt-header", message: expect.stringMatching(/has a damaged GGUF header: the key of metadata entry 1 of \d+ \(at offset 24\)/) };
      // the path is one the user confirmed (files:allow): the grant is not what refuses it
      expect(await invoke(socket, 6, "files:allow", { path: damaged, purpose: "model" })).toMatchObject({ ok: true });
      expect(await invoke(socket, 1, "models:import", { path: damaged })).toMatchObject({ ok: false, error: problem });
      expect(await invoke(socket, 2, "models:list", {})).toMatchObject({ ok: true, value: { models: [{ id: "local/damaged-copy.gguf", problem }] } });
      expect(await invoke(socket, 3, "models:load", { id: "local/damaged-copy.gguf", family: "llama-guard-3-1b" })).toMatchObject({ ok: false, error: problem });
      expect(await invoke(socket, 4, "models:catalog", {})).toMatchObject({ ok: true, value: { fit: { otherInstalled: [] } } });
      expect(await invoke(socket, 5, "app:info", {})).toMatchObject({ ok: true, value: { name: "guardbench" } });
    } finally {
      socket.close();
    }
    expect(served.child.exitCode).toBeNull();
    expect(served.child.signalCode).toBeNull();
  });
});

describe("guardbench serve refuses to start", () => {
  it("on a non-loopback address without a token", async () => {
    const { output, exited } = run(["--host", "0.0.0.0", "--port", "0", "--renderer-dir", rendererDir]);
    expect(await exited).toBe(1);
    expect(output()).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
  });

  it("with a token too weak to protect anything", async () => {
    const { output, exited } = run(["--token", "secret", "--port", "0", "--renderer-dir", rendererDir]);
    expect(await exited).toBe(1);
    expect(output()).toMatch(/invalid --token: a token is 16 to 256 characters/);
  });

  it("without a built renderer, saying how to build it", async () => {
    const { output, exited } = run(["--port", "0", "--renderer-dir", join(scratch, "nowhere")]);
    expect(await exited).toBe(1);
    expect(output()).toMatch(/index\.html is missing\): run `npm run build` first/);
  });
});
