/**
 * The model library on real files: GGUF fixtures written by the tests, header parsing by electron/gguf, and the CLI
 * through a real child process. No model is ever loaded; everything here reads headers.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ModelLibrary } from "../../../../electron/models/library.ts";
import { gguf } from "../../../fixtures/gguf/writer.ts";
import { writeProgrammedModel } from "../../../fixtures/models.ts";
import { GUARDBENCH_CLI, REPO_ROOT } from "../../../support/paths.ts";

const run = promisify(execFile);

let dir: string;
let fixtures: { valid: string; truncated: string; html: string; safetensors: string; unsupportedArch: string; validBytes: number };
let home: string;
let library: ModelLibrary;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-library-"));
  const chatTemplate = await readFile(join(REPO_ROOT, "test", "fixtures", "prompt-templates", "llama-guard-3-1b_hf-chat-template.jinja"), "utf8");
  const valid = (await writeProgrammedModel(join(dir, "source", "guard-fixture.gguf"), { transitions: [], chatTemplate })).path;
  const unsupportedArch = (
    await writeProgrammedModel(join(dir, "source", "strange.gguf"), { transitions: [], extraMetadata: { "general.architecture": gguf.str("nonexistent-arch") } })
  ).path;
  const bytes = await readFile(valid);
  const truncated = join(dir, "source", "half.gguf");
  await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const html = join(dir, "source", "login.gguf");
  await writeFile(html, "<!DOCTYPE html>\n<html><head><title>Access to this repo is restricted</title></head></html>\n");
  const safetensors = join(dir, "source", "model.gguf");
  const header = Buffer.from('{"__metadata__":{"format":"pt"}}');
  const lengthPrefix = Buffer.alloc(8);
  lengthPrefix.writeBigUInt64LE(BigInt(header.length));
  await writeFile(safetensors, Buffer.concat([lengthPrefix, header, Buffer.alloc(64)]));
  fixtures = { valid, truncated, html, safetensors, unsupportedArch, validBytes: bytes.length };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  home = await mkdtemp(join(dir, "home-"));
  library = new ModelLibrary(home);
});

/** Every entry under the models folder, dot-files included: what a user (or a leak) would leave there. */
async function everythingIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => relative(folder, join(e.parentPath, e.name)));
}

