/**
 * `guardbench serve`'s server: the built renderer as static files and AppHost over a WebSocket, on one origin.
 *
 * Who may connect (see shared/ipc/wire.ts for the client's side):
 * - Loopback by default. A non-loopback bind needs a token; {@link bindProblem} refuses it otherwise.
 * - On a loopback bind the Host header must name a loopback host, so a DNS-rebinding page (evil.example resolving to
 *   127.0.0.1) gets neither the page nor the socket.
 * - The WebSocket upgrade requires `Origin` to equal the page's own origin (`http://` + Host), which browsers set and
 *   pages cannot forge: another site open in the same browser cannot drive the workbench.
 * - With a token, the upgrade also requires the `guardbench.token.<token>` subprotocol (compared in constant time);
 *   the page takes the token from its URL fragment, which never reaches the server or its logs. `guardbench serve`
 *   always sets one (a random one per start unless the user gives theirs): on loopback too, any other local user or
 *   program could otherwise drive the app and name files to it (electron/host/fileAccess.ts).
 *
 * The moderation API (`POST /v1/moderations`, `GET /v1/models`, electron/moderation) is served on the same port over
 * the same host's engine, for products on this machine (or, with a non-loopback bind, others). It takes the same
 * token, as `Authorization: Bearer <token>` (the `OPENAI_API_KEY` an OpenAI client sends); a product given it could
 * also open the workbench, so give products `guardbench worker` and its own token when that matters. The Host check
 * applies as to the page, and requests from other sites' pages are refused (JSON bodies only, cross-site Origin refused).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { TOKEN_PATTERN, TOKEN_RULE, WS_PATH, WS_PROTOCOL, tokenFromProtocols, type ServerMessage } from "../../shared/ipc/wire.ts";
import type { AppHost } from "./appHost.ts";
import { serveCsp } from "./csp.ts";
import { lookupStaticFile, rendererProblem } from "./staticFiles.ts";
import { ApiProblem, bearerMatches, browserRefusal, moderationModelObjects, sendJson, sendProblem, serveModeration, listenOn } from "../moderation/http.ts";
import type { ModerationService } from "../moderation/service.ts";

export interface WebServerOptions {
  host: string;
  /** 0 picks a free port */
  port: number;
  token?: string;
  rendererDir: string;
  appHost: Pick<AppHost, "invoke" | "onAny">;
  /** serves `POST /v1/moderations` and `GET /v1/models` beside the page */
  moderation?: ModerationService;
  /** largest WebSocket message accepted; default 32 MiB (a long conversation is a few MB of JSON at most) */
  maxPayloadBytes?: number;
}

export interface RunningWebServer {
  /** what to open in a browser: the page, with `#token=…` when a token is set */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Refuses to start in a state the user would not want: returns what is wrong and how to fix it, or undefined.
 * Loopback by default; any other address is reachable by others, so it needs a token. `exposes` says what they could do.
 */
export function bindProblem(
  host: string,
  token: string | undefined,
  options: { exposes?: string; tokenFrom?: string | undefined; howToGive?: string } = {},
): string | undefined {
  const { exposes = "run models and read your history", tokenFrom = "--token", howToGive = "--token-file PATH or --token" } = options;
  if (token !== undefined && !TOKEN_PATTERN.test(token)) return `invalid ${tokenFrom}: a token is ${TOKEN_RULE}`;
  if (!isLoopbackHost(host) && token === undefined) {
    return `refusing to listen on ${host} without a token: anyone who can reach this machine could ${exposes}. Give a secret of ${TOKEN_RULE} with ${howToGive}; or keep the default --host 127.0.0.1.`;
  }
  return undefined;
}


export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || (isIP(bare) === 4 && bare.startsWith("127."));
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const problem = bindProblem(options.host, options.token);
  if (problem) throw new Error(problem);
  const missingRenderer = rendererProblem(options.rendererDir);
  if (missingRenderer) throw new Error(missingRenderer);

  const loopbackOnly = isLoopbackHost(options.host);
  const expectedTokenDigest = options.token === undefined ? undefined : digest(options.token);
  let port = options.port;

