/**
 * `guardbench models pull` as a user runs it: a real child process (`node bin/guardbench.js`), the loopback
 * Hub as HF_ENDPOINT, a temporary GUARDBENCH_HOME — including a pull killed with SIGKILL mid-file and resumed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileTokenStore, tokenFilePath } from "../../../../../../electron/models/tokenStore.ts";
import { startHub, type HubDouble } from "../../../../../fixtures/hub/hubServer.ts";
import { filesUnder, modelFile, sha256, temporaryFolder, waitUntil } from "../../../../../support/download.ts";
import { GUARDBENCH_CLI } from "../../../../../support/paths.ts";

const repo = "acme/tiny-guard";
const gatedRepo = "meta-llama/Llama-Guard-3-1B";
const grantedToken = "hf_CliGrantedToken0123456789abc";
const ungrantedToken = "hf_CliUngrantedToken987654321x";
const model = modelFile("tiny-guard.Q4_K_M.gguf", 2_000_000);

let hub: HubDouble;
afterEach(async () => hub?.close());

async function setUp() {
  hub = await startHub({
    repos: [
      { id: repo, files: [model] },
      { id: gatedRepo, gated: "auto", grantedTokens: [grantedToken], files: [model] },
    ],
    tokens: [grantedToken, ungrantedToken],
    chunkSize: 16 * 1024,
  });
  const home = await temporaryFolder();
  return { home, installed: (owner: string, file = model.path) => join(home, "models", owner, file) };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI with only the environment a test gives it (no HF_TOKEN leaking in from the machine). */
