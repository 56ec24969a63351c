/**
 * Turns whatever a handler threw into the envelope's error (`{ code, message, hint? }`): every typed error is a
 * CodedError (shared/errors) and carries its own; anything else is a bug, reported as such without a stack.
 */
import type { ResultError } from "../../shared/ipc/result.ts";
import { CodedError } from "../../shared/errors/codedError.ts";

export function toResultError(error: unknown, during: string): ResultError {
  if (error instanceof CodedError) return error.toData();
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: "internal-error",
    message: `${during} failed unexpectedly: ${message}`,
    hint: "This is a bug in Guardbench. Please report it with the steps that led to it.",
  };
}
