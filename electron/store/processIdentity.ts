/**
 * Which process writes a piece of unfinished work (an import), so that another process — or the same one later — can
 * tell a writer that is still at it from one that died. A process id alone is not enough: ids are reused, and two
 * machines sharing one GUARDBENCH_HOME each have their own.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

export interface ProcessIdentity {
  host: string;
  pid: number;
  /** random per process start: a later process that happens to get the same pid has another */
  token: string;
}

export const THIS_PROCESS: ProcessIdentity = { host: hostname(), pid: process.pid, token: randomUUID() };

/** Whether a process with this id exists (signal 0 checks without sending anything; EPERM means it exists, as another user's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * - "this": `owner` is the asking process itself (it knows what it is still doing);
 * - "dead": the owner's process is gone (or its pid now belongs to the asking process);
 * - "alive": a process with that pid runs on this machine (most likely the owner);
 * - "unknown": another machine's process, which cannot be asked.
 */
export type OwnerState = "this" | "dead" | "alive" | "unknown";

export function ownerState(owner: ProcessIdentity, self: ProcessIdentity, isAlive: (pid: number) => boolean = isProcessAlive): OwnerState {
  if (owner.host !== self.host) return "unknown";
  if (owner.pid === self.pid) return owner.token === self.token ? "this" : "dead";
  return isAlive(owner.pid) ? "alive" : "dead";
}

export function parseProcessIdentity(json: string | null): ProcessIdentity | undefined {
  if (json === null) return undefined;
  try {
    const value = JSON.parse(json) as Partial<ProcessIdentity>;
    return typeof value.host === "string" && typeof value.pid === "number" && typeof value.token === "string" ? { host: value.host, pid: value.pid, token: value.token } : undefined;
  } catch {
    return undefined;
  }
}
