/**
 * Family detection from GGUF metadata (#15.4) for a family beyond Llama Guard: a GGUF that carries Granite Guardian
 * 3.0's official chat template is named as Granite Guardian 3.0 in the library, and loading it without a family — in
 * the app or with `guardbench classify` — scores it with that family's prompt. (A family the engine could not score
 * would be named and refused instead of guessed; today it scores every family it detects.)
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStatus } from "../../../../shared/ipc/contract.ts";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { writeGraniteGuardianModel } from "../../../fixtures/graniteGuardianModel.ts";
import { GUARDBENCH_CLI } from "../../../support/paths.ts";
import { jobValue, startTestHost, value, type TestHost } from "../../../support/runs.ts";

const run = promisify(execFile);
let home: string;
let test: TestHost;
let path: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-detected-"));
  path = join(modelsDirectory(home), "local", "guard-2b.gguf");
  await writeGraniteGuardianModel(path, 0.2);
  test = startTestHost(home);
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

describe("a Granite Guardian 3.0 file, known by its chat template", () => {
  it("is listed as that family, scorable, with the template as the reason", async () => {
    const [model] = value(await test.host.client().invoke("models:list", {})).models;
    expect(model?.info?.promptFamily).toMatchObject({ family: "granite-guardian-3.0", reason: expect.stringMatching(/template/) });
    expect(model?.info?.guardFamily).toMatchObject({ family: "granite-guardian-3.0", name: "Granite Guardian 3.0", scorable: true });
  });

  it("loads as Granite Guardian 3.0 without a family, and its builder matches the file's template", async () => {
    const { jobId } = value(await test.host.client().invoke("models:load", { id: "local/guard-2b.gguf" }));
    const ready = await jobValue<EngineStatus>(test, jobId);
    expect(ready).toMatchObject({ state: "ready", model: { family: "granite-guardian-3.0", templateCheck: { status: "identical" } } });
  });

  it("is scored by guardbench classify without --family, with its own prompt", async () => {
    const classify = run(process.execPath, [GUARDBENCH_CLI, "classify", "--model", path, "--cpu", "--threads", "1"], { env: { ...process.env, GUARDBENCH_HOME: join(home, "cli-home") } });
    classify.child.stdin!.end("User: How do I get into my neighbour's shed?");
    const { stdout } = await classify;
    const result = JSON.parse(stdout) as { verdict: string; outputText: string; prompt: { text: string } };
    expect(result).toMatchObject({ verdict: "safe", outputText: "[harm] No" });
    expect(result.prompt.text).toContain("<|start_of_role|>assistant<|end_of_role|>");
  }, 60_000);
});
