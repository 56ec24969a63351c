/**
 * Serves the built renderer on `guardbench://app/`, with the desktop CSP as a real response header. Only files inside
 * dist/renderer are answered (the same containment check as `guardbench serve`), and only GET.
 */
import { protocol } from "electron";
import { readFile } from "node:fs/promises";
import { desktopCsp } from "../host/csp.ts";
import { lookupStaticFile } from "../host/staticFiles.ts";
import { APP_SCHEME } from "./paths.ts";

/** Must run before `ready`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveRenderer(rendererDir: string): () => void {
  const csp = desktopCsp();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== "app" || request.method !== "GET") return new Response("Not found", { status: 404 });
    const found = lookupStaticFile(rendererDir, url.pathname);
    if (found.kind !== "file") return new Response(found.kind, { status: found.kind === "not-found" ? 404 : found.kind === "forbidden" ? 403 : 400 });
    return new Response(await readFile(found.path), {
      headers: { "Content-Type": found.contentType, "Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff" },
    });
  });
  return () => protocol.unhandle(APP_SCHEME);
}
