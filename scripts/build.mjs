#!/usr/bin/env node
// Bundles the main-side entry points into dist/. Native modules (node-llama-cpp, better-sqlite3) stay external:
// bundling breaks the file layout their binaries rely on (node-llama-cpp#199).
import { build } from "esbuild";
import { existsSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";

const external = ["node-llama-cpp", "better-sqlite3", "electron", "ws", "tsx", "tsx/*"];
const entries = [
  { in: "electron/cli/index.ts", out: "guardbench" },
  { in: "electron/engine/worker.ts", out: "engine-worker" },
  // ESM like the rest of the app: Electron loads an ESM main (>= 28), and node-llama-cpp is ESM-only.
  { in: "electron/main/index.ts", out: "electron-main" },
  // A sandboxed preload cannot be an ES module.
  { in: "electron/preload/index.ts", out: "electron-preload", format: "cjs" },
].filter((entry) => existsSync(entry.in));

rmSync("dist", { recursive: true, force: true });
for (const entry of entries) {
  const format = entry.format ?? "esm";
  await build({
    entryPoints: [entry.in],
    outfile: `dist/${entry.out}.${format === "esm" ? "js" : "cjs"}`,
    bundle: true,
    platform: "node",
    target: "node20",
    format,
    external,
    sourcemap: true,
    logLevel: "warning",
    // Bundled ESM code still needs require() for CommonJS dependencies.
    banner: format === "esm" ? { js: "import { createRequire as __gbCreateRequire } from 'node:module'; const require = __gbCreateRequire(import.meta.url);" } : undefined,
  });
  console.log(`built dist/${entry.out}`);
}

// The renderer (React) is built by Vite into dist/renderer: what the Electron window and `guardbench serve` load.
if (existsSync("vite.config.ts")) {
  const { status } = spawnSync("npx", ["vite", "build", "--logLevel", "warn"], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
  console.log("built dist/renderer");
}
