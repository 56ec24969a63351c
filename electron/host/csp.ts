/**
 * The Content-Security-Policy of the renderer page: scripts and styles only from the app itself (no inline code, no
 * eval, no remote code), no plugins, no <base>, never framed. Only the place it connects to differs between the
 * desktop app (IPC: no network at all) and `guardbench serve` (its own WebSocket).
 */
type Directives = Record<string, string[]>;

const BASE: Directives = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "font-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  "frame-ancestors": ["'none'"],
};

function serialise(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
}

/** The desktop app's page (served from the app's own scheme); it talks to the main side over IPC only. */
export function desktopCsp(): string {
  return serialise({ ...BASE, "connect-src": ["'self'"] });
}

/**
 * A page served by `guardbench serve` at `host` (`127.0.0.1:7860`, as in the Host header the server accepted):
 * it may open the WebSocket on that same host and port, nothing else.
 */
export function serveCsp(host: string): string {
  return serialise({ ...BASE, "connect-src": ["'self'", `ws://${host}`] });
}
