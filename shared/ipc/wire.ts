/**
 * The WebSocket protocol of `guardbench serve` (the Electron app uses IPC channels of the same names instead).
 *
 * Connecting: open `ws(s)://<the page's own host>/ws` with the subprotocols from {@link webSocketProtocols}.
 * The server answers with {@link WS_PROTOCOL} and refuses the upgrade (HTTP 403) when the `Origin` is not the page it
 * served, or (HTTP 401) when the token subprotocol is missing or wrong.
 *
 * The token: `guardbench serve` always has one — the user's (`--token-file`, `GUARDBENCH_SERVE_TOKEN`, `--token`) or a
 * random one per start — and prints `http://host:port/#token=T`. The page reads it from the URL fragment
 * (never sent to the server, so it stays out of access logs and Referer headers) with {@link tokenFromFragment}, and
 * sends it in the `Sec-WebSocket-Protocol` header as `guardbench.token.T`, so an unauthenticated socket is never
 * opened at all. Tokens are therefore limited to the characters a subprotocol may carry ({@link TOKEN_PATTERN}).
 * The page should then drop the fragment from its address (`history.replaceState`), so the token is not bookmarked
 * or shared by accident; keep it in memory for reconnects.
 *
 * Messages are JSON text frames:
 * - client → server: {@link WireInvoke} (`id` chosen by the client, unique per connection)
 * - server → client: {@link WireReply} for each invoke (same `id`), and {@link WireEvent} for every pushed event.
 */
import type { Channel, EventName, EventPayload, Req, Res } from "./contract.ts";
import type { Result } from "./result.ts";

export const WS_PATH = "/ws";
export const WS_PROTOCOL = "guardbench.v1";
export const TOKEN_PROTOCOL_PREFIX = "guardbench.token.";

/** 16–256 characters from the URL-safe base64 alphabet: valid in a URL fragment and in a subprotocol name. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,256}$/;
/** How {@link TOKEN_PATTERN} reads in an error message. */
export const TOKEN_RULE = "16 to 256 characters of A-Z, a-z, 0-9, '-' and '_', for example from `openssl rand -hex 24`";

export function webSocketProtocols(token?: string): string[] {
  return token ? [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`] : [WS_PROTOCOL];
}

/** The token from the subprotocols a client offered (the `Sec-WebSocket-Protocol` header, split on commas). */
export function tokenFromProtocols(offered: readonly string[]): string | undefined {
  const entry = offered.map((p) => p.trim()).find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry?.slice(TOKEN_PROTOCOL_PREFIX.length);
}

/** The token in a location hash such as `#token=abc`; undefined when there is none. */
export function tokenFromFragment(hash: string): string | undefined {
  // Parsed by hand: shared/ has no DOM or Node globals (no URLSearchParams). Token characters need no decoding.
  const pair = hash.replace(/^#/, "").split("&").find((part) => part.startsWith("token="));
  const token = pair?.slice("token=".length);
  return token && TOKEN_PATTERN.test(token) ? token : undefined;
}

export type WireInvoke = { [C in Channel]: { type: "invoke"; id: number; channel: C; request: Req<C> } }[Channel];

export type WireReply = { [C in Channel]: { type: "reply"; id: number; result: Result<Res<C>> } }[Channel];

export type WireEvent = { [E in EventName]: { type: "event"; event: E; payload: EventPayload<E> } }[EventName];

export type ServerMessage = WireReply | WireEvent;
