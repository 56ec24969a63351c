#!/usr/bin/env node
// `npm start`: launches the desktop app from this checkout.
// 1. Electron's binary: npm 11 does not run electron's install script (it is deliberately not in allowScripts), so the
//    first `npm start` runs electron's own installer, once, and only when the binary is missing.
// 2. The build: `npm run build` when dist/ is missing or older than the sources.
// 3. better-sqlite3 for Electron: node_modules holds its Node build (CLI, tests), which Electron cannot load (another
//    ABI). A prebuilt Electron build is fetched once into node_modules/.cache and passed as GUARDBENCH_SQLITE_BINDING.
//    (Packaged apps need none of this: electron-builder rebuilds native modules for Electron.)
// 4. Electron on this folder (package.json "main" points at dist/electron-main.js).
// Never part of `npm ci`, the tests or CI: it refuses to run where CI is set.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const electronPackage = join(root, "node_modules", "electron");
const outputs = ["dist/electron-main.js", "dist/electron-preload.cjs", "dist/engine-worker.js", "dist/renderer/index.html"];
const sourceFolders = ["electron", "shared", "renderer", "models"];
const sourceFiles = ["package.json", "vite.config.ts", "scripts/build.mjs"];

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

function electronBinary() {
  const pathFile = join(electronPackage, "path.txt");
  if (!existsSync(pathFile)) return undefined;
  const binary = join(electronPackage, "dist", readFileSync(pathFile, "utf8").trim());
  return existsSync(binary) ? binary : undefined;
}

function ensureElectron() {
  const present = electronBinary();
  if (present) return present;
  if (!existsSync(join(electronPackage, "install.js"))) fail("node_modules/electron is missing; run `npm ci` first.");
  console.log("npm start: Electron's binary is not installed yet; downloading it once (node node_modules/electron/install.js) …");
  const { status } = spawnSync(process.execPath, [join(electronPackage, "install.js")], { stdio: "inherit", cwd: root });
  const installed = electronBinary();
  if (status !== 0 || !installed) {
    fail(
      "could not install Electron's binary. Check the network (or set ELECTRON_MIRROR to a reachable mirror), make sure " +
        "ELECTRON_SKIP_BINARY_DOWNLOAD is not set, then run `npm start` again.",
    );
  }
  return installed;
}

function newestSourceTime() {
  let newest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stats = statSync(path);
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== "node_modules" && !entry.startsWith(".")) visit(join(path, entry));
    } else newest = Math.max(newest, stats.mtimeMs);
  };
  for (const item of [...sourceFolders, ...sourceFiles]) visit(join(root, item));
  return newest;
}

function ensureBuilt() {
  const times = outputs.map((output) => (existsSync(join(root, output)) ? statSync(join(root, output)).mtimeMs : -1));
  const missing = outputs.filter((_, i) => times[i] === -1);
  const stale = missing.length === 0 && Math.min(...times) < newestSourceTime();
  if (missing.length === 0 && !stale) return;
  console.log(`npm start: ${missing.length > 0 ? `${missing.join(", ")} missing` : "sources changed since the last build"}; running \`npm run build\` …`);
  const { status } = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit", cwd: root });
  if (status !== 0) fail("the build failed (see above).");
}

function ensureSqliteForElectron() {
  const electronVersion = JSON.parse(readFileSync(join(electronPackage, "package.json"), "utf8")).version;
  const sqlitePackage = join(root, "node_modules", "better-sqlite3");
  const sqliteVersion = JSON.parse(readFileSync(join(sqlitePackage, "package.json"), "utf8")).version;
  const folder = join(root, "node_modules", ".cache", "guardbench", `better-sqlite3-${sqliteVersion}-electron-${electronVersion}-${process.platform}-${process.arch}`);
  const binding = join(folder, "build", "Release", "better_sqlite3.node");
  if (existsSync(binding)) return binding;
  console.log(`npm start: fetching better-sqlite3 ${sqliteVersion} built for Electron ${electronVersion} (once) …`);
  mkdirSync(folder, { recursive: true });
  copyFileSync(join(sqlitePackage, "package.json"), join(folder, "package.json"));
  const prebuildInstall = join(root, "node_modules", "prebuild-install", "bin.js");
  const { status } = spawnSync(process.execPath, [prebuildInstall, "--runtime", "electron", "--target", electronVersion, "--arch", process.arch, "--platform", process.platform], {
    stdio: "inherit",
    cwd: folder,
  });
  if (status !== 0 || !existsSync(binding)) {
    fail(`could not fetch better-sqlite3 for Electron ${electronVersion}. Check the network, or build it yourself into ${binding} (e.g. with \`npx @electron/rebuild\` in a copy of node_modules/better-sqlite3).`);
  }
  return binding;
}

if (process.env.CI) fail("this launches the desktop app and is not meant for CI (CI is set).");
const electron = ensureElectron();
ensureBuilt();
const sqliteBinding = ensureSqliteForElectron();
const child = spawn(electron, [root, ...process.argv.slice(2)], { stdio: "inherit", cwd: root, env: { ...process.env, GUARDBENCH_SQLITE_BINDING: sqliteBinding } });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
