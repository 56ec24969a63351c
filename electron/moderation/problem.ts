/** An error an HTTP API answers in OpenAI's shape (`{error: {message, type, param, code}}`), optionally with `Retry-After`. */
export class ApiProblem extends Error {
  override readonly name = "ApiProblem";

  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
    readonly param: string | null = null,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
