/**
 * One process at a time downloads a given file. Within a process the download queue already shares one job per file;
 * across processes (the app and `guardbench models pull`, or two pulls in two terminals) two transfers would append to
 * the same partial file. `<dest>.partial.lock` names the process that holds it; another process waits for it, and takes
 * it over once that process is gone (killed, crashed), resuming from the partial it left.
 */
import { open, readFile, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { lockPathFor } from "./paths.ts";

export interface LockOwner {
  pid: number;
  host: string;
  /** when it took the lock (ISO) */
  since: string;
}

export interface DownloadLockHooks {
  signal: AbortSignal;
  /** called on each check while another live process holds the lock */
  onWaiting(owner: LockOwner): void;
  /** how often to look again; default 500 ms */
  pollMs?: number;
}

/**
 * A lock file that cannot be read yet may be one another process has created and not yet written: only after this long
 * is an unreadable lock taken for the remains of a crash.
 */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** Runs `work` holding the download lock of `destination` (its folder must exist), waiting for another holder first. */
export async function withDownloadLock<T>(destination: string, hooks: DownloadLockHooks, work: () => Promise<T>): Promise<T> {
  const path = lockPathFor(destination);
  const { signal, onWaiting, pollMs = 500 } = hooks;
  for (;;) {
    signal.throwIfAborted();
    const attempt = await tryAcquire(path);
    if ("me" in attempt) return runHolding(path, attempt.me, work);
    if (attempt.heldBy !== "being-written") onWaiting(attempt.heldBy);
    await sleep(pollMs, undefined, { signal });
  }
}

/**
 * Runs `work` holding the lock if no other live process holds it; undefined, without running it, if one does. For
 * cleaning up (deleting a cancelled download's partial) without touching another process's download.
 */
export async function ifDownloadLockFree<T>(destination: string, work: () => Promise<T>): Promise<T | undefined> {
  const path = lockPathFor(destination);
  let attempt: Awaited<ReturnType<typeof tryAcquire>>;
  try {
    attempt = await tryAcquire(path);
  } catch (error) {
    // No folder, so no partial and nobody downloading into it.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return work();
    throw error;
  }
  return "me" in attempt ? runHolding(path, attempt.me, work) : undefined;
}

async function runHolding<T>(path: string, me: LockOwner, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await release(path, me);
  }
}

/** Creates the lock, taking over one whose holder is gone; or says who holds it. */
async function tryAcquire(path: string): Promise<{ me: LockOwner } | { heldBy: LockOwner | "being-written" }> {
  for (;;) {
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(`${JSON.stringify(me)}\n`);
      } finally {
        await handle.close();
      }
      return { me };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await readOwner(path);
    if (owner === "being-written") return { heldBy: owner };
    if (owner !== "gone" && !isGone(owner)) return { heldBy: owner };
    await rm(path, { force: true });
  }
}

async function readOwner(path: string): Promise<LockOwner | "being-written" | "gone"> {
  try {
    const owner = JSON.parse(await readFile(path, "utf8")) as Partial<LockOwner>;
    if (typeof owner.pid === "number" && typeof owner.host === "string") return owner as LockOwner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
  }
  const written = await stat(path).catch(() => undefined);
  if (!written) return "gone";
  return Date.now() - written.mtimeMs > UNREADABLE_LOCK_GRACE_MS ? "gone" : "being-written";
}

/** Only a process on this machine can be checked; one elsewhere (a shared network home) is assumed alive. */
function isGone(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Removes the lock if it is still this holder's (a process that took over a lock it thought stale must keep it). */
async function release(path: string, me: LockOwner): Promise<void> {
  const owner = await readOwner(path);
  if (typeof owner === "object" && owner.pid === me.pid && owner.host === me.host && owner.since === me.since) await rm(path, { force: true });
}
