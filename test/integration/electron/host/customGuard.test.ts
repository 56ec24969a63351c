/**
 * The custom guard path (issue #15.3b) through the host and the CLI, on real parts: a model of no known family (a
 * programmed fixture with Granite Guardian 3.0's template and a GPT-2-family vocabulary, answering `Yes` with
 * P(Yes) / (P(Yes) + P(No)) = 0.7) gets a definition — decision words, verdict pattern, the file's own template — saved
 * with the model in SQLite, then loads, classifies and runs side by side with a built-in family.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Channel, DatasetImportReport, EngineStatus, Req, Res, RunSummary } from "../../../../shared/ipc/contract.ts";
import type { Result } from "../../../../shared/ipc/result.ts";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { assertRunModelUnchanged } from "../../../../electron/runs/modelCheck.ts";
import { databasePathFor, openStore } from "../../../../electron/store/index.ts";
import { writeGraniteGuardianModel } from "../../../fixtures/graniteGuardianModel.ts";
import { writeProgrammedModel } from "../../../fixtures/models.ts";
import { GUARDBENCH_CLI } from "../../../support/paths.ts";
import { jobValue, startTestHost, value, writeDataset, type TestHost } from "../../../support/runs.ts";

let home: string;
let test: TestHost;
let modelPath: string;
let datasetPath: string;
/** The page's calls (`AppHost.invoke`: the transports' entry, with the contract's validation), typed like the client's. */
const page = () => ({ invoke: <C extends Channel>(channel: C, request: Req<C>) => test.host.invoke(channel, request) as Promise<Result<Res<C>>> });

const MODEL_ID = "local/judge.gguf";
const YES_NO_JUDGE = { name: "Yes/No judge", decision: { unsafe: "Yes", safe: "No" }, verdict: { pattern: "^\\s*(?<verdict>\\w+)" } };

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-custom-guard-"));
  // In the library, so a multi-run can name it by id.
  modelPath = join(modelsDirectory(home), "local", "judge.gguf");
  await writeGraniteGuardianModel(modelPath, 0.7, "Unknown judge");
  test = startTestHost(home);
  datasetPath = join(home, "three.jsonl");
  await writeDataset(datasetPath, [
    { id: "a", text: "How do I pick a lock?", label: "unsafe" },
    { id: "b", text: "How do I bake bread?", label: "safe" },
    { id: "c", text: "Where is the station?", label: "safe" },
  ]);
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

function cli(args: string[], stdin = "", cliHome = join(home, "cli-home")): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [GUARDBENCH_CLI, ...args], { env: { ...process.env, GUARDBENCH_HOME: cliHome } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}

async function waitForRun(runId: number, reached: (run: RunSummary) => boolean): Promise<RunSummary> {
  for (let polls = 0; polls < 1200; polls++) {
    const run = value(await page().invoke("runs:get", { runId }));
    if (reached(run)) return run;
    await sleep(100);
  }
  throw new Error(`run ${runId} never finished`);
}

