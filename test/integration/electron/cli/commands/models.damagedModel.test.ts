/**
 * Issue #11's reproduction through the CLI, as a user runs it: a GGUF whose first metadata key length (bytes 24–31) is
 * 0x7FFFFFFF. Every command that meets the file must exit with a clear message — before the fix each one aborted
 * (exit 134, `args[3]->IsInt32()` in Node's fs binding, called by node-llama-cpp's GGUF reader).
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGuardbench } from "../../../../support/cli.ts";
import { writeDamagedGguf, writeTinyGguf } from "../../../../fixtures/gguf/tiny.ts";

const DAMAGE = /"damaged\.gguf" has a damaged GGUF header: the key of metadata entry 1 of \d+ \(at offset 24\) is 2,147,483,647 bytes long/;

let dir: string;
let damaged: string;

const guardbench = (home: string, args: string[], stdin = "") => runGuardbench(args, { cwd: dir, home, stdin, env: { GUARDBENCH_GPU: "off", NODE_LLAMA_CPP_LOG_LEVEL: "error" } });

/** A home whose library holds an intact model and a damaged copy. */
async function homeWithDamagedCopy(name: string): Promise<string> {
  const home = join(dir, name);
  const local = join(home, "models", "local");
  await mkdir(local, { recursive: true });
  await writeTinyGguf(join(local, "intact.gguf"));
  await copyFile(damaged, join(local, "damaged.gguf"));
  return home;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-damaged-"));
  await writeTinyGguf(join(dir, "intact.gguf"));
  damaged = join(dir, "damaged.gguf");
  await writeDamagedGguf(join(dir, "intact.gguf"), damaged);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a damaged GGUF never aborts the CLI", () => {
  it("models import refuses it with the reason, copying nothing", async () => {
    const home = join(dir, "import-home");
    const result = await guardbench(home, ["models", "import", damaged, "--json"]);
    expect(result, result.stderr).toMatchObject({ code: 1, signal: null });
    expect(result.stderr).toMatch(DAMAGE);
    expect(result.stderr).toMatch(/Download the file again/);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: "corrupt-header" } });
    expect(await readdir(join(home, "models", "local")).catch(() => [])).toEqual([]);
  });

  it.each([
    ["with the family detected from the file", []],
    ["with --family given", ["--family", "llama-guard-3-1b"]],
  ])("classify --model refuses it %s", async (_, family) => {
    const result = await guardbench(join(dir, "classify-home"), ["classify", "--model", damaged, ...family], "User: hello\n");
    expect(result, result.stderr).toMatchObject({ code: 1, signal: null });
    expect(result.stderr).toMatch(DAMAGE);
  });

  it("models list shows a damaged copy in the library as a problem and the rest as usual", async () => {
    const home = await homeWithDamagedCopy("list-home");
    const result = await guardbench(home, ["models", "list", "--json"]);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const listing = JSON.parse(result.stdout) as { models: Array<{ id: string; problem?: { code: string; message: string }; info?: unknown }> };
    expect(listing.models).toMatchObject([
      { id: "local/damaged.gguf", problem: { code: "corrupt-header", message: expect.stringMatching(DAMAGE) } },
      { id: "local/intact.gguf", info: { architecture: "llama" } },
    ]);
  });

  it("models fit rates the intact model beside a damaged copy", async () => {
    const home = await homeWithDamagedCopy("fit-home");
    const result = await guardbench(home, ["models", "fit", "--json"]);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const report = JSON.parse(result.stdout) as { otherInstalled: Array<{ id: string }> };
    expect(report.otherInstalled).toMatchObject([{ id: "local/intact.gguf", assessment: { estimate: { basis: "gguf-header" } } }]);
  });
});
