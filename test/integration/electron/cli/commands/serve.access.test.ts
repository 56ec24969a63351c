/**
 * Who can use `guardbench serve`, and how private its data folder is (issue #11), with real serve child processes:
 * - always a session token, so another local user or program cannot drive the app (and name files to it) even on
 *   loopback; the token can come from a file or the environment instead of the command line (visible in `ps`);
 * - Host and Origin checks against DNS rebinding and other sites, and no request but GET/HEAD on the page;
 * - GUARDBENCH_HOME created 0700, guardbench.db and its WAL and shared-memory files 0600, the secret files 0600, and a
 *   looser existing home tightened with a note.
 */
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN_PATTERN } from "../../../../../shared/ipc/wire.ts";
import { AppSocket, spawnServe, startServe, writeStandInRenderer } from "../../../../support/serve.ts";

const TOKEN = "serve-hardening-token-0123456789";

let scratch: string;
let rendererDir: string;

beforeAll(async () => {
  // The usual umask, under which a file made without care is readable by everyone: serve inherits it.
  process.umask(0o022);
  scratch = await mkdtemp(join(tmpdir(), "guardbench-serve-access-"));
  rendererDir = await writeStandInRenderer(join(scratch, "renderer"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const homeFor = (name: string) => join(scratch, name);

function get(url: URL, headers: Record<string, string>, method = "GET"): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, path: "/", method, headers }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode!));
    });
    request.on("error", reject);
    request.end();
  });
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe("guardbench serve's session token", () => {
  it("is made up when none is given: the page needs it, another local program does not get in without it", async () => {
    const served = await startServe({ home: homeFor("auto"), rendererDir });
    try {
      expect(served.token).toMatch(TOKEN_PATTERN);
      expect(served.token!.length).toBeGreaterThanOrEqual(32);
      await expect(AppSocket.open(served, { token: null })).rejects.toThrow(/HTTP 401/);
      await expect(AppSocket.open(served, { token: "guessed-token-0123456789abcdef" })).rejects.toThrow(/HTTP 401/);
      const app = await AppSocket.open(served);
      expect(await app.invoke("engine:status", {})).toEqual({ ok: true, value: { state: "idle" } });
      app.close();
    } finally {
      await served.stop();
    }
    // A new one on every start.
    const again = await startServe({ home: homeFor("auto"), rendererDir });
    await again.stop();
    expect(again.token).toMatch(TOKEN_PATTERN);
  });

  it.each([
    ["--token-file", async () => ({ args: ["--token-file", await writeTokenFile(0o600)], env: {} })],
    ["GUARDBENCH_SERVE_TOKEN", async () => ({ args: [], env: { GUARDBENCH_SERVE_TOKEN: TOKEN } })],
  ])("comes from %s, without a trace on the command line", async (_how, setup) => {
    const { args, env } = await setup();
    const served = await startServe({ home: homeFor("given"), rendererDir, args, env });
    try {
      expect(served.token).toBe(TOKEN);
      expect(served.output()).not.toMatch(/visible to every user/);
      const app = await AppSocket.open(served);
      expect(await app.invoke("engine:status", {})).toMatchObject({ ok: true });
      app.close();
    } finally {
      await served.stop();
    }
  });

  it("from the command line still works, with a note that others can see it", async () => {
    const served = await startServe({ home: homeFor("cli"), rendererDir, args: ["--token", TOKEN] });
    await served.stop();
    expect(served.token).toBe(TOKEN);
    expect(served.output()).toMatch(/--token on the command line is visible to every user of this machine \(ps\); --token-file PATH or GUARDBENCH_SERVE_TOKEN keeps it private/);
  });

  it("a token file readable by others is used with a warning; a bad one is refused without echoing it", async () => {
    const loose = await startServe({ home: homeFor("loose"), rendererDir, args: ["--token-file", await writeTokenFile(0o644)] });
    await loose.stop();
    expect(loose.output()).toMatch(/can be read by other users; make it private with `chmod 600/);

    const cases: Array<[string, string[], RegExp]> = [
      ["missing", ["--token-file", join(scratch, "nope.token")], /--token-file .*nope\.token: no such file/],
      ["two lines", ["--token-file", await writeFileIn("two.token", `${TOKEN}\nsecond-line-secret\n`)], /more than one line/],
      ["too weak", ["--token-file", await writeFileIn("weak.token", "weak-secret\n")], /invalid --token-file: a token is 16 to 256 characters/],
      ["both", ["--token", TOKEN, "--token-file", await writeTokenFile(0o600)], /give --token or --token-file, not both/],
    ];
    for (const [name, args, message] of cases) {
      const { output, exited } = spawnServe(["--port", "0", "--renderer-dir", rendererDir, ...args], { GUARDBENCH_HOME: homeFor("refused") });
      expect(await exited, name).not.toBe(0);
      expect(output(), name).toMatch(message);
      expect(output(), name).not.toMatch(/second-line-secret|weak-secret/);
    }
  });
});

describe("guardbench serve against other sites", () => {
  it("answers only its own Host and Origin, and only GET and HEAD on the page", async () => {
    const served = await startServe({ home: homeFor("sites"), rendererDir });
    try {
      const port = served.url.port;
      expect(await get(served.url, { host: `127.0.0.1:${port}` })).toBe(200);
      expect(await get(served.url, { host: `evil.example:${port}` })).toBe(403);
      for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
        expect(await get(served.url, { host: `127.0.0.1:${port}`, "content-type": type, origin: "http://evil.example" }, "POST")).toBe(405);
      }
      await expect(AppSocket.open(served, { origin: "http://evil.example" })).rejects.toThrow(/HTTP 403/);
    } finally {
      await served.stop();
    }
  });
});

describe("the data folder's permissions", () => {
  it("a new GUARDBENCH_HOME is 0700, the database, its WAL and the secret files 0600", async () => {
    const home = join(homeFor("fresh"), "nested", "home");
    const served = await startServe({ home, rendererDir });
    try {
      const app = await AppSocket.open(served);
      expect(await app.invoke("hf:token-set", { token: "hf_permissionstest0123456789" })).toMatchObject({ ok: true });
      expect(await app.invoke("endpoints:save", { name: "box", baseUrl: "http://127.0.0.1:9", kind: "openai-completions", model: "m", apiKey: "sk-permissions-0123456789" })).toMatchObject({ ok: true });
      app.close();
      expect(await mode(home)).toBe(0o700);
      expect(await mode(join(homeFor("fresh"), "nested"))).toBe(0o700);
      for (const file of ["guardbench.db", "guardbench.db-wal", "guardbench.db-shm", "hf-token", "endpoint-keys.json"]) {
        expect(await mode(join(home, file)), file).toBe(0o600);
      }
    } finally {
      await served.stop();
    }
  });

  it("a looser existing home and database are tightened, and serve says so", async () => {
    const home = homeFor("loose-home");
    await mkdir(home, { mode: 0o755 });
    await chmod(home, 0o755);
    const first = await startServe({ home, rendererDir });
    await first.stop();
    await chmod(home, 0o755);
    for (const file of ["guardbench.db", "guardbench.db-wal", "guardbench.db-shm"]) await chmod(join(home, file), 0o644).catch(() => undefined);
    const served = await startServe({ home, rendererDir });
    try {
      expect(served.output()).toContain(`made ${home} private (it was 0755, now 0700)`);
      expect(await mode(home)).toBe(0o700);
      expect(await mode(join(home, "guardbench.db"))).toBe(0o600);
    } finally {
      await served.stop();
    }
  });
});

async function writeFileIn(name: string, content: string, fileMode = 0o600): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, content, { mode: fileMode });
  await chmod(path, fileMode);
  return path;
}

function writeTokenFile(fileMode: number): Promise<string> {
  return writeFileIn(`token-${fileMode.toString(8)}`, `${TOKEN}\n`, fileMode);
}