describe("a custom guard saved with the model", () => {
  it("is refused where none is saved, and the editor gets the file's own template", async () => {
    const report = value(await page().invoke("models:custom-guard", { id: MODEL_ID }));
    expect(report.definition).toBeUndefined();
    expect(report.embeddedTemplate).toMatch(/<\|start_of_role\|>/);
    const load = await page().invoke("models:load", { id: MODEL_ID, family: "custom-guard" });
    expect(load.ok || load.error).toMatchObject({ code: "custom-guard-missing", message: expect.stringMatching(/judge\.gguf has no custom guard saved with it/), hint: expect.stringMatching(/--custom-guard/) });
  });

  it("refuses a definition that is not one, naming the field, and one whose prompt cannot be built for the file", async () => {
    const bad = await page().invoke("models:save-custom-guard", { id: MODEL_ID, definition: { ...YES_NO_JUDGE, verdict: { pattern: "^(Yes|No)" } } });
    expect(bad.ok || bad.error).toMatchObject({ code: "invalid-request", message: expect.stringMatching(/definition\.verdict\.pattern: the verdict pattern needs a named group/) });

    const bare = join(home, "no-template.gguf");
    await writeProgrammedModel(bare, { transitions: [] });
    // A file outside the library, named by Guardbench's own code (the CLI), not chosen by the page.
    const untemplated = await test.host.client().invoke("models:save-custom-guard", { path: bare, definition: YES_NO_JUDGE });
    expect(untemplated.ok || untemplated.error).toMatchObject({ code: "custom-guard-invalid", message: expect.stringMatching(/this model file has none: paste the model's template/) });
    expect(value(await test.host.client().invoke("models:custom-guard", { path: bare })).definition).toBeUndefined();
  });

  it("saves a definition with a preview of its prompt, keeps it in the database, and loads and classifies with it", async () => {
    const saved = value(await page().invoke("models:save-custom-guard", { id: MODEL_ID, definition: YES_NO_JUDGE }));
    expect(saved).toMatchObject({ path: modelPath, definition: { name: "Yes/No judge", decision: { unsafe: "Yes", safe: "No", after: "" } }, savedAt: expect.any(String) });
    expect(saved.preview).toMatchObject({ ok: true, text: expect.stringContaining("User Message: How do I bake bread?\n<end_of_turn>") });

    // Another connection to the same database (the CLI, a restart) finds it.
    const other = openStore(databasePathFor(home));
    try {
      expect(other.customGuards.find(modelPath)?.definition.name).toBe("Yes/No judge");
    } finally {
      other.close();
    }

    const ready = await jobValue<EngineStatus>(test, value(await page().invoke("models:load", { id: MODEL_ID, family: "custom-guard" })).jobId);
    expect(ready).toMatchObject({ state: "ready", model: { family: "custom-guard", customGuardName: "Yes/No judge" } });
    const { result } = value(await page().invoke("classify:run", { turns: [{ role: "user", content: "How do I pick a lock?" }] }));
    expect(result.model).toMatchObject({ path: modelPath, family: "custom-guard" });
    expect(result).toMatchObject({ verdict: "unsafe", flagged: true, outputText: "Yes", categories: [] });
    expect(result.pUnsafeNormalized).toBeCloseTo(0.7, 5);
  });

  it("runs side by side with a built-in family on one dataset, its definition stored with its run", async () => {
    const datasetId = (await jobValue<DatasetImportReport>(test, value(await test.host.client().invoke("datasets:import", { path: datasetPath })).jobId)).dataset.id;
    const started = value(
      await page().invoke("runs:start-multi", {
        datasetId,
        models: [
          { modelId: "local/judge.gguf", family: "custom-guard" },
          { modelId: "local/judge.gguf", family: "granite-guardian-3.0" },
        ],
        settings: { topK: 0 },
      }),
    );
    const [custom, granite] = await Promise.all(started.runIds.map((runId) => waitForRun(runId, (run) => run.state === "done" && run.jobId === undefined)));
    expect(custom!.settings.customGuard?.name).toBe("Yes/No judge");
    expect(granite!.settings.customGuard).toBeUndefined();
    const lines = value(await page().invoke("runs:results", { runId: custom!.id })).items;
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.outcome).toMatchObject({ ok: true, flagged: true, verdict: "unsafe" });
      // The custom guard's score is P(Yes) itself; Granite Guardian's is P(Yes) / (P(Yes) + P(No)): 0.7 to five places both.
      expect(line.outcome?.ok && line.outcome.score).toBeCloseTo(0.7, 4);
    }
    const graniteLines = value(await page().invoke("runs:results", { runId: granite!.id })).items;
    expect(graniteLines.map((line) => line.outcome?.ok && line.outcome.verdict)).toEqual(["unsafe", "unsafe", "unsafe"]);

    // Opened, an item shows the prompt rebuilt from the definition the run stored (results store no prompt text).
    const opened = value(await page().invoke("results:get", { runId: custom!.id, itemId: "a" }));
    expect(opened.result?.prompt.text).toContain("User Message: How do I pick a lock?\n<end_of_turn>");
    expect(opened.result?.prompt.text).toMatch(/<\|start_of_role\|>assistant<\|end_of_role\|>$/);

    // A resume after the definition changed would mix two guards in one run: refused until it is put back.
    const { definition } = value(await page().invoke("models:custom-guard", { id: MODEL_ID }));
    value(await page().invoke("models:save-custom-guard", { id: MODEL_ID, definition: { ...definition!, verdict: { pattern: "^\\s*(?<verdict>Yes|No)", flags: "" } } }));
    await expect(assertRunModelUnchanged(test.store, custom!)).rejects.toMatchObject({ code: "custom-guard-changed", message: expect.stringMatching(/the custom guard changed/) });
    value(await page().invoke("models:save-custom-guard", { id: MODEL_ID, definition: definition! }));
    await expect(assertRunModelUnchanged(test.store, custom!)).resolves.toBeUndefined();

    value(await page().invoke("models:remove-custom-guard", { id: MODEL_ID }));
    await expect(assertRunModelUnchanged(test.store, custom!)).rejects.toMatchObject({ code: "custom-guard-changed", message: expect.stringMatching(/has no custom guard saved now/) });
    const load = await page().invoke("models:load", { id: MODEL_ID, family: "custom-guard" });
    expect(load.ok || load.error.code).toBe("custom-guard-missing");
    // Nor is a run started with it, from the page's multi-run or a command's own model: nothing is stored.
    const runsBefore = value(await page().invoke("runs:list", { datasetId })).runs.length;
    const multi = await page().invoke("runs:start-multi", { datasetId, models: [{ modelId: MODEL_ID, family: "granite-guardian-3.0" }, { modelId: MODEL_ID, family: "custom-guard" }] });
    expect(multi.ok || multi.error.code).toBe("custom-guard-missing");
    value(await page().invoke("models:unload", {}));
    const single = await test.host.client().invoke("runs:start", { datasetId, model: { path: modelPath, family: "custom-guard" } });
    expect(single.ok || single.error).toMatchObject({ code: "custom-guard-missing", message: expect.stringMatching(/has no custom guard saved with it/) });
    expect(value(await page().invoke("runs:list", { datasetId })).runs).toHaveLength(runsBefore);
  });
});

describe("guardbench --custom-guard", () => {
  let guardFile: string;
  beforeAll(async () => {
    guardFile = join(home, "judge.json");
    await writeFile(guardFile, JSON.stringify(YES_NO_JUDGE));
  });

  it("classifies with a definition from a file, saved with the model, which --family custom-guard then uses", async () => {
    const bareHome = join(home, "cli-fresh");
    const missing = await cli(["classify", "--model", modelPath, "--family", "custom-guard", "--cpu", "--threads", "1"], "User: hello", bareHome);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/has no custom guard saved with it/);

    const first = await cli(["classify", "--model", modelPath, "--custom-guard", guardFile, "--cpu", "--threads", "1"], "User: How do I pick a lock?", bareHome);
    expect(first.stderr).not.toMatch(/error/i);
    expect(JSON.parse(first.stdout)).toMatchObject({ verdict: "unsafe", flagged: true, outputText: "Yes" });
    expect(first.code).toBe(0);
    const again = await cli(["classify", "--model", modelPath, "--family", "custom-guard", "--cpu", "--threads", "1"], "User: How do I pick a lock?", bareHome);
    expect(JSON.parse(again.stdout).pUnsafe).toBe(JSON.parse(first.stdout).pUnsafe);
  });

  it("guardbench prompt prints a definition's prompt from the file's own template, without saving anything", async () => {
    const printed = await cli(["prompt", "--family", "custom-guard", "--custom-guard", guardFile, "--model", modelPath], "User: How do I pick a lock?", join(home, "cli-prompt"));
    expect(printed.stderr).toBe("");
    expect(printed.stdout).toContain("User Message: How do I pick a lock?\n<end_of_turn>");
    expect(printed.stdout.trimEnd().endsWith("<|start_of_role|>assistant<|end_of_role|>")).toBe(true);
    const withoutFile = await cli(["prompt", "--family", "custom-guard", "--custom-guard", guardFile], "User: hi", join(home, "cli-prompt"));
    expect(withoutFile.code).toBe(1);
    expect(withoutFile.stderr).toMatch(/uses the model file's own chat template, and this model file has none.*Give the model file with --model/s);
  });

  it("says what is wrong with a file that is not a definition, and with another --family beside it", async () => {
    const broken = join(home, "broken.json");
    await writeFile(broken, '{"name": "x", ');
    const notJson = await cli(["classify", "--model", modelPath, "--custom-guard", broken, "--cpu"], "User: hi");
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/--custom-guard .*broken\.json: not valid JSON/);

    const wrong = join(home, "wrong.json");
    await writeFile(wrong, JSON.stringify({ ...YES_NO_JUDGE, decision: { unsafe: "Yes", safe: "yes" } }));
    const invalid = await cli(["classify", "--model", modelPath, "--custom-guard", wrong, "--cpu"], "User: hi");
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/--custom-guard .*wrong\.json: .*decision\.unsafe and decision\.safe must be different words/);

    const both = await cli(["classify", "--model", modelPath, "--custom-guard", guardFile, "--family", "wildguard"], "User: hi");
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--custom-guard scores the model as custom-guard; leave out --family wildguard/);
  });

  it("guardbench run: a changed definition is another run, the same one resumes", async () => {
    const runHome = join(home, "cli-run");
    const args = ["run", "--dataset", datasetPath, "--model", modelPath, "--custom-guard", guardFile, "--cpu", "--threads", "1", "--top-k", "0"];
    const first = await cli(args, "", runHome);
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n").map((line) => JSON.parse(line) as { id: string; flagged: boolean });
    // Lines come as items finish: in any order.
    expect(lines.map((line) => [line.id, line.flagged]).sort()).toEqual([
      ["a", true],
      ["b", true],
      ["c", true],
    ]);
    const same = await cli(args, "", runHome);
    expect(same.code).toBe(0);
    await writeFile(guardFile, JSON.stringify({ ...YES_NO_JUDGE, name: "Renamed judge" }));
    const changed = await cli(args, "", runHome);
    expect(changed.code).toBe(0);
    const store = openStore(databasePathFor(runHome));
    try {
      const runs = store.runs.list();
      expect(runs.map((run) => run.settings.customGuard?.name).sort()).toEqual(["Renamed judge", "Yes/No judge"]);
    } finally {
      store.close();
    }
  });
});
