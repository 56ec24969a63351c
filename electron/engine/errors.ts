import { CodedError } from "../../shared/errors/codedError.ts";
/** Engine failures as data: a code the UI and CLI can branch on, a message naming the problem, a hint saying what to do. */
export type EngineErrorCode =
  | "model-not-found"
  | "model-invalid"
  | "model-unsupported"
  | "model-load-failed"
  | "no-model-loaded"
  | "prompt-family-mismatch"
  | "family-unknown"
  /** loaded as a custom guard without a definition */
  | "custom-guard-missing"
  | "conversation-invalid"
  | "prompt-invalid"
  | "prompt-too-long"
  | "engine-busy"
  | "engine-crashed"
  | "engine-failed"
  | "cancelled";

export interface EngineErrorData {
  code: EngineErrorCode;
  message: string;
  hint?: string;
}

export class EngineError extends CodedError<EngineErrorCode> {
  constructor(code: EngineErrorCode, message: string, hint?: string) {
    super(code, message, hint);
  }

  static fromData(data: EngineErrorData): EngineError {
    return new EngineError(data.code, data.message, data.hint);
  }

  static fromLoadFailure(modelPath: string, error: unknown): EngineError {
    const detail = error instanceof Error ? error.message : String(error);
    return new EngineError("model-load-failed", `llama.cpp could not load ${modelPath}: ${detail}`, "Check that the file is a complete GGUF model and that there is enough free memory.");
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
