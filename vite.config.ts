/**
 * The renderer build (STYLE.md §3). The Electron window loads `dist/renderer/index.html` from file://, and
 * `guardbench serve` serves the same folder over HTTP, so every asset URL is relative (`base: "./"`).
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const rendererRoot = fileURLToPath(new URL("./renderer", import.meta.url));
const outDir = fileURLToPath(new URL("./dist/renderer", import.meta.url));
const repoRoot = fileURLToPath(new URL(".", import.meta.url));

/**
 * The dev server's React refresh preamble is an inline script and HMR talks over its own WebSocket, both of which the
 * production CSP in index.html forbids. Loosen the policy for `vite dev` only; `vite build` keeps it strict.
 */
function devServerCsp(): Plugin {
  return {
    name: "guardbench:dev-server-csp",
    apply: "serve",
    transformIndexHtml(html) {
      return html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'self'", "connect-src 'self' ws: http:");
    },
  };
}

export default defineConfig({
  root: rendererRoot,
  base: "./",
  plugins: [react(), devServerCsp()],
  build: {
    outDir,
    emptyOutDir: true,
    // Chromium of Electron 40 and current browsers; no legacy transforms needed.
    target: "es2022",
    // Native modulepreload is everywhere we run; the polyfill would only add code.
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
  server: {
    // The renderer imports shared/ from outside its root.
    fs: { allow: [repoRoot] },
  },
});