  /** The Host header if it is one this server answers to (loopback names on a loopback bind), else undefined. */
  const acceptedHost = (request: IncomingMessage): string | undefined => {
    const host = request.headers.host;
    if (!host) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(`http://${host}`);
    } catch {
      return undefined;
    }
    if (parsed.port !== String(port)) return undefined;
    if (loopbackOnly && !LOOPBACK_NAMES.has(parsed.hostname)) return undefined;
    return parsed.host;
  };

  const server: Server = createServer((request, response) => serveStatic(request, response));
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 32 * 1024 * 1024,
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  function serveStatic(request: IncomingMessage, response: ServerResponse): void {
    const host = acceptedHost(request);
    if (!host) return plain(response, 403, "This server only answers requests addressed to the host it was started on.");
    if (options.moderation && (request.url ?? "").startsWith("/v1/")) {
      serveApi(options.moderation, request, response).catch((error: unknown) =>
        sendProblem(response, error instanceof ApiProblem ? error : new ApiProblem(500, error instanceof Error ? error.message : String(error), "server_error")),
      );
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("Allow", "GET, HEAD");
      return plain(response, 405, "Only GET and HEAD are served.");
    }
    const path = (request.url ?? "/").split("?")[0]!.split("#")[0]!;
    const found = lookupStaticFile(options.rendererDir, path);
    if (found.kind === "bad-request") return plain(response, 400, `Bad request: ${found.reason}.`);
    if (found.kind === "forbidden") return plain(response, 403, `Forbidden: ${found.reason}.`);
    if (found.kind === "not-found") return plain(response, 404, "Not found.");
    response.writeHead(200, { ...securityHeaders(host), "Content-Type": found.contentType, "Cache-Control": "no-cache" });
    if (request.method === "HEAD") return void response.end();
    createReadStream(found.path)
      .on("error", () => response.destroy())
      .pipe(response);
  }

  async function serveApi(moderation: ModerationService, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = browserRefusal(request);
    if (refusal) throw refusal;
    if (expectedTokenDigest && !bearerMatches(request, expectedTokenDigest)) {
      throw new ApiProblem(401, "missing or wrong API key: send guardbench serve's token (--token-file) as `Authorization: Bearer <token>`", "authentication_error");
    }
    const path = (request.url ?? "").split("?")[0]!;
    const route = `${request.method} ${path}`;
    if (route === "POST /v1/moderations") return serveModeration(moderation, request, response);
    if (route === "GET /v1/models") return sendJson(response, 200, { object: "list", data: moderationModelObjects(moderation) });
    const known = path === "/v1/moderations" || path === "/v1/models";
    throw new ApiProblem(known ? 405 : 404, known ? `${request.method} is not allowed on ${path}` : `no route ${path}: this server's API is POST /v1/moderations and GET /v1/models`);
  }

  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = upgradeRefusal(request);
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.message);
    sockets.handleUpgrade(request, socket, head, (connection) => serveConnection(connection));
  });

  function upgradeRefusal(request: IncomingMessage): { status: number; message: string } | undefined {
    const host = acceptedHost(request);
    if (!host) return { status: 403, message: "wrong Host for this server" };
    if ((request.url ?? "").split("?")[0] !== WS_PATH) return { status: 404, message: `the WebSocket is at ${WS_PATH}` };
    if (request.headers.origin !== `http://${host}`) return { status: 403, message: "the Origin of this page is not the Guardbench page served here" };
    const offered = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    if (!offered.includes(WS_PROTOCOL)) return { status: 400, message: `offer the ${WS_PROTOCOL} subprotocol` };
    if (expectedTokenDigest) {
      const token = tokenFromProtocols(offered);
      if (token === undefined || !timingSafeEqual(digest(token), expectedTokenDigest)) {
        return { status: 401, message: "a valid token is required: open the URL guardbench serve printed (it carries #token=…)" };
      }
    }
    return undefined;
  }

  function serveConnection(connection: WebSocket): void {
    const send = (message: ServerMessage) => {
      if (connection.readyState === WebSocket.OPEN) connection.send(JSON.stringify(message));
    };
    const stopEvents = options.appHost.onAny((event, payload) => send({ type: "event", event, payload } as ServerMessage));
    connection.on("close", stopEvents);
    connection.on("error", stopEvents);
    connection.on("message", (data: RawData, isBinary: boolean) => {
      const message = isBinary ? undefined : parseInvoke(data);
      if (!message) {
        connection.close(1007, "messages are JSON text: {type:'invoke', id, channel, request}");
        return;
      }
      // AppHost validates channel and request and never throws: every invoke gets exactly one reply.
      void options.appHost.invoke(message.channel, message.request).then((result) => send({ type: "reply", id: message.id, result } as ServerMessage));
    });
  }

  port = await listenOn(server, options.port, options.host);

  const displayHost = isWildcard(options.host) ? "127.0.0.1" : options.host.includes(":") && !options.host.startsWith("[") ? `[${options.host}]` : options.host;
  const origin = `http://${displayHost}:${port}`;
  const openSockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    openSockets.add(socket);
    socket.on("close", () => openSockets.delete(socket));
  });

  return {
    url: `${origin}/${options.token ? `#token=${options.token}` : ""}`,
    origin,
    port,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of openSockets) socket.destroy();
      await closed;
    },
  };
}

function parseInvoke(data: RawData): { id: number; channel: unknown; request: unknown } | undefined {
  try {
    const message = JSON.parse(data.toString()) as { type?: unknown; id?: unknown; channel?: unknown; request?: unknown };
    if (message.type !== "invoke" || typeof message.id !== "number" || !Number.isSafeInteger(message.id)) return undefined;
    return { id: message.id, channel: message.channel, request: message.request };
  } catch {
    return undefined;
  }
}

function securityHeaders(host: string): Record<string, string> {
  return {
    "Content-Security-Policy": serveCsp(host),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" });
  response.end(`${text}\n`);
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found" }[status] ?? "Error";
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}
