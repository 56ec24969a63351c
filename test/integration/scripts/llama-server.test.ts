/**
 * scripts/llama-server.mjs without compiling anything: which cached build it accepts, how two invocations at once take
 * turns on the lock, and what it says when it cannot build. The script runs as a child process on a cache folder of its
 * own (GUARDBENCH_LLAMA_CPP_CACHE); a "build" there is a stamp and a placeholder binary written by the test.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { llamaServerBuild } from "../../../scripts/llama-server.mjs";

const SCRIPT = join(process.cwd(), "scripts", "llama-server.mjs");
const { commit, expected } = llamaServerBuild();

let cache: string;
let emptyPath: string;
const buildDir = () => join(cache, `llama.cpp-${commit}`);
const lockDir = () => `${buildDir()}.lock`;
const binaryPath = () => join(buildDir(), "build", "bin", "llama-server");

beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), "guardbench-llama-cache-"));
  emptyPath = join(cache, "no-tools");
  await mkdir(emptyPath);
});

afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The script as CI and the test setup run it; `PATH` can hide cmake and the compiler (nothing is ever built here). */
function runScript(args: string[], options: { path?: string; onStderr?: (text: string) => void } = {}): Promise<ScriptRun> {
  const child = spawn(process.execPath, [SCRIPT, ...args], {
    env: { ...process.env, GUARDBENCH_LLAMA_CPP_CACHE: cache, PATH: options.path ?? emptyPath },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    options.onStderr?.(stderr);
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

/** What a finished build leaves: the binary, then its stamp (the stamp is what makes it count). */
async function writeFinishedBuild(stamp: Record<string, unknown> = expected): Promise<void> {
  await mkdir(join(buildDir(), "build", "bin"), { recursive: true });
  await writeFile(binaryPath(), "#!/bin/sh\n");
  await chmod(binaryPath(), 0o755);
  await writeFile(join(buildDir(), "guardbench-build.json"), JSON.stringify({ ...stamp, buildSeconds: 1 }));
}

describe("scripts/llama-server.mjs", () => {
  it("reuses a finished build of the bundle's commit for this CPU, and --print-path prints only its path", async () => {
    await writeFinishedBuild();
    const printed = await runScript(["--print-path"]);
    expect(printed).toMatchObject({ code: 0, stdout: `${binaryPath()}\n`, stderr: "" });
    expect(await runScript(["--check"])).toMatchObject({ code: 0, stdout: `${binaryPath()}\n` });
  });

  it.each([
    ["no build at all", undefined],
    ["a build of another llama.cpp commit", { ...expected, commit: "0".repeat(40) }],
    ["a build for another CPU", { ...expected, cpu: "0123456789abcdef" }],
    ["a build with other flags", { ...expected, flags: ["-DCMAKE_BUILD_TYPE=Debug"] }],
  ])("does not accept %s: --check fails with the command to run", async (_label, stamp) => {
    if (stamp) await writeFinishedBuild(stamp);
    const checked = await runScript(["--check"]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toBe("");
    expect(checked.stderr).toContain(`No llama-server build for llama.cpp ${commit} here; run \`node scripts/llama-server.mjs\``);
  });

  it("without cmake, git or a compiler, says which are missing and how to install them", async () => {
    const run = await runScript([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("Building llama-server needs git, cmake, c++ (not found on PATH)");
    expect(run.stderr).toContain("apt-get install -y git cmake g++ ninja-build");
    expect(existsSync(lockDir())).toBe(false);
  });

  it("waits while another process holds the build lock, then takes that build instead of building again", async () => {
    // The lock of a build in progress, held by a live process on this host (this test).
    await mkdir(lockDir(), { recursive: true });
    await writeFile(join(lockDir(), "owner"), `${hostname()} ${process.pid}`);
    let finishOther: Promise<void> | undefined;
    const waiting = runScript(["--print-path"], {
      onStderr: (stderr) => {
        if (finishOther || !stderr.includes("waiting for it")) return;
        // The other build finishes: binary and stamp, then the lock goes.
        finishOther = writeFinishedBuild().then(() => rm(lockDir(), { recursive: true }));
      },
    });
    const run = await waiting;
    await finishOther;
    expect(run.stderr).toContain(`another build is running (${hostname()} ${process.pid}); waiting for it`);
    expect(run).toMatchObject({ code: 0, stdout: `${binaryPath()}\n` });
    // It built nothing itself: no source was cloned next to the finished build.
    expect(existsSync(join(buildDir(), "src"))).toBe(false);
  });

  it("takes over a lock whose owner died mid-build", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    await mkdir(lockDir(), { recursive: true });
    await writeFile(join(lockDir(), "owner"), `${hostname()} ${dead}`);
    const run = await runScript([]);
    // It got past the lock to the build itself, which stops at the missing tools, and let the lock go.
    expect(run.stderr).not.toContain("waiting for it");
    expect(run.stderr).toContain("Building llama-server needs");
    expect(existsSync(lockDir())).toBe(false);
  });
});