describe("importModel", () => {
  it("accepts a valid GGUF and lists it with what its header says", async () => {
    const imported = await library.importModel(fixtures.valid);
    expect(imported).toMatchObject({ ok: true, value: { alreadyInstalled: false, model: { id: "local/guard-fixture.gguf", origin: "imported" } } });

    const [listed, ...rest] = await library.listInstalled();
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({
      id: "local/guard-fixture.gguf",
      path: join(library.modelsFolder, "local", "guard-fixture.gguf"),
      sizeBytes: fixtures.validBytes,
      info: { architecture: "llama", contextLength: 4096, quantType: "F32", layers: 1, embeddingWidth: 64, hasChatTemplate: true, promptFamily: { family: "llama-guard-3-1b" } },
    });
    expect(listed?.problem).toBeUndefined();
    expect(await everythingIn(library.modelsFolder)).toEqual(["local/guard-fixture.gguf"]);
  });

  it("treats a second import of the same file as done, and copies nothing", async () => {
    await library.importModel(fixtures.valid);
    const again = await library.importModel(fixtures.valid);
    expect(again).toMatchObject({ ok: true, value: { alreadyInstalled: true } });
    expect(await everythingIn(library.modelsFolder)).toEqual(["local/guard-fixture.gguf"]);
  });

  it("refuses to replace a different file installed under the same name", async () => {
    await library.importModel(fixtures.valid);
    const other = join(dir, "other", "guard-fixture.gguf");
    await mkdir(dirname(other), { recursive: true });
    const otherModel = await writeProgrammedModel(other, { transitions: [{ after: 1, next: [{ token: 2, logit: 3 }] }] });
    const result = await library.importModel(otherModel.path);
    expect(result).toMatchObject({ ok: false, error: { code: "name-taken", message: expect.stringMatching(/different model is already installed as "local\/guard-fixture.gguf"/) } });
    if (!result.ok) expect(result.error.hint).toMatch(/guardbench models rm local\/guard-fixture.gguf/);
    // The installed file is untouched and no temporary copy is left behind.
    expect((await readFile(join(library.modelsFolder, "local", "guard-fixture.gguf"))).equals(await readFile(fixtures.valid))).toBe(true);
    expect(await everythingIn(library.modelsFolder)).toEqual(["local/guard-fixture.gguf"]);
  });

  it("rejects a truncated file with expected and actual sizes, copying nothing", async () => {
    const result = await library.importModel(fixtures.truncated);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const half = Math.floor(fixtures.validBytes / 2).toLocaleString("en-US");
    expect(result.error.code).toBe("truncated");
    expect(result.error.message).toBe(
      `"half.gguf" is truncated: its header describes ${fixtures.validBytes.toLocaleString("en-US")} bytes but the file has ${half} bytes (50% present).`,
    );
    expect(result.error.hint).toMatch(/interrupted\. Download the file again/);
    expect(await everythingIn(library.modelsFolder)).toEqual([]);
  });

  it("rejects an HTML page saved under a .gguf name, saying what it is", async () => {
    const result = await library.importModel(fixtures.html);
    expect(result).toMatchObject({
      ok: false,
      error: { code: "not-gguf", message: '"login.gguf" is not a GGUF model file: it looks like an HTML page (starts with "<!DOCTYPE html>").' },
    });
    if (!result.ok) expect(result.error.hint).toMatch(/gated repo/);
    expect(await everythingIn(library.modelsFolder)).toEqual([]);
  });

  it("rejects a safetensors file, pointing to the GGUF version", async () => {
    const result = await library.importModel(fixtures.safetensors);
    expect(result).toMatchObject({ ok: false, error: { code: "not-gguf", message: expect.stringMatching(/looks like a safetensors file/), hint: expect.stringMatching(/GGUF version/) } });
    expect(await everythingIn(library.modelsFolder)).toEqual([]);
  });

  it("rejects an architecture llama.cpp cannot run", async () => {
    const result = await library.importModel(fixtures.unsupportedArch);
    expect(result).toMatchObject({
      ok: false,
      error: { code: "unsupported-architecture", message: '"strange.gguf" is a "nonexistent-arch" model, an architecture this build of llama.cpp cannot run.' },
    });
    expect(await everythingIn(library.modelsFolder)).toEqual([]);
  });

  it("reports a missing source file", async () => {
    const result = await library.importModel(join(dir, "nowhere.gguf"));
    expect(result).toMatchObject({ ok: false, error: { code: "file-missing" } });
  });

  it("gives an imported file a safe name ending in .gguf", async () => {
    const odd = join(dir, "odd", "..my guard (v2)");
    await mkdir(dirname(odd), { recursive: true });
    await copyFile(fixtures.valid, odd);
    const result = await library.importModel(odd);
    expect(result).toMatchObject({ ok: true, value: { model: { id: "local/my_guard__v2_.gguf" } } });
  });
});

describe("listInstalled", () => {
  it("lists a broken file with its problem instead of hiding it, and recognises catalog files", async () => {
    const catalogKey = "QuantFactory/Llama-Guard-3-1B-GGUF/Llama-Guard-3-1B.Q4_K_M.gguf";
    await mkdir(dirname(library.hubFilePath(catalogKey)), { recursive: true });
    await copyFile(fixtures.valid, library.hubFilePath(catalogKey));
    const brokenKey = "someone/broken-GGUF/broken.gguf";
    await mkdir(dirname(library.hubFilePath(brokenKey)), { recursive: true });
    await copyFile(fixtures.truncated, library.hubFilePath(brokenKey));
    // A download in progress and an import's temporary file are not models.
    await writeFile(`${library.hubFilePath(brokenKey)}.partial`, "x");
    await writeFile(join(dirname(library.hubFilePath(brokenKey)), ".x.gguf.importing-1"), "x");

    const listed = await library.listInstalled();
    expect(listed.map((m) => m.id)).toEqual([catalogKey, brokenKey]);
    expect(listed[0]).toMatchObject({ origin: "hub", repo: "QuantFactory/Llama-Guard-3-1B-GGUF", catalog: { modelId: "llama-guard-3-1b", quant: "Q4_K_M" } });
    expect(listed[1]).toMatchObject({ origin: "hub", repo: "someone/broken-GGUF", sizeBytes: Math.floor(fixtures.validBytes / 2), problem: { code: "truncated" } });
    expect(listed[1]?.info).toBeUndefined();
  });

  it("is empty when nothing was ever installed", async () => {
    expect(await library.listInstalled()).toEqual([]);
  });
});

