import { CodedError } from "../../../shared/errors/codedError.ts";
/**
 * Failures of a remote inference server, typed so that the endpoint pool can tell "this server is down or slow: score
 * the item elsewhere" from "this item cannot be scored: report it". The API key never appears in a message.
 */

export type RemoteErrorCode =
  /** refused, reset, unknown host: nothing answered */
  | "connection-failed"
  /** no complete answer within the caller's time limit */
  | "timeout"
  /** HTTP 401/403: the API key is missing or wrong */
  | "unauthorized"
  /** HTTP 404: wrong base URL, or the server does not serve this model */
  | "not-found"
  /** HTTP 429: the server is overloaded */
  | "rate-limited"
  /** HTTP 5xx */
  | "server-error"
  /** HTTP 400/413/422 …: the server refused this request (a prompt longer than its context, too many logprobs …) */
  | "request-rejected"
  /** an answer that is not the JSON this client expects: the wrong kind of server, or a version it does not know */
  | "bad-response"
  /** the server runs another model than the local file whose tokenizer builds the prompts (servedModel.ts) */
  | "model-mismatch"
  /** text mode: user content spells a special token, which the server would parse as a control token */
  | "prompt-refused"
  | "cancelled";

/** Whose fault: the pool moves `endpoint` failures to another endpoint and reports `item` failures as the item's result. */
export type FailureScope = "endpoint" | "item" | "cancelled";

const SCOPE: Record<RemoteErrorCode, FailureScope> = {
  "connection-failed": "endpoint",
  timeout: "endpoint",
  unauthorized: "endpoint",
  "not-found": "endpoint",
  "rate-limited": "endpoint",
  "server-error": "endpoint",
  "bad-response": "endpoint",
  "model-mismatch": "endpoint",
  "request-rejected": "item",
  "prompt-refused": "item",
  cancelled: "cancelled",
};

export interface RemoteErrorData {
  code: RemoteErrorCode;
  message: string;
  hint?: string;
}

export class RemoteEngineError extends CodedError<RemoteErrorCode> {
  constructor(
    code: RemoteErrorCode,
    message: string,
    hint?: string,
    /** the HTTP status, when the server answered */
    readonly status?: number,
  ) {
    super(code, message, hint);
  }

  get scope(): FailureScope {
    return SCOPE[this.code];
  }
}
