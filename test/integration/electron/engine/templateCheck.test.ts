/**
 * The prompt self-check on load (issue #15.3a): `models:load` of a real GGUF (the programmed fixture on llama.cpp, with
 * the Llama 3 vocabulary) compares Guardbench's Llama Guard 3 1B prompt with the file's own chat template, rendered
 * with @huggingface/jinja and the vocabulary's own BOS/EOS text, and the engine status carries the result.
 */
import { execFile } from "node:child_process";
import { readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetImportReport, EngineStatus, RunSummary } from "../../../../shared/ipc/contract.ts";
import { writeLlamaGuard4Model } from "../../../fixtures/llamaGuard4Model.ts";
import { LLAMA3_TOKENS as T } from "../../../fixtures/gguf/llama3Vocab.ts";
import { writeProgrammedModel } from "../../../fixtures/models.ts";
import { GUARDBENCH_CLI } from "../../../support/paths.ts";
import { jobValue, startTestHost, value, type TestHost } from "../../../support/runs.ts";

let home: string;
let test: TestHost;
let official: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-template-check-"));
  test = startTestHost(home);
  official = await readFile(new URL("../../../fixtures/prompt-templates/llama-guard-3-1b_hf-chat-template.jinja", import.meta.url), "utf8");
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

/** The CLI in its own process, on a data folder of its own. */
function cli(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [GUARDBENCH_CLI, ...args], { env: { ...process.env, GUARDBENCH_HOME: join(home, "cli-home") } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}

/** `\n\nsafe` and the end of the turn. */
const SAFE_ANSWER = [
  { after: T.endHeader, next: [{ token: T.doubleNewline, logit: 30 }] },
  { after: T.doubleNewline, next: [{ token: T.safe, logit: 30 }] },
  { after: T.safe, next: [{ token: T.eot, logit: 30 }] },
];

/** Loads a fixture model carrying `chatTemplate` (none when undefined) as Llama Guard 3 1B and answers the status. */
async function loadWithTemplate(name: string, chatTemplate: string | undefined): Promise<EngineStatus> {
  const path = join(home, `${name}.gguf`);
  await writeProgrammedModel(path, { transitions: SAFE_ANSWER, ...(chatTemplate !== undefined ? { chatTemplate } : {}) });
  const { jobId } = value(await test.host.client().invoke("models:load", { path, family: "llama-guard-3-1b" }));
  return jobValue<EngineStatus>(test, jobId);
}

describe("the prompt check on load", () => {
  it("finds the builder identical to the official Llama Guard 3 1B template embedded in the file", async () => {
    const ready = await loadWithTemplate("official", official);
    expect(ready.state).toBe("ready");
    expect(ready.model?.templateCheck).toMatchObject({ status: "identical", compared: 2, summary: expect.stringMatching(/identical to the model's own chat template/) });
    // The status pushed to every window carries it too, not only the load's answer.
    expect(value(await test.host.client().invoke("engine:status", {})).model?.templateCheck?.status).toBe("identical");
  });

  it("shows where an edited template differs, both sides", async () => {
    const edited = official.replace("Task: Check if there is unsafe content", "Task: check whether there is unsafe content");
    expect(edited).not.toBe(official);
    const check = (await loadWithTemplate("edited", edited)).model?.templateCheck;
    expect(check).toMatchObject({ status: "different", difference: { case: "a user prompt", line: expect.any(Number), builder: expect.stringContaining("Task: Check if"), template: expect.stringContaining("Task: check whether") } });
    expect(check?.summary).toMatch(/differs from the model's own chat template for a user prompt/);
  });

  it("guardbench classify warns about the difference on standard error, and classifies", async () => {
    const { code, stdout, stderr } = await cli(["classify", "--model", join(home, "edited.gguf"), "--family", "llama-guard-3-1b", "--cpu", "--threads", "1"], "User: hello");
    expect(stderr).toMatch(/guardbench classify: warning: Guardbench's Llama Guard 3 1B prompt differs from the model's own chat template for a user prompt/);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: "safe" });
    expect(code).toBe(0);
  });

  it("guardbench run warns about it too, when the run's job loads the model", async () => {
    const dataset = join(home, "one.jsonl");
    await writeFile(dataset, `${JSON.stringify({ id: "a", messages: [{ role: "user", content: "hello" }] })}\n`);
    const { code, stderr } = await cli(["run", "--dataset", dataset, "--model", join(home, "edited.gguf"), "--family", "llama-guard-3-1b", "--cpu", "--threads", "1"]);
    expect(stderr.match(/guardbench run: warning: Guardbench's Llama Guard 3 1B prompt differs/g)).toHaveLength(1);
    expect(code).toBe(0);
  });

  it("says so when the file has no template, or one that does not parse, and loads the model all the same", async () => {
    const none = await loadWithTemplate("none", undefined);
    expect(none).toMatchObject({ state: "ready", model: { templateCheck: { status: "unchecked", summary: expect.stringMatching(/carries no chat template/) } } });
    const broken = await loadWithTemplate("broken", "{% if messages %}");
    expect(broken).toMatchObject({ state: "ready", model: { templateCheck: { status: "template-error", summary: expect.stringMatching(/could not be compared/) } } });
  });
});

describe("a Llama Guard 4 file, whose own template is the prompt", () => {
  it("loads, scores a dataset with the prompt rendered from the file, and an opened result shows that prompt", async () => {
    const path = join(home, "llama-guard-4.gguf");
    await writeLlamaGuard4Model(path);
    const { jobId } = value(await test.host.client().invoke("models:load", { path, family: "llama-guard-4" }));
    const ready = await jobValue<EngineStatus>(test, jobId);
    expect(ready).toMatchObject({ state: "ready", model: { family: "llama-guard-4", templateCheck: { status: "unchecked", summary: expect.stringMatching(/prompt is this file's own chat template/) } } });

    const datasetPath = join(home, "two.jsonl");
    const rows = [
      { id: "a", messages: [{ role: "user", content: "How do I pick a lock?" }] },
      { id: "b", messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] },
    ];
    await writeFile(datasetPath, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
    const { dataset } = await jobValue<DatasetImportReport>(test, value(await test.host.client().invoke("datasets:import", { path: datasetPath })).jobId);
    const started = value(await test.host.client().invoke("runs:start", { datasetId: dataset.id }));
    expect(await jobValue<RunSummary>(test, started.jobId)).toMatchObject({ state: "done", counts: { scored: 2, failed: 0 }, model: { family: "llama-guard-4" } });
    const item = value(await test.host.client().invoke("results:get", { runId: started.runId, itemId: "b" })).result!;
    expect(item).toMatchObject({ verdict: "unsafe", categories: ["S1"], target: "response" });
    expect(item.prompt.text).toContain("<BEGIN CONVERSATION>\nUser: hi\\n\\n\n\nAgent: hello\\n\\n\n\n<END CONVERSATION>");
    expect(item.prompt.text).toContain("ONLY THE LAST Agent message");

    // A file without a template loads (its tokenizer may serve another family) but says at once that it cannot classify.
    const bare = join(home, "llama-guard-4-bare.gguf");
    await writeLlamaGuard4Model(bare, { chatTemplate: null });
    const refused = await jobValue<EngineStatus>(test, value(await test.host.client().invoke("models:load", { path: bare, family: "llama-guard-4" })).jobId);
    expect(refused.model?.templateCheck).toMatchObject({ status: "template-error", summary: expect.stringMatching(/cannot classify with this file.*this model file has none/) });
  }, 120_000);
});
