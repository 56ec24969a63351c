/**
 * A secret a command takes (`--token` of serve, worker and models pull): from the command line, a file, or an
 * environment variable. The command line is the least private of the three — every user of the machine sees it in
 * `ps` and `/proc/<pid>/cmdline`, and shells keep it in their history — so it still works but says so on stderr.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { CliUsageError, writeLine, type CliIo, userPath } from "./command.ts";

export interface SecretOption {
  /** `--token` */
  flag: string;
  /** the value given with `flag` */
  value: string | undefined;
  /** `--token-file` */
  fileFlag: string;
  /** the path given with `fileFlag` */
  file: string | undefined;
  /** the environment variable read when neither flag is given, e.g. GUARDBENCH_WORKER_TOKEN */
  envVar: string;
  /** for messages: "guardbench worker" */
  command: string;
}

export interface SecretValue {
  secret: string;
  /** where it came from, for messages: "--token", "--token-file", or the variable's name */
  origin: string;
}

/** A token file is a few dozen bytes; anything much larger is not one. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** The secret, or undefined when none of the three gives one. Throws CliUsageError for a secret that cannot be used. */
export async function readSecretOption(option: SecretOption, io: Pick<CliIo, "env" | "cwd" | "stderr">): Promise<SecretValue | undefined> {
  if (option.value !== undefined && option.file !== undefined) throw new CliUsageError(`give ${option.flag} or ${option.fileFlag}, not both`);
  if (option.value !== undefined) {
    writeLine(io.stderr, `${option.command}: note: ${option.flag} on the command line is visible to every user of this machine (ps); ${option.fileFlag} PATH or ${option.envVar} keeps it private.`);
    return { secret: option.value, origin: option.flag };
  }
  if (option.file !== undefined) return { secret: await readSecretFile(userPath(io, option.file), option, io), origin: option.fileFlag };
  const fromEnv = io.env[option.envVar]?.trim();
  return fromEnv ? { secret: fromEnv, origin: option.envVar } : undefined;
}

async function readSecretFile(path: string, option: SecretOption, io: Pick<CliIo, "stderr">): Promise<string> {
  let text: string;
  try {
    // Non-blocking: a FIFO given by mistake is refused instead of hanging the command.
    const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new CliUsageError(`${option.fileFlag} ${path}: not a regular file`);
      if (info.size > MAX_SECRET_FILE_BYTES) throw new CliUsageError(`${option.fileFlag} ${path}: ${info.size.toLocaleString("en-US")} bytes is too large for a token file (it should hold the token alone)`);
      if (process.platform !== "win32" && (info.mode & 0o077) !== 0) {
        writeLine(io.stderr, `${option.command}: warning: ${path} can be read by other users; make it private with \`chmod 600 ${path}\`.`);
      }
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM" ? "permission denied" : (error as Error).message;
    throw new CliUsageError(`${option.fileFlag} ${path}: ${why}`);
  }
  // Never echo the content in a message: it is a secret.
  const secret = text.trim();
  if (secret === "") throw new CliUsageError(`${option.fileFlag} ${path}: the file is empty`);
  if (/[\r\n]/.test(secret)) throw new CliUsageError(`${option.fileFlag} ${path}: the file holds more than one line; it should hold the token alone`);
  return secret;
}

