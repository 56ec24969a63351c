/**
 * The HTTP face of the moderation API, and the JSON-API helpers both servers that carry it share: `guardbench worker`
 * (electron/engine/remote/completionServer.ts) and `guardbench serve` (electron/host/wsServer.ts).
 *
 * Browsers are kept out as the worker always did, since a web page can send requests to loopback: a POST must be
 * `Content-Type: application/json` (a page can send text/plain or form bodies without asking first, never JSON), and a
 * request whose `Origin` or `Sec-Fetch-Site` says another site is refused. Tokens are compared as digests in constant
 * time. Nothing here logs a body: the service logs one line per request, without content unless the user opted in.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { OpenAiErrorBody } from "../../shared/moderation/index.ts";
import { ApiProblem } from "./problem.ts";
import type { ModerationService } from "./service.ts";

export { ApiProblem };

export const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;

/** Why a request looks like a web page's rather than an API client's, or undefined. */
export function browserRefusal(request: IncomingMessage): ApiProblem | undefined {
  const hostHeader = request.headers.host ?? "";
  const origin = request.headers.origin;
  const fetchSite = request.headers["sec-fetch-site"];
  if ((origin !== undefined && origin !== `http://${hostHeader}`) || fetchSite === "cross-site" || fetchSite === "same-site") {
    return new ApiProblem(403, "cross-site requests from a web page are refused: this API serves API clients, not browsers", "permission_error");
  }
  if (request.method === "POST") {
    const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") return new ApiProblem(415, "send the request body as JSON with the header Content-Type: application/json");
  }
  return undefined;
}

export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** `Authorization: Bearer <token>` matches, compared as digests in constant time (neither token nor length leaks). */
export function bearerMatches(request: IncomingMessage, expectedDigest: Buffer): boolean {
  const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? "");
  return match !== null && timingSafeEqual(tokenDigest(match[1]!), expectedDigest);
}

export async function readJsonBody(request: IncomingMessage, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new ApiProblem(413, `the request body is over ${maxBytes / (1024 * 1024)} MiB`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new ApiProblem(400, "the request body is not valid JSON");
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), "cache-control": "no-store", ...headers });
  response.end(text);
}

export function sendProblem(response: ServerResponse, problem: ApiProblem): void {
  const body: OpenAiErrorBody = { error: { message: problem.message, type: problem.type, param: problem.param, code: problem.status } };
  sendJson(response, problem.status, body, problem.retryAfterSeconds === undefined ? {} : { "retry-after": String(problem.retryAfterSeconds) });
}

/** Answers `POST /v1/moderations`; a client that hangs up cancels the request's classifications. */
export async function serveModeration(service: ModerationService, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readJsonBody(request);
  const hungUp = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) hungUp.abort();
  });
  try {
    sendJson(response, 200, await service.moderate(body, hungUp.signal));
  } catch (error) {
    if (hungUp.signal.aborted) return;
    sendProblem(response, error instanceof ApiProblem ? error : new ApiProblem(500, error instanceof Error ? error.message : String(error), "server_error"));
  }
}

/** The moderation names as `/v1/models` entries (OpenAI's model object, with Guardbench's extension). */
export function moderationModelObjects(service: ModerationService): Array<Record<string, unknown>> {
  return service.models().map(({ family, ...entry }) => ({
    id: entry.id,
    object: "model",
    created: 0,
    owned_by: "guardbench",
    guardbench: { family, moderation: true, ...(entry.policy ? { policy: entry.policy } : {}) },
  }));
}

/** Starts `server` listening and answers the port it got (port 0: a free one); a bind error (port in use) rejects. */
export async function listenOn(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
