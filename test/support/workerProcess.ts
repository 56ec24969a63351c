/** `guardbench worker` child processes for tests and benchmarks (no test-runner imports: the bench runs it under tsx). */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface WorkerProcess {
  /** `http://127.0.0.1:<port>`: the endpoint's base URL */
  url: string;
  child: ChildProcess;
  /** Ctrl+C, as a user stops it */
  stop(): Promise<void>;
  /** SIGKILL: a machine that dies */
  kill(): Promise<void>;
}

/**
 * Starts `guardbench worker` (the built bin) on a free loopback port with the test settings — CPU, one thread, a
 * 2048-token context, Llama Guard 3 1B — and waits for the URL it prints.
 */
export async function startWorkerProcess(modelPath: string, options: { name: string; extraArgs?: string[]; env?: NodeJS.ProcessEnv }): Promise<WorkerProcess> {
  const bin = join(process.cwd(), "bin", "guardbench.js");
  const args = [bin, "worker", "--model", modelPath, "--family", "llama-guard-3-1b", "--name", options.name, "--port", "0", "--cpu", "--threads", "1", "--context", "2048", ...(options.extraArgs ?? [])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /at (http:\/\/\S+)\/v1/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`guardbench worker exited with ${code} before serving: ${stderr.trim()}`)));
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
}