describe("abandoned import temporaries", () => {
  const stderrOf = new Map<ChildProcess, string>();
  const importInChild = (): ChildProcess => {
    const child = spawn(process.execPath, ["--import", "tsx", "--import", "./test/fixtures/stalledCopy.ts", GUARDBENCH_CLI, "models", "import", fixtures.valid], {
      cwd: REPO_ROOT,
      env: { ...process.env, GUARDBENCH_HOME: home },
      stdio: ["ignore", "ignore", "pipe"],
    });
    stderrOf.set(child, "");
    child.stderr!.on("data", (chunk: Buffer) => stderrOf.set(child, stderrOf.get(child) + chunk.toString()));
    return child;
  };
  const temporariesIn = async () => (await readdir(join(library.modelsFolder, "local")).catch(() => [] as string[])).filter((name) => name.includes(".importing-"));
  const ofProcess = (names: string[], child: ChildProcess) => names.filter((name) => name.includes(`-${child.pid}-`));

  it("are removed at the next start after the import was killed, never while their import runs", async () => {
    const killed = importInChild();
    const running = importInChild();
    try {
      // Both imports have validated the file and are copying (stalled mid-copy by the preloaded fixture).
      while ((await temporariesIn()).length < 2) {
        const ended = [killed, running].find((child) => child.exitCode !== null);
        if (ended) throw new Error(`an import ended before it began to copy: ${stderrOf.get(ended)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const exited = new Promise((resolve) => killed.once("exit", resolve));
      killed.kill("SIGKILL");
      await exited;
      const before = await temporariesIn();
      expect(ofProcess(before, killed)).toHaveLength(1);

      const { stdout } = await run(process.execPath, [GUARDBENCH_CLI, "models", "list", "--json"], { cwd: REPO_ROOT, env: { ...process.env, GUARDBENCH_HOME: home } });
      expect(JSON.parse(stdout)).toMatchObject({ models: [] });
      const after = await temporariesIn();
      expect(ofProcess(after, killed)).toEqual([]);
      expect(ofProcess(after, running)).toEqual(ofProcess(before, running));
      expect(ofProcess(after, running)).toHaveLength(1);
    } finally {
      killed.kill("SIGKILL");
      running.kill("SIGKILL");
    }
  });

  it("from another machine or an older version are removed once untouched for an hour", async () => {
    const local = join(library.modelsFolder, "local");
    await mkdir(local, { recursive: true });
    const names = {
      olderVersionStale: `.guard.gguf.importing-${randomUUID()}`,
      olderVersionFresh: `.guard.gguf.importing-${randomUUID()}`,
      otherMachineStale: `.guard.gguf.importing-elsewhere-4242-${randomUUID()}`,
      otherMachineFresh: `.guard.gguf.importing-elsewhere-4242-${randomUUID()}`,
      notATemporary: ".notes",
    };
    for (const name of Object.values(names)) await writeFile(join(local, name), "partial");
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
    for (const name of [names.olderVersionStale, names.otherMachineStale]) await utimes(join(local, name), twoHoursAgo, twoHoursAgo);

    expect((await library.removeAbandonedImports()).sort()).toEqual([join(local, names.olderVersionStale), join(local, names.otherMachineStale)].sort());
    expect((await readdir(local)).sort()).toEqual([names.olderVersionFresh, names.otherMachineFresh, names.notATemporary].sort());
  });
});

describe("removeModel", () => {
  it("deletes the file and the folders it leaves empty", async () => {
    const key = "someone/repo-GGUF/model.gguf";
    await mkdir(dirname(library.hubFilePath(key)), { recursive: true });
    await copyFile(fixtures.valid, library.hubFilePath(key));
    await library.importModel(fixtures.valid);

    expect(await library.removeModel(key)).toEqual({ ok: true, value: { id: key, path: library.hubFilePath(key) } });
    expect(await everythingIn(library.modelsFolder)).toEqual(["local/guard-fixture.gguf"]);
    expect(await readdir(library.modelsFolder)).toEqual(["local"]);
    expect(await library.removeModel("local/guard-fixture.gguf")).toMatchObject({ ok: true });
    expect(await library.listInstalled()).toEqual([]);
  });

  it("says so when the id is not installed", async () => {
    expect(await library.removeModel("local/never.gguf")).toMatchObject({ ok: false, error: { code: "not-installed", hint: expect.stringMatching(/models list/) } });
  });

  it.each(["../outside.gguf", "local/../../outside.gguf", "/etc/outside.gguf", "local/../../../../../../tmp/outside.gguf"])("refuses the traversal %j", async (id) => {
    const outside = join(home, "outside.gguf");
    await copyFile(fixtures.html, outside);
    const result = await library.removeModel(id);
    expect(result).toMatchObject({ ok: false, error: { code: "outside-library", message: expect.stringMatching(/points outside the models folder/) } });
    expect((await stat(outside)).isFile()).toBe(true);
  });

  it("refuses ids that are not model files", async () => {
    await library.importModel(fixtures.valid);
    expect(await library.removeModel("local")).toMatchObject({ ok: false, error: { code: "not-a-model-id" } });
    expect(await library.removeModel("")).toMatchObject({ ok: false, error: { code: "not-a-model-id" } });
    expect(await everythingIn(library.modelsFolder)).toEqual(["local/guard-fixture.gguf"]);
  });

  it("refuses a path that escapes through a symlinked folder", async () => {
    const elsewhere = join(home, "elsewhere");
    await mkdir(elsewhere, { recursive: true });
    await copyFile(fixtures.html, join(elsewhere, "victim.gguf"));
    await mkdir(library.modelsFolder, { recursive: true });
    await symlink(elsewhere, join(library.modelsFolder, "sneaky"));
    expect(await library.removeModel("sneaky/victim.gguf")).toMatchObject({ ok: false, error: { code: "outside-library" } });
    expect((await stat(join(elsewhere, "victim.gguf"))).isFile()).toBe(true);
  });
});

describe("guardbench models import | list | rm (child process)", () => {
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [GUARDBENCH_CLI, "models", ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, GUARDBENCH_HOME: home, GUARDBENCH_GPU: "off", NODE_LLAMA_CPP_LOG_LEVEL: "error" },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it("imports, lists and removes with --json", async () => {
    const imported = await cli("import", fixtures.valid, "--json");
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, alreadyInstalled: false, model: { id: "local/guard-fixture.gguf", info: { architecture: "llama", quantType: "F32" } } });

    const listed = await cli("list", "--json");
    expect(listed.code).toBe(0);
    const listing = JSON.parse(listed.stdout) as { modelsFolder: string; models: Array<{ id: string; info: { promptFamily: { family: string } } }> };
    expect(listing.modelsFolder).toBe(join(home, "models"));
    expect(listing.models.map((m) => [m.id, m.info.promptFamily.family])).toEqual([["local/guard-fixture.gguf", "llama-guard-3-1b"]]);

    const removed = await cli("rm", "local/guard-fixture.gguf", "--json");
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ ok: true, id: "local/guard-fixture.gguf" });
    expect(JSON.parse((await cli("list", "--json")).stdout).models).toEqual([]);
  });

  it("fails an invalid import with a non-zero exit, the reason on stderr and the error as JSON", async () => {
    const result = await cli("import", fixtures.truncated, "--json");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/"half.gguf" is truncated: its header describes [\d,]+ bytes but the file has [\d,]+ bytes/);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: "truncated" } });
    expect(await everythingIn(join(home, "models"))).toEqual([]);
  });

  it("prints readable tables without --json and refuses traversal in rm", async () => {
    await cli("import", fixtures.valid);
    const listed = await cli("list");
    expect(listed.stdout).toMatch(/^ID\s+ARCH\s+QUANT\s+PARAMS\s+CONTEXT\s+FAMILY\s+SIZE\s+STATUS$/m);
    expect(listed.stdout).toMatch(/^local\/guard-fixture\.gguf\s+llama\s+F32\s+16M\s+4096\s+llama-guard-3-1b\s+7\d\.\d MB\s+ok$/m);
    const refused = await cli("rm", "../../etc/passwd.gguf");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/points outside the models folder/);
  });

  it("goes through the host's models:import, which refuses Guardbench's own files as the app does", async () => {
    // `models list` through the host opens (and so creates) the database in GUARDBENCH_HOME.
    expect((await cli("list", "--json")).code).toBe(0);
    const result = await cli("import", join(home, "guardbench.db"), "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: "guardbench-file" } });
    expect(result.stderr).toMatch(/is one of Guardbench's own files/);
  });

  it("reports usage mistakes with exit code 2", async () => {
    const result = await cli("import");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing the file to import/);
  });
});
