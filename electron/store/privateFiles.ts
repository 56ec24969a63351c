/**
 * Guardbench's data folder holds the history, datasets, the Hugging Face token and endpoint keys, so it is private to
 * its user: folders 0700, the database (and the WAL and shared-memory files SQLite gives the same permissions) 0600.
 * A folder or database found looser (made by an older version, or by hand under the default umask) is tightened; the
 * caller may tell the user it did.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { parse, resolve } from "node:path";

const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Creates the data folder `folder` (and missing parents) 0700, or tightens it to 0700 when it is looser. Returns its
 * earlier mode when it tightened it. A shared folder is never changed: one with the sticky bit (`/tmp`), the user's
 * home folder or the root (GUARDBENCH_HOME set to one of them), or one owned by another user.
 */
export function ensurePrivateFolder(folder: string): number | undefined {
  mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER });
  const resolved = resolve(folder);
  if (resolved === resolve(homedir()) || resolved === parse(resolved).root) return undefined;
  let info;
  try {
    info = statSync(resolved);
  } catch {
    return undefined;
  }
  if ((info.mode & 0o1000) !== 0 || (typeof process.getuid === "function" && info.uid !== process.getuid())) return undefined;
  return tighten(resolved, PRIVATE_FOLDER);
}

/** Creates an empty 0600 file when `path` is absent (SQLite then keeps that mode), and tightens an existing one. */
export function ensurePrivateFile(path: string): number | undefined {
  try {
    closeSync(openSync(path, "wx", PRIVATE_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return tighten(path, PRIVATE_FILE);
}

/** Tightens an existing file to 0600 (a database's -wal or -shm left by an older version); absent is fine. */
export function tightenIfPresent(path: string): number | undefined {
  return tighten(path, PRIVATE_FILE);
}

function tighten(path: string, mode: number): number | undefined {
  if (process.platform === "win32") return undefined;
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((current & ~mode) === 0) return undefined;
  try {
    chmodSync(path, current & mode);
    return current;
  } catch {
    // Not ours to change (another user's folder): leave it; opening it will say what is wrong if anything is.
    return undefined;
  }
}

/** "0755" */
export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
