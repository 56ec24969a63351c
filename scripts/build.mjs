#!/usr/bin/env node
// Bundles the main-side entry points into dist/. Native modules (node-llama-cpp, better-sqlite3) stay external:
// bundling breaks the file layout their binaries rely on (node-llama-cpp#199).
import { build } from "esbuild";
import { existsSync, rmSync } from "node:fs";

const external = ["node-llama-cpp", "better-sqlite3", "electron", "ws", "tsx", "tsx/*"];
const entries = [
  { in: "electron/cli/index.ts", out: "guardbench" },
  { in: "electron/engine/worker.ts", out: "engine-worker" },
  { in: "electron/main/index.ts", out: "electron-main", format: "cjs" },
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
