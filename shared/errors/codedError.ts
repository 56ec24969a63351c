/**
 * The one base of Guardbench's typed errors: a stable kebab-case `code` for code to branch on, a `message` for the
 * user that names the thing that went wrong, a `hint` saying what to do, and machine-readable `details` where an error
 * has them (a line number, a licence page). `toData` is the Result envelope's error, so whatever a handler, a job or a
 * CLI command catches turns into what the user sees the same way (electron/core/errors.ts, cli/commands/run.ts).
 */
export interface CodedErrorData<Code extends string = string> {
  code: Code;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export class CodedError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly hint?: string,
    /** machine-readable extras; empty or absent: none */
    readonly details?: object,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toData(): CodedErrorData<Code> {
    const details = this.details && Object.keys(this.details).length > 0 ? ({ ...this.details } as Record<string, unknown>) : undefined;
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}), ...(details ? { details } : {}) };
  }

  /** The message and, on its own line, the hint: what a terminal prints. */
  toText(): string {
    return errorText(this);
  }
}

/** What a terminal prints for an error, thrown or answered: the message and, on its own line, the hint. */
export function errorText(error: { message: string; hint?: string | undefined }): string {
  return error.hint ? `${error.message}\n${error.hint}` : error.message;
}
