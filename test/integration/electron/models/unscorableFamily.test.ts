/**
 * A model file of a guard family the engine cannot score yet (#15.4: family detection from GGUF metadata): a GGUF that
 * carries Granite Guardian 3.0's official chat template is named as Granite Guardian 3.0 in the library, and loading it without a family
 * — in the app or with `guardbench classify` — says what it is and that Guardbench cannot score it, instead of
 * "unknown family" or a guess at another family's prompt.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { LLAMA3_TOKENS as T } from "../../../fixtures/gguf/llama3Vocab.ts";
import { writeProgrammedModel } from "../../../fixtures/models.ts";
import { GUARDBENCH_CLI } from "../../../support/paths.ts";
import { startTestHost, value, type TestHost } from "../../../support/runs.ts";

const run = promisify(execFile);
let home: string;
let test: TestHost;
let path: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-unscorable-"));
  const chatTemplate = await readFile(new URL("../../../fixtures/prompt-templates/granite-guardian-3.0.jinja", import.meta.url), "utf8");
  path = join(modelsDirectory(home), "local", "guard-2b.gguf");
  await writeProgrammedModel(path, { transitions: [{ after: T.endHeader, next: [{ token: T.safe, logit: 30 }] }], chatTemplate });
  test = startTestHost(home);
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

describe("a model of a family Guardbench cannot score yet", () => {
  it("is listed as that family, not scorable, with no prompt format guessed", async () => {
    const [model] = value(await test.host.client().invoke("models:list", {})).models;
    expect(model?.info?.promptFamily).toBeUndefined();
    expect(model?.info?.guardFamily).toMatchObject({ family: "granite-guardian-3.0", name: "Granite Guardian 3.0", scorable: false, reason: expect.stringMatching(/template/) });
  });

  it("is refused by models:load without a family, with what it is and why", async () => {
    const answer = await test.host.client().invoke("models:load", { id: "local/guard-2b.gguf" });
    expect(answer).toMatchObject({
      ok: false,
      error: { code: "family-unsupported", message: expect.stringMatching(/^guard-2b\.gguf is a Granite Guardian 3\.0 model \(.*\), and Guardbench cannot score Granite Guardian 3\.0 yet: its engine scores Llama Guard 1 \(7B\), .*, Chat judge \(Llama 2 chat\), ShieldGemma, Qwen3Guard-Gen, NemoGuard Content Safety and gpt-oss-safeguard today$/) },
    });
    expect(value(await test.host.client().invoke("engine:status", {})).state).toBe("idle");
  });

  it("is refused by guardbench classify without --family, with the same words", async () => {
    const failed = await run(process.execPath, [GUARDBENCH_CLI, "classify", "--model", path], { env: { ...process.env, GUARDBENCH_HOME: join(home, "cli-home") } }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed.stderr).toMatch(/guard-2b\.gguf is a Granite Guardian 3\.0 model .*cannot score Granite Guardian 3\.0 yet.*--family would score it with another family's prompt/);
    expect(failed.code).toBe(1);
  });
});
