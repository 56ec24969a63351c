/**
 * Turns whatever a handler threw into the envelope's error (`{ code, message, hint? }`): the typed errors of the
 * engine, downloader and store carry their own; anything else is a bug, reported as such without a stack.
 */
import type { ResultError } from "../../shared/ipc/result.ts";
import { DatasetImportError } from "../datasets/import.ts";
import { ExportError } from "../datasets/export.ts";
import { EngineError } from "../engine/errors.ts";
import { DownloadError } from "../models/downloadError.ts";
import { RunError, RunStopped } from "../runs/errors.ts";
import { FileHashError } from "../runs/fileHash.ts";
import { FileAccessError } from "./fileAccess.ts";
import { StoreError } from "../store/errors.ts";

export function toResultError(error: unknown, during: string): ResultError {
  if (error instanceof EngineError || error instanceof StoreError || error instanceof RunError || error instanceof RunStopped || error instanceof FileHashError || error instanceof FileAccessError) return error.toData();
  if (error instanceof DatasetImportError) {
    // The import reader says "aborted"; every other job says "cancelled".
    const code = error.code === "aborted" ? "cancelled" : error.code;
    return { code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(error.line !== undefined ? { details: { line: error.line } } : {}) };
  }
  if (error instanceof ExportError) return { code: "export-failed", message: error.message, hint: "Check that the folder exists and is writable, then export again." };
  if (error instanceof DownloadError) {
    const { details, ...rest } = error.toJSON();
    return Object.keys(details).length > 0 ? { ...rest, details: { ...details } } : rest;
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: "internal-error",
    message: `${during} failed unexpectedly: ${message}`,
    hint: "This is a bug in Guardbench. Please report it with the steps that led to it.",
  };
}
