/**
 * The one envelope every answer crosses the boundary in (ARCHITECTURE.md, "The contract"). Errors are data: Electron's
 * `ipcMain.handle` keeps only a thrown error's message (electron#24427), and a WebSocket carries JSON, so nothing is
 * ever thrown across a transport.
 */
import type { ResultError } from "./resultError.ts";

export type { ResultError };

export type Result<T> = { ok: true; value: T } | { ok: false; error: ResultError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err(code: string, message: string, hint?: string, details?: Record<string, unknown>): { ok: false; error: ResultError } {
  return { ok: false, error: { code, message, ...(hint ? { hint } : {}), ...(details ? { details } : {}) } };
}
