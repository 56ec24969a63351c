import { homedir } from "node:os";
import { resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { Command } from "commander";
import { expandHome } from "../../shared/format/homePath.ts";

/** What a command may touch of the outside world; tests pass their own streams and environment. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliCommand {
  /**
   * The command's one declaration (see arguments.ts): its name, summary, options and help text. Made afresh for each
   * use, since commander keeps what it parsed on the declaration.
   */
  declare(): Command;
  /** Resolves to the process exit code. Expected failures print one clear line on stderr and return non-zero. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A mistake in how the command was called: the CLI prints the message and the command's usage. */
export class CliUsageError extends Error {
  /** the usage to print with it, when it is not the usage of the command the CLI ran (a `models` subcommand's) */
  usage?: string;
}

/** The command line asked for something that ends the command at once, such as `--help`: exit with this code. */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** A failure the user can act on (bad file, missing model …): printed as `guardbench: <message>` without a stack. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** A path from the command line: `~` expanded (a shell leaves `--flag=~/x` alone), then resolved against the cwd. */
export function userPath(io: Pick<CliIo, "cwd" | "env">, path: string): string {
  return resolve(io.cwd, expandHome(path, io.env.HOME ?? homedir()));
}

export function writeLine(stream: Writable, line: string): void {
  stream.write(line.endsWith("\n") ? line : `${line}\n`);
}

/**
 * A signal aborted by the first Ctrl+C or SIGTERM, so the command can stop its work and say so (a second Ctrl+C, or
 * one after `dispose`, ends the process as usual). The engine worker ignores Ctrl+C: the command decides.
 */
export function untilInterrupted(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const dispose = () => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  };
  const stop = () => {
    dispose();
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return { signal: controller.signal, dispose };
}

/** Resolves on the first Ctrl+C or SIGTERM: long-running commands (serve, worker) then shut down cleanly. */
export function untilSignalled(): Promise<void> {
  const { signal } = untilInterrupted();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** Why a server command could not listen, in words that say what to change. */
export function listenFailure(error: unknown, host: string, port: number): CliFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return new CliFailure(`port ${port} on ${host} is already in use; pick another with --port (0 picks a free one)`);
  if (code === "EADDRNOTAVAIL") return new CliFailure(`${host} is not an address of this machine; use --host 127.0.0.1 or one of its addresses`);
  return new CliFailure(error instanceof Error ? error.message : String(error));
}
