#!/usr/bin/env node
// Builds llama.cpp's `llama-server` from the llama.cpp source that node-llama-cpp's npm package ships
// (`node_modules/node-llama-cpp/llama/gitRelease.bundle`), so the tests and the bench can meet the very engine a user
// would pick for batch scoring on one machine — same llama.cpp commit as the local engine, nothing downloaded.
//
//   node scripts/llama-server.mjs [--print-path]  build when needed, then print the binary's path: standard output is
//                                                only the path (build progress goes to standard error), so
//                                                `$(node scripts/llama-server.mjs --print-path)` works in scripts
//   node scripts/llama-server.mjs --check         print the path and exit 0 if a matching build exists, else exit 1
// From Node: `ensureLlamaServer()` (builds, resolves to the path) and `llamaServerBuild()` (where, and whether built).
//
// The build lives outside the repository, in `~/.cache/guardbench/llama.cpp-<commit>` ($XDG_CACHE_HOME is honoured;
// GUARDBENCH_LLAMA_CPP_CACHE overrides the parent folder), and is reused while the bundle's commit and this machine's
// CPU stay the same. It is a CPU, Release, static build of the one target, with `-march=native` (GGML_NATIVE): the
// binary never leaves the per-machine cache, and a cache carried to a machine with other CPU features is rebuilt
// (the stamp records them) instead of dying on an illegal instruction. Two invocations at once (CI, two vitest
// workers) take turns on a lock folder; a build is only "there" once its stamp is written, after the link succeeded.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { cpus, homedir, hostname } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const STAMP_FORMAT = 1;
const BUILD_JOBS = process.env.GUARDBENCH_BUILD_JOBS ?? "2";
const CMAKE_FLAGS = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DGGML_NATIVE=ON",
  "-DBUILD_SHARED_LIBS=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_TOOLS=ON",
  "-DLLAMA_BUILD_SERVER=ON",
  // No network at build time or run time: no HTTPS client, no prebuilt web UI fetched from Hugging Face.
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_USE_PREBUILT_UI=OFF",
  "-DLLAMA_BUILD_UI=OFF",
  "-DGGML_CUDA=OFF",
  "-DGGML_VULKAN=OFF",
  "-DGGML_METAL=OFF",
];

/** The bundle node-llama-cpp ships, and the commit it holds. */
export function llamaCppBundle() {
  // The package's exports hide package.json; walk up from its entry point to the package folder.
  let packageDir = dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
  while (!existsSync(join(packageDir, "llama", "llama.cpp.info.json")) && dirname(packageDir) !== packageDir) {
    packageDir = dirname(packageDir);
  }
  const bundle = join(packageDir, "llama", "gitRelease.bundle");
  if (!existsSync(bundle)) {
    throw new Error(`node-llama-cpp ships no llama.cpp source at ${bundle}; run \`npm ci\` first.`);
  }
  const commit = bundleHead(bundle);
  if (!commit) throw new Error(`${bundle} is not a git bundle with a HEAD; reinstall node-llama-cpp (\`npm ci\`).`);
  return { bundle, commit };
}

/**
 * The commit a bundle's HEAD points at, read from its text header ("# v2 git bundle", then "<sha> <ref>" lines up to
 * an empty line; v3 adds "@capability" lines), so that finding a build needs no git.
 */
function bundleHead(bundle) {
  const header = readFileSync(bundle).subarray(0, 64 * 1024).toString("latin1");
  const lines = header.slice(0, header.indexOf("\n\n")).split("\n");
  if (!/^# v[23] git bundle$/.test(lines[0] ?? "")) return undefined;
  const refs = lines.slice(1).filter((line) => /^[0-9a-f]{40} /.test(line));
  return (refs.find((line) => line.endsWith(" HEAD")) ?? refs[0])?.slice(0, 40);
}

/** Where the build for a commit lives, and whether a usable one is there. */
export function llamaServerBuild(commit = llamaCppBundle().commit) {
  const cacheRoot =
    process.env.GUARDBENCH_LLAMA_CPP_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "guardbench");
  const dir = join(cacheRoot, `llama.cpp-${commit}`);
  const binary = join(dir, "build", "bin", process.platform === "win32" ? "llama-server.exe" : "llama-server");
  const stampFile = join(dir, "guardbench-build.json");
  const expected = { format: STAMP_FORMAT, commit, cpu: cpuFingerprint(), flags: CMAKE_FLAGS };
  const stamp = readJson(stampFile);
  const usable =
    stamp !== undefined &&
    stamp.format === expected.format &&
    stamp.commit === expected.commit &&
    stamp.cpu === expected.cpu &&
    JSON.stringify(stamp.flags) === JSON.stringify(expected.flags) &&
    existsSync(binary);
  return { commit, dir, binary, stampFile, expected, stamp, usable };
}

