/**
 * The one envelope every answer crosses the boundary in (ARCHITECTURE.md, "The contract"). Errors are data: Electron's
 * `ipcMain.handle` keeps only a thrown error's message (electron#24427), and a WebSocket carries JSON, so nothing is
 * ever thrown across a transport.
 */
export interface ResultError {
  /** stable, kebab-case, for code to branch on ("invalid-request", "model-load-failed", "auth-required" …) */
  code: string;
  /** one or two sentences for the user: what went wrong, naming the thing it went wrong with */
  message: string;
  /** what the user can do about it */
  hint?: string;
  /** machine-readable extras some errors carry (a download's licence page, a checksum pair …) */
  details?: Record<string, unknown>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ResultError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err(code: string, message: string, hint?: string, details?: Record<string, unknown>): { ok: false; error: ResultError } {
  return { ok: false, error: { code, message, ...(hint ? { hint } : {}), ...(details ? { details } : {}) } };
}
