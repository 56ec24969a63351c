/**
 * `guardbench serve` as the hardening tests drive it: a real child process on a free loopback port with its own
 * GUARDBENCH_HOME and a stand-in renderer, spoken to over a real WebSocket with the session token it printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { WebSocket } from "ws";
import type { JobDone } from "../../shared/ipc/contract.ts";
import type { Result } from "../../shared/ipc/result.ts";
import type { ServerMessage } from "../../shared/ipc/wire.ts";
import { tokenFromFragment, webSocketProtocols } from "../../shared/ipc/wire.ts";
import { GUARDBENCH_CLI } from "./paths.ts";

export interface ServeProcess {
  child: ChildProcess;
  /** the URL serve printed, `#token=…` included */
  url: URL;
  token: string | undefined;
  home: string;
  output(): string;
  stop(): Promise<void>;
}

/** A minimal built page: serve refuses to start without one. */
export async function writeStandInRenderer(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "index.html"), "<!doctype html><title>Guardbench</title>");
  return dir;
}

export function spawnServe(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [GUARDBENCH_CLI, "serve", ...args], { env: { ...process.env, GUARDBENCH_GPU: "off", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function startServe(options: { home: string; rendererDir: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<ServeProcess> {
  const { child, output, exited } = spawnServe(["--port", "0", "--renderer-dir", options.rendererDir, ...(options.args ?? [])], { GUARDBENCH_HOME: options.home, ...options.env });
  const printed = await Promise.race([
    new Promise<string>((resolve) => {
      const onData = () => {
        const match = /serving at (\S+)/.exec(output());
        if (!match) return;
        child.stdout!.off("data", onData);
        resolve(match[1]!);
      };
      child.stdout!.on("data", onData);
      onData();
    }),
    exited.then((code) => Promise.reject(new Error(`serve exited with ${code} before printing its URL:\n${output()}`))),
  ]);
  const url = new URL(printed);
  return {
    child,
    url,
    token: tokenFromFragment(url.hash),
    home: options.home,
    output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A WebSocket client of the app, as the page is one (its origin, the token's subprotocol). */
export class AppSocket {
  private nextId = 1;
  /** every event pushed so far */
  readonly events: Extract<ServerMessage, { type: "event" }>[] = [];
  private readonly onEvent = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type !== "event") return;
      this.events.push(message);
      for (const listener of this.onEvent) listener();
    });
  }

  static open(served: Pick<ServeProcess, "url" | "token">, options: { token?: string | null; origin?: string } = {}): Promise<AppSocket> {
    const token = options.token === null ? undefined : (options.token ?? served.token);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://${served.url.host}/ws`, webSocketProtocols(token), { origin: options.origin ?? served.url.origin });
      socket.once("open", () => resolve(new AppSocket(socket)));
      socket.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)));
      socket.once("error", reject);
    });
  }

  invoke<T = unknown>(channel: string, request: unknown): Promise<Result<T>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString()) as ServerMessage;
        if (message.type !== "reply" || message.id !== id) return;
        this.socket.off("message", onMessage);
        resolve(message.result as Result<T>);
      };
      this.socket.on("message", onMessage);
      this.socket.send(JSON.stringify({ type: "invoke", id, channel, request }));
    });
  }

  /** The `job:done` of `jobId`, however long the job takes. */
  jobDone(jobId: string): Promise<JobDone> {
    return new Promise((resolve) => {
      const check = () => {
        const done = this.events.find((event): event is Extract<ServerMessage, { event: "job:done" }> => event.event === "job:done" && event.payload.jobId === jobId);
        if (!done) return;
        this.onEvent.delete(check);
        resolve(done.payload);
      };
      this.onEvent.add(check);
      check();
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** Uploads `bytes` as the page does: begin, chunks in order, finish. Answers the finish's result. */
export async function upload(app: AppSocket, name: string, bytes: Buffer, chunkBytes = 64 * 1024): Promise<Result<{ path: string; name: string; uploaded: boolean }>> {
  const begun = await app.invoke<{ uploadId: string }>("files:upload-begin", { name, sizeBytes: bytes.length, purpose: "dataset" });
  if (!begun.ok) return begun;
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    const sent = await app.invoke("files:upload-chunk", { uploadId: begun.value.uploadId, offset, data: bytes.subarray(offset, offset + chunkBytes).toString("base64") });
    if (!sent.ok) return sent;
  }
  return app.invoke("files:upload-finish", { uploadId: begun.value.uploadId });
}