function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; finished: Promise<Finished>; stderrSoFar: () => string } {
  const child = spawn(process.execPath, [GUARDBENCH_CLI, "models", "pull", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: env.GUARDBENCH_HOME ?? "/nonexistent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk));
  const finished = new Promise<Finished>((resolveFinished) =>
    child.on("close", (code, signal) => resolveFinished({ code, signal, stdout, stderr })),
  );
  return { child, finished, stderrSoFar: () => stderr };
}

const runCli = (args: string[], env: Record<string, string>) => startCli(args, env).finished;

/** Where the Hub double holds the first pull of the model, silent, until the client gives up or is killed. */
const stallAt = 640 * 1024;

/** A pull of the model that the Hub holds mid-file: its process, with the home and environment it runs in. */
async function pullHeldMidFile() {
  const { home, installed } = await setUp();
  hub.setFault({ file: model.path, fault: { kind: "stall", afterBytes: stallAt } });
  const env = { GUARDBENCH_HOME: home, HF_ENDPOINT: hub.url };
  const first = startCli([repo, model.path, "--json"], env);
  const partial = `${installed(repo)}.partial`;
  await waitUntil(async () => ((await stat(partial).catch(() => undefined))?.size ?? 0) >= stallAt, "the first pull is mid-file");
  return { home, installed, env, first };
}

describe("guardbench models pull", () => {
  it("--json prints exactly one JSON line with path, sha256 and size, and installs the verified file", async () => {
    const { home, installed } = await setUp();
    const run = await runCli([repo, model.path, "--json"], { GUARDBENCH_HOME: home, HF_ENDPOINT: hub.url });

    expect(run.stderr).toContain("downloading acme/tiny-guard/tiny-guard.Q4_K_M.gguf");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ path: installed(repo), sha256: sha256(model.content), size: model.content.length });
    expect(sha256(await readFile(installed(repo)))).toBe(sha256(model.content));
  });

  it("resumes with a Range request after the process was killed mid-file", async () => {
    const { home, installed, env, first } = await pullHeldMidFile();

    first.child.kill("SIGKILL");
    expect((await first.finished).signal).toBe("SIGKILL");
    // The killed process leaves its lock too; the next pull sees its holder is gone and takes it over.
    expect(await filesUnder(join(home, "models"))).toEqual([join(repo, `${model.path}.partial`), join(repo, `${model.path}.partial.json`), join(repo, `${model.path}.partial.lock`)]);

    const second = await runCli([repo, model.path, "--json"], env);
    expect(second.stderr).toContain("checking");
    expect(second.code).toBe(0);
    expect(hub.contentRequests(model.path).map((request) => request.range)).toEqual([undefined, `bytes=${stallAt}-`]);
    expect(JSON.parse(second.stdout)).toMatchObject({ sha256: sha256(model.content) });
    expect(sha256(await readFile(installed(repo)))).toBe(sha256(model.content));
    expect(await filesUnder(join(home, "models"))).toEqual([join(repo, model.path)]);
  });

  it("makes a second process pulling the same file wait for the first, then take over its partial once it is killed", async () => {
    const { home, installed, env, first } = await pullHeldMidFile();

    const second = startCli([repo, model.path, "--json"], env);
    await waitUntil(async () => second.stderrSoFar().includes("waiting: another Guardbench process is downloading"), "the second pull says it waits");
    // Waiting, it has asked the Hub what the file is but fetched none of its bytes.
    expect(hub.contentRequests(model.path)).toHaveLength(1);

    first.child.kill("SIGKILL");
    expect((await first.finished).signal).toBe("SIGKILL");
    const finished = await second.finished;
    expect(finished.code, finished.stderr).toBe(0);
    expect(hub.contentRequests(model.path).map((request) => request.range)).toEqual([undefined, `bytes=${stallAt}-`]);
    expect(JSON.parse(finished.stdout)).toMatchObject({ sha256: sha256(model.content) });
    expect(sha256(await readFile(installed(repo)))).toBe(sha256(model.content));
    expect(await filesUnder(join(home, "models"))).toEqual([join(repo, model.path)]);
  });

  it("fails with the message and its hint on stderr, non-zero, and never prints the token", async () => {
    const { home } = await setUp();
    const run = await runCli([gatedRepo, model.path, "--json"], { GUARDBENCH_HOME: home, HF_ENDPOINT: hub.url, HF_TOKEN: ungrantedToken });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`accept the licence at ${hub.url}/${gatedRepo}`);
    expect(run.stderr).toContain("pull again");
    expect(run.stderr + run.stdout).not.toContain(ungrantedToken);
  });

  it("asks for a token when a gated model is pulled without one, then uses --token or the saved token", async () => {
    const { home, installed } = await setUp();
    const env = { GUARDBENCH_HOME: home, HF_ENDPOINT: hub.url };
    // Scoped per pull, not counted: a loaded machine may retry a resolve, and that is not what this checks.
    const authorizationsSince = (first: number) => new Set(hub.requests.slice(first).map((request) => request.authorization));
    const anonymous = await runCli([gatedRepo, model.path], env);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain("this model needs a Hugging Face token");
    expect(anonymous.stderr).toContain("--token");

    expect(authorizationsSince(0)).toEqual(new Set([undefined]));
    const beforeFlag = hub.requests.length;
    const withFlag = await runCli([gatedRepo, model.path, "--token", grantedToken], env);
    expect(withFlag.code).toBe(0);
    expect(withFlag.stdout).toContain(installed(gatedRepo));
    expect(withFlag.stdout + withFlag.stderr).not.toContain(grantedToken);

    expect(authorizationsSince(beforeFlag)).toEqual(new Set([`Bearer ${grantedToken}`]));

    await new FileTokenStore(tokenFilePath(home)).set(grantedToken);
    const beforeSaved = hub.requests.length;
    const withSaved = await runCli([`${gatedRepo}@main`, model.path], env);
    expect(withSaved.code).toBe(0);
    expect(withSaved.stdout).toContain("already installed");
    expect(hub.requests.length).toBeGreaterThan(beforeSaved);
    expect(authorizationsSince(beforeSaved)).toEqual(new Set([`Bearer ${grantedToken}`]));
  });

  it("explains how to call it when the file is missing", async () => {
    const { home } = await setUp();
    const run = await runCli([repo], { GUARDBENCH_HOME: home, HF_ENDPOINT: hub.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("guardbench models: missing a file (its path in the repo");
    expect(run.stderr).toContain("Usage: guardbench models pull [options] <owner/name[@revision]> <file>");
    expect(hub.requests).toEqual([]);
  });
});
