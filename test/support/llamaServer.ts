/**
 * A real llama.cpp `llama-server` for tests and benchmarks: the binary that scripts/llama-server.mjs builds from
 * node-llama-cpp's bundled llama.cpp (the local engine's own commit), started on a free loopback port and ready once
 * `GET /health` answers 200 (it answers 503 while the model loads).
 *
 *   const server = await startLlamaServer(modelPath, { parallel: 2 });
 *   … fetch(`${server.url}/completion`, …) …
 *   await server.stop();
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { llamaServerBuild } from "../../scripts/llama-server.mjs";

export interface LlamaServerOptions {
  /** slots (`--parallel`), default 2 */
  parallel?: number;
  /** threads (`--threads`), default 1: tests share two cores */
  threads?: number;
  /** total context over all slots (`--ctx-size`), default 4096 */
  contextSize?: number;
  /** more command-line arguments */
  extraArgs?: string[];
  /** how long loading may take, default 120 s */
  readyTimeoutMs?: number;
  /** the server's working folder (a relative model path is read from there) */
  cwd?: string;
}

export interface LlamaServerProcess {
  /** `http://127.0.0.1:<port>`: the endpoint's base URL */
  url: string;
  port: number;
  child: ChildProcess;
  /** what the server printed so far (its log goes to standard error) */
  output(): string;
  /** SIGTERM, as a user stops it, and wait for the exit */
  stop(): Promise<void>;
  /** SIGKILL: a machine that dies */
  kill(): Promise<void>;
}

/** The built binary, or an error that says how to build it. */
export function llamaServerBinary(): string {
  const build = llamaServerBuild();
  if (!build.usable) {
    throw new Error(
      `No llama-server build for llama.cpp ${build.commit.slice(0, 12)} at ${build.binary}. ` +
        "Build it once with `node scripts/llama-server.mjs` (needs cmake and a C++ compiler: `apt-get install -y cmake ninja-build g++`); " +
        "`npm test` tries that itself before the tests start, so its log above says why it could not.",
    );
  }
  return build.binary;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port from the operating system");
  return address.port;
}

/** Starts llama-server on `modelPath` and resolves once it serves; retries on another port if the port was taken. */
export async function startLlamaServer(modelPath: string, options: LlamaServerOptions = {}): Promise<LlamaServerProcess> {
  const binary = llamaServerBinary();
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOn(binary, modelPath, port, options);
    } catch (error) {
      lastError = error as Error;
      // Someone took the port between the check and the bind: try another. Anything else is the real failure.
      if (!/bind|address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startOn(binary: string, modelPath: string, port: number, options: LlamaServerOptions): Promise<LlamaServerProcess> {
  const args = [
    "--model", modelPath,
    "--host", "127.0.0.1",
    "--port", String(port),
    "--parallel", String(options.parallel ?? 2),
    "--threads", String(options.threads ?? 1),
    "--threads-batch", String(options.threads ?? 1),
    "--ctx-size", String(options.contextSize ?? 4096),
    "--n-gpu-layers", "0",
    "--no-webui",
    "--no-warmup",
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], ...(options.cwd ? { cwd: options.cwd } : {}) });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`llama-server exited (${child.exitCode ?? child.signalCode}) before serving:\n${tail(output)}`);
      const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`llama-server did not become ready within ${options.readyTimeoutMs ?? 120_000} ms (last /health: ${status || "no answer"}):\n${tail(output)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await end("SIGKILL");
    throw error;
  }
  return { url, port, child, output: () => output, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-20).join("\n");
}
