/**
 * The e2e environment (STYLE.md §7): per test, a fresh GUARDBENCH_HOME, optionally the programmed fixture model in its
 * library and a loopback Hugging Face Hub double, and `guardbench serve --port 0` as a child process. The page records
 * every request it makes; a test FAILS if any goes anywhere but the serve origin (content never leaves the machine),
 * or if the page logs a Content-Security-Policy violation.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test as base, type Page } from "@playwright/test";
import { startHub, type FaultRule, type HubDouble, type HubRepoSpec } from "../fixtures/hub/hubServer.ts";
import { writeUnsafeS3Model, type UnsafeS3Model } from "./fixtureModel.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const rendererIndex = join(repoRoot, "dist", "renderer", "index.html");

/** Where the installed copy of the fixture model lives in a test's library (its library id is `local/<name>`). */
export const FIXTURE_MODEL_FILE = "guardbench-e2e-lg3.gguf";

export interface ServeInfo {
  /** the page URL serve printed */
  url: string;
  origin: string;
  home: string;
}

/** The Hub double serving the programmed fixture model's bytes as `repo`/`file` (a catalog file, say). */
export interface HubSetup {
  repo: string;
  file: string;
  faults?: FaultRule[];
}

interface TestOptions {
  /** copy the programmed model into the library before serve starts */
  installFixtureModel: boolean;
  /** start the Hub double and point serve at it (HF_ENDPOINT) */
  hub: HubSetup | undefined;
  /** extra environment for serve (e.g. GUARDBENCH_MMAP=off, so a load reads the weights and reports its progress) */
  serveEnv: Record<string, string>;
}

interface TestFixtures {
  home: string;
  hubDouble: HubDouble | undefined;
  serve: ServeInfo;
}

interface WorkerFixtures {
  rendererBuilt: void;
  fixtureModel: UnsafeS3Model;
}

export const test = base.extend<TestFixtures & TestOptions, WorkerFixtures>({
  installFixtureModel: [true, { option: true }],
  // A fixture option's value is data; Playwright would take a function here for a fixture of its own.
  hub: [undefined, { option: true }],
  serveEnv: [{}, { option: true }],

  rendererBuilt: [
    // Playwright reads a fixture's dependencies from its first parameter, which must be a destructuring pattern.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      if (rendererIsStale()) {
        const build = spawnSync("npx", ["vite", "build"], { cwd: repoRoot, encoding: "utf8" });
        if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
      }
      await use();
    },
    { scope: "worker", auto: true },
  ],

  fixtureModel: [
    // eslint-disable-next-line no-empty-pattern -- see rendererBuilt
    async ({}, use) => {
      const dir = await mkdtemp(join(tmpdir(), "guardbench-e2e-model-"));
      await use(await writeUnsafeS3Model(join(dir, FIXTURE_MODEL_FILE)));
      await rm(dir, { recursive: true, force: true });
    },
    { scope: "worker" },
  ],

  home: async ({ installFixtureModel, fixtureModel }, use) => {
    const home = await mkdtemp(join(tmpdir(), "guardbench-e2e-home-"));
    if (installFixtureModel) {
      await mkdir(join(home, "models", "local"), { recursive: true });
      await copyFile(fixtureModel.model.path, join(home, "models", "local", FIXTURE_MODEL_FILE));
    }
    await use(home);
    await rm(home, { recursive: true, force: true });
  },

  hubDouble: async ({ hub, fixtureModel }, use) => {
    if (!hub) return use(undefined);
    const content = await readFile(fixtureModel.model.path);
    const repos: HubRepoSpec[] = [{ id: hub.repo, files: [{ path: hub.file, content }] }];
    const double = await startHub({ repos });
    for (const fault of hub.faults ?? []) double.setFault(fault);
    await use(double);
    await double.close();
  },

  serve: async ({ home, hubDouble, serveEnv }, use) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...serveEnv, GUARDBENCH_HOME: home };
    // Never the developer's own token or Hub: the tests decide both.
    delete env.HF_TOKEN;
    delete env.HF_ENDPOINT;
    if (hubDouble) env.HF_ENDPOINT = hubDouble.url;
    const child = spawn(process.execPath, [join(repoRoot, "bin", "guardbench.js"), "serve", "--port", "0"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    if (process.env.GB_SERVE_LOG) { const { createWriteStream } = await import("node:fs"); const log = createWriteStream(process.env.GB_SERVE_LOG); child.stdout!.pipe(log); child.stderr!.pipe(log); }
    try {
      const url = await printedUrl(child);
      await use({ url, origin: new URL(url).origin, home });
    } finally {
      await stop(child);
    }
  },

  page: async ({ page, serve }, use) => {
    const foreign: string[] = [];
    const cspViolations: string[] = [];
    const isOurs = (url: string) => {
      const parsed = new URL(url);
      // The page's own origin, and the WebSocket on the same host and port.
      return parsed.origin === serve.origin || (parsed.protocol === "ws:" && parsed.host === new URL(serve.origin).host) || parsed.protocol === "blob:" || parsed.protocol === "data:";
    };
    page.on("request", (request) => {
      if (!isOurs(request.url())) foreign.push(`${request.method()} ${request.url()}`);
    });
    page.on("websocket", (socket) => {
      if (!isOurs(socket.url())) foreign.push(`WebSocket ${socket.url()}`);
    });
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    // Belt and braces: a foreign request is recorded (and fails the test) but never actually sent.
    await page.route("**/*", (route) => (isOurs(route.request().url()) ? route.continue() : route.abort("blockedbyclient")));
    await use(page);
    expect(foreign, "requests that left the serve origin").toEqual([]);
    expect(cspViolations, "Content-Security-Policy violations").toEqual([]);
  },
});

export { expect };

/** Saves a screenshot of what the user sees to test-results/screens/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(repoRoot, "test-results", "screens", `${name}.png`) });
}

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stats.mtimeMs);
}

/** The build is missing, or older than a source it is made from. */
function rendererIsStale(): boolean {
  if (!existsSync(rendererIndex)) return true;
  const built = statSync(rendererIndex).mtimeMs;
  const sources = [join(repoRoot, "renderer"), join(repoRoot, "shared"), join(repoRoot, "vite.config.ts")];
  return sources.some((source) => newestMtime(source) > built);
}

function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`guardbench serve printed no URL within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`guardbench serve exited (${code}) before printing its URL:\n${output}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killTimer);
}