/**
 * Returns the path of a `llama-server` built from node-llama-cpp's llama.cpp, building it first when needed
 * (18 minutes on two busy cores the first time; `log` receives progress lines).
 */
export async function ensureLlamaServer({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const { bundle, commit } = llamaCppBundle();
  let build = llamaServerBuild(commit);
  if (build.usable) return build.binary;
  mkdirSync(dirname(build.dir), { recursive: true });
  const releaseLock = await acquireLock(`${build.dir}.lock`, log);
  try {
    build = llamaServerBuild(commit); // another process may have finished it while we waited
    if (build.usable) return build.binary;
    await buildLlamaServer(bundle, build, log);
    return build.binary;
  } finally {
    releaseLock();
  }
}

async function buildLlamaServer(bundle, build, log) {
  const packages = { git: "git", cmake: "cmake", "c++": "g++" };
  const missing = Object.keys(packages).filter((tool) => !hasCommand(tool));
  if (missing.length > 0) {
    const install = [...missing.map((tool) => packages[tool]), ...(hasCommand("ninja") ? [] : ["ninja-build"])].join(" ");
    throw new Error(
      `Building llama-server needs ${missing.join(", ")} (not found on PATH). ` +
        `On Debian/Ubuntu: \`sudo apt-get install -y ${install}\`, then \`node scripts/llama-server.mjs\`.`,
    );
  }
  const started = Date.now();
  log(`llama-server: building llama.cpp ${build.commit.slice(0, 12)} (node-llama-cpp's bundled source) into ${build.dir}`);
  log(`llama-server: compiling with -j${BUILD_JOBS} (18 min on the busy 2-core machine where it was measured); later runs reuse the build`);
  mkdirSync(build.dir, { recursive: true });
  const source = join(build.dir, "src");
  const buildDir = join(build.dir, "build");
  if (build.stamp && build.stamp.cpu !== build.expected.cpu) {
    // -march=native is decided per compile; a build made for another CPU must not be relinked piecemeal.
    log("llama-server: the cached build was made for another CPU; rebuilding from scratch");
    rmSync(buildDir, { recursive: true, force: true });
  }
  if (!sourceIsAt(source, build.commit)) {
    rmSync(source, { recursive: true, force: true });
    // Clones cut short by a killed build (we hold the lock, so none is in progress).
    for (const entry of readdirSync(build.dir)) if (entry.startsWith("src.partial-")) rmSync(join(build.dir, entry), { recursive: true, force: true });
    const staging = `${source}.partial-${process.pid}`;
    run("git", ["clone", "--quiet", "--no-checkout", bundle, staging]);
    run("git", ["-C", staging, "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", build.commit]);
    renameSync(staging, source);
  }
  const generator = hasCommand("ninja") ? ["-G", "Ninja"] : [];
  run("cmake", ["-S", source, "-B", buildDir, ...generator, ...CMAKE_FLAGS], { quietUnlessFailed: true });
  await compile(["--build", buildDir, "--target", "llama-server", "-j", BUILD_JOBS], log);
  // `--version` prints "version: …" and "built with …" among log lines.
  const version = run(build.binary, ["--version"], { capture: true, allowStderr: true })
    .split("\n")
    .filter((line) => /^(version|built with)/.test(line))
    .join("; ");
  const seconds = Math.round((Date.now() - started) / 1000);
  const stamp = { ...build.expected, builtAt: new Date().toISOString(), buildSeconds: seconds, jobs: BUILD_JOBS, version };
  const partialStamp = `${build.stampFile}.partial-${process.pid}`;
  writeFileSync(partialStamp, `${JSON.stringify(stamp, null, 2)}\n`);
  renameSync(partialStamp, build.stampFile);
  log(`llama-server: built in ${Math.floor(seconds / 60)} min ${seconds % 60} s: ${build.binary}`);
}

function sourceIsAt(source, commit) {
  if (!existsSync(join(source, ".git"))) return false;
  const result = spawnSync("git", ["-C", source, "rev-parse", "HEAD"], { encoding: "utf8" });
  return result.status === 0 && result.stdout.trim() === commit;
}

/**
 * `cmake --build`, logging the build tool's `[done/total]` progress about every tenth of the way (compiler warnings
 * and the rest stay out of the log unless the build fails: then its last lines are the error).
 */
function compile(args, log) {
  return new Promise((resolve, reject) => {
    const child = spawn("cmake", args, { stdio: ["ignore", "pipe", "pipe"] });
    const lastLines = [];
    let shownTenth = -1;
    let pending = "";
    const onData = (chunk) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const line of lines) {
        lastLines.push(line);
        if (lastLines.length > 60) lastLines.shift();
        const progress = /^\[(\d+)\/(\d+)\]/.exec(line) ?? /^\[\s*(\d+)%\]/.exec(line);
        if (!progress) continue;
        const fraction = progress[2] ? Number(progress[1]) / Number(progress[2]) : Number(progress[1]) / 100;
        const tenth = Math.floor(fraction * 10);
        if (tenth > shownTenth) {
          shownTenth = tenth;
          log(`llama-server: ${progress[0]} ${line.slice(progress[0].length).trim().slice(0, 100)}`);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", (error) => reject(new Error(`cmake could not start: ${error.message}`)));
    child.once("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`cmake ${args.join(" ")} failed (exit ${code}):\n${[...lastLines, pending].join("\n")}`));
    });
  });
}

/** A lock folder (mkdir is atomic) holding its owner; a lock left by a dead process on this host is taken over. */
async function acquireLock(lockDir, log) {
  const owner = `${hostname()} ${process.pid}`;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "owner"), owner);
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const holder = readText(join(lockDir, "owner"))?.trim();
    const [holderHost, holderPid] = (holder ?? "").split(" ");
    const ageMs = Date.now() - (statOrUndefined(lockDir)?.mtimeMs ?? Date.now());
    const holderGone =
      holder === undefined ? ageMs > 10_000 : holderHost === hostname() && !processIsAlive(Number(holderPid));
    if (holderGone) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log(`llama-server: another build is running (${holder ?? "starting"}); waiting for it`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function processIsAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** The CPU features the compiler's -march=native sees, as a short hash. */
function cpuFingerprint() {
  let features = `${process.arch} ${cpus()[0]?.model ?? "unknown"}`;
  try {
    const flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
    if (flags) features = `${process.arch} ${flags.split(/\s+/).sort().join(" ")}`;
  } catch {
    // Not Linux: the CPU model name stands in for its feature list.
  }
  return createHash("sha256").update(features).digest("hex").slice(0, 16);
}

function hasCommand(command) {
  return spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;
}

function run(command, args, { capture = false, quietUnlessFailed = false, allowStderr = false } = {}) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    stdio: capture || quietUnlessFailed ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").slice(-60).join("\n");
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status}):\n${output}`);
  }
  return capture ? `${result.stdout}${allowStderr ? result.stderr : ""}` : "";
}

function readJson(file) {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readText(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function statOrUndefined(path) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mode = process.argv[2];
  try {
    if (mode === "--check") {
      const build = llamaServerBuild();
      if (!build.usable) {
        process.stderr.write(`No llama-server build for llama.cpp ${build.commit} here; run \`node scripts/llama-server.mjs\`.\n`);
        process.exit(1);
      }
      process.stdout.write(`${build.binary}\n`);
    } else if (mode === undefined || mode === "--print-path") {
      process.stdout.write(`${await ensureLlamaServer()}\n`);
    } else {
      process.stderr.write("usage: node scripts/llama-server.mjs [--print-path | --check]\n");
      process.exit(2);
    }
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
