import { CodedError } from "../../shared/errors/codedError.ts";
/**
 * Every way a model download can fail, as data the CLI prints and the app shows (ARCHITECTURE.md: errors are
 * `{ code, message, hint? }`). Messages say what went wrong for this repo/file; hints say what the user can do.
 * No message, hint or detail ever contains the Hugging Face token.
 */
export type DownloadErrorCode =
  /** A gated (or private) repo was asked for without a token. */
  | "auth-required"
  /** The Hub refused the token itself (revoked, mistyped). */
  | "auth-invalid"
  /** The token is fine but its account has not accepted (or been granted) the gated repo's licence. */
  | "licence-not-accepted"
  | "repo-not-found"
  | "revision-not-found"
  | "file-not-found"
  /** The bytes received do not hash to the sha256 the Hub lists for the file. */
  | "checksum-mismatch"
  | "disk-full"
  /** Connection failures and stalls that outlasted the retries. */
  | "network"
  /** The Hub kept answering 429 after the retries. */
  | "rate-limited"
  /** The Hub kept answering 5xx after the retries. */
  | "server-error"
  /** Any other HTTP answer the downloader cannot act on. */
  | "http-error"
  /** A repo id or file name that is malformed or would escape the models folder. */
  | "invalid-repo"
  | "invalid-file-name"
  /** Reading or writing local files failed (permissions, a missing drive …). */
  | "filesystem"
  /** The same destination file is already being downloaded from a different revision. */
  | "already-downloading"
  | "cancelled";

export interface DownloadErrorDetails {
  /** checksum-mismatch */
  expectedSha256?: string;
  actualSha256?: string;
  /** disk-full */
  bytesNeeded?: number;
  bytesFree?: number;
  /** licence-not-accepted, auth-required: the page where the user accepts the licence. */
  licenceUrl?: string;
  /** HTTP status behind the error, when there was one. */
  status?: number;
}

export class DownloadError extends CodedError<DownloadErrorCode> {
  declare readonly details: DownloadErrorDetails;

  constructor(code: DownloadErrorCode, message: string, hint?: string, details: DownloadErrorDetails = {}) {
    super(code, message, hint, details);
  }

  /** The IPC error envelope's shape (`{ code, message, hint? }`) plus the details the UI acts on. */
  toJSON(): { code: DownloadErrorCode; message: string; hint?: string; details: DownloadErrorDetails } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}), details: this.details };
  }
}

/** What an aborted step throws; the download job replaces it with a message naming the file. */
export function cancelledError(): DownloadError {
  return new DownloadError("cancelled", "the download was cancelled");
}
