/** `guardbench …` in a real child process, as a user runs it: its exit status and output, whether it succeeds or not. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { GUARDBENCH_CLI } from "./paths.ts";

const run = promisify(execFile);

export interface CliRun {
  /** the exit status; null when a signal ended the process */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd: string;
  /** GUARDBENCH_HOME; absent: the environment's */
  home?: string;
  /** more environment variables */
  env?: Record<string, string>;
  /** standard input (closed empty otherwise) */
  stdin?: string;
}

export async function runGuardbench(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  const env = { ...process.env, ...(options.home !== undefined && { GUARDBENCH_HOME: options.home }), ...options.env };
  const child = run(process.execPath, [GUARDBENCH_CLI, ...args], { cwd: options.cwd, env, maxBuffer: 1 << 24 });
  child.child.stdin!.end(options.stdin ?? "");
  try {
    const { stdout, stderr } = await child;
    return { code: 0, signal: null, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number | null; signal: string | null; stdout: string; stderr: string };
    return { code: failed.code, signal: failed.signal ?? null, stdout: failed.stdout, stderr: failed.stderr };
  }
}
