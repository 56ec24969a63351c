/**
 * Maps a request path to a file of the built renderer (dist/renderer), refusing anything that would leave that folder
 * (`..`, encoded `%2e%2e`, backslashes, NUL). Shared by `guardbench serve` and the desktop app's protocol handler.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `dist/renderer` of this checkout or install (vite build writes it). Found by walking up to Guardbench's package.json,
 * because this module runs both from source (electron/host/) and bundled (dist/guardbench.js).
 */
export function defaultRendererDir(): string {
  for (let folder = dirname(fileURLToPath(import.meta.url)); ; folder = dirname(folder)) {
    const manifest = join(folder, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "guardbench") return join(folder, "dist", "renderer");
    if (dirname(folder) === folder) throw new Error("cannot find Guardbench's package.json above this module");
  }
}

/** Why `rendererDir` cannot be served, or undefined. */
export function rendererProblem(rendererDir: string): string | undefined {
  if (existsSync(join(rendererDir, "index.html"))) return undefined;
  return `no built renderer in ${rendererDir} (index.html is missing): run \`npm run build\` first`;
}

export type StaticLookup =
  | { kind: "file"; path: string; contentType: string }
  | { kind: "not-found" }
  | { kind: "forbidden"; reason: string }
  | { kind: "bad-request"; reason: string };

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

/**
 * `urlPath` is the path of the request URL, still percent-encoded. Paths without a file extension that match no file
 * get index.html, so client-side routes survive a reload.
 */
export function lookupStaticFile(root: string, urlPath: string): StaticLookup {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: "bad-request", reason: "malformed percent-encoding" };
  }
  if (!decoded.startsWith("/")) return { kind: "bad-request", reason: "the path must start with /" };
  if (decoded.includes("\0") || decoded.includes("\\")) return { kind: "forbidden", reason: "NUL or backslash in the path" };
  if (decoded.split("/").some((segment) => segment === "..")) return { kind: "forbidden", reason: "the path leaves the renderer folder" };

  const realRoot = realpathSync(root);
  const relativePath = decoded === "/" ? "index.html" : decoded.slice(1);
  const candidate = resolve(realRoot, relativePath);
  if (!isInside(realRoot, candidate)) return { kind: "forbidden", reason: "the path leaves the renderer folder" };

  const target = existsSync(candidate) && statSync(candidate).isDirectory() ? join(candidate, "index.html") : candidate;
  if (!existsSync(target)) {
    if (extname(decoded) === "") return fileAt(realRoot, join(realRoot, "index.html"));
    return { kind: "not-found" };
  }
  return fileAt(realRoot, target);
}

/** Also follows symlinks: a link inside the folder pointing outside it is refused. */
function fileAt(realRoot: string, path: string): StaticLookup {
  if (!existsSync(path)) return { kind: "not-found" };
  const real = realpathSync(path);
  if (!isInside(realRoot, real)) return { kind: "forbidden", reason: "the file links outside the renderer folder" };
  if (!statSync(real).isFile()) return { kind: "not-found" };
  return { kind: "file", path: real, contentType: CONTENT_TYPES[extname(real).toLowerCase()] ?? "application/octet-stream" };
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}
