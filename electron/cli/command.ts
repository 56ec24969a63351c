import type { Readable, Writable } from "node:stream";

/** What a command may touch of the outside world; tests pass their own streams and environment. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code. Expected failures print one clear line on stderr and return non-zero. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A mistake in how the command was called: the CLI prints the message and the command's usage. */
export class CliUsageError extends Error {}

/** A failure the user can act on (bad file, missing model …): printed as `guardbench: <message>` without a stack. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function writeLine(stream: Writable, line: string): void {
  stream.write(line.endsWith("\n") ? line : `${line}\n`);
}

/** Resolves on the first Ctrl+C or SIGTERM: long-running commands (serve, worker) then shut down cleanly. */
export function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Why a server command could not listen, in words that say what to change. */
export function listenFailure(error: unknown, host: string, port: number): CliFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return new CliFailure(`port ${port} on ${host} is already in use; pick another with --port (0 picks a free one)`);
  if (code === "EADDRNOTAVAIL") return new CliFailure(`${host} is not an address of this machine; use --host 127.0.0.1 or one of its addresses`);
  return new CliFailure(error instanceof Error ? error.message : String(error));
}

/** A numeric flag within [min, max], or undefined when absent. */
export function numberOption(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < min || number > max) throw new CliUsageError(`${flag} must be a number from ${min} to ${max}, not "${value}"`);
  return number;
}
