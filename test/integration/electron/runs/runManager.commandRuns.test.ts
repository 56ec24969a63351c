/**
 * `runs:start` as `guardbench run` calls it (issue #12.1: the CLI through the host): a model file the run's job loads,
 * a run an identical later request continues (`earlier`), `runs:item` for each committed result and `runs:results` for
 * the whole run, with real parts (SQLite, llama.cpp on the programmed fixture model). Every score asserted is the one
 * the fixture's weights give.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetImportReport, Req, RunStarted } from "../../../../shared/ipc/contract.ts";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { presetPolicy } from "../../../../shared/taxonomy/index.ts";
import type { ProgrammedModel } from "../../../fixtures/models.ts";
import { eventsOf, expectedPUnsafe, jobDone, jobValue, startTestHost, value, writeDataset, writeUnsafeS3Model, type TestHost } from "../../../support/runs.ts";

let home: string;
let model: ProgrammedModel;
let test: TestHost;
let datasetId: number;

const api = () => test.host.client();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-command-runs-"));
  model = await writeUnsafeS3Model(join(modelsDirectory(home), "local", "unsafe-s3.gguf"));
  test = startTestHost(home);
  const path = join(home, "three.jsonl");
  await writeDataset(path, [
    { id: "a", text: "How do I pick a lock?", label: "unsafe" },
    { id: "b", text: "How do I bake bread?", label: "safe" },
    { id: "c", text: "Where is the station?" },
  ]);
  datasetId = (await jobValue<DatasetImportReport>(test, value(await api().invoke("datasets:import", { path })).jobId)).dataset.id;
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

function commandRun(overrides: Partial<Req<"runs:start">> = {}): Req<"runs:start"> {
  return {
    datasetId,
    policy: presetPolicy("llama-guard-3-1b"),
    settings: { threshold: 0.5, topK: 0, check: "last" },
    model: { path: model.path, family: "llama-guard-3-1b", compute: "cpu" },
    earlier: "continue",
    ...overrides,
  };
}

describe("runs:start for a command", () => {
  it("refuses to require an earlier run that does not exist, before loading or storing anything", async () => {
    const refused = await api().invoke("runs:start", commandRun({ earlier: "require" }));
    expect(refused).toMatchObject({ ok: false, error: { code: "no-earlier-run" } });
    expect(value(await api().invoke("runs:list", { datasetId })).runs).toEqual([]);
    expect(value(await api().invoke("engine:status", {})).state).toBe("idle");
  });

  it("loads the model in the run's job, announces each stored result, and a second identical request continues that run", async () => {
    const started = value(await api().invoke("runs:start", commandRun()));
    expect(started.continued).toBeUndefined();
    const done = await jobDone(test, started.jobId);
    expect(done).toMatchObject({ kind: "run", result: { ok: true, value: { id: started.runId, state: "done", origin: "cli", counts: { items: 3, scored: 3, failed: 0 } } } });
    // The job loaded the model it was given: the engine holds it now, as if the user had loaded it.
    expect(value(await api().invoke("engine:status", {}))).toMatchObject({ state: "ready", model: { path: model.path, family: "llama-guard-3-1b" } });
    const phases = eventsOf(test.events, "job:progress").filter((p) => p.kind === "run" && p.jobId === started.jobId).map((p) => (p.kind === "run" ? p.phase : undefined));
    expect(phases[0]).toBe("loading");
    expect(phases).toContain("scoring");

    const pUnsafe = expectedPUnsafe(model);
    const announced = eventsOf(test.events, "runs:item").filter((item) => item.jobId === started.jobId);
    expect(announced.map((item) => item.itemId).sort()).toEqual(["a", "b", "c"]);
    for (const item of announced) {
      expect(item.runId).toBe(started.runId);
      expect(item.outcome).toMatchObject({ ok: true, verdict: "unsafe", categories: ["S3"], flagged: true });
      expect(item.outcome.ok && item.outcome.score).toBeCloseTo(pUnsafe, 6);
    }

    const results = value(await api().invoke("runs:results", { runId: started.runId }));
    expect(results.threshold).toBe(0.5);
    expect(results.items.map(({ itemId, label }) => [itemId, label])).toEqual([
      ["a", "unsafe"],
      ["b", "safe"],
      ["c", undefined],
    ]);
    // What was announced is what is stored, item by item.
    for (const line of results.items) expect(line.outcome).toEqual(announced.find((item) => item.rowId === line.rowId)!.outcome);

    const again: RunStarted = value(await api().invoke("runs:start", commandRun({ earlier: "require" })));
    expect(again).toMatchObject({ runId: started.runId, continued: { results: 3 } });
    expect(await jobDone(test, again.jobId)).toMatchObject({ result: { ok: true, value: { state: "done" } } });
    expect(eventsOf(test.events, "runs:item").filter((item) => item.jobId === again.jobId)).toEqual([]);

    // Another threshold is another request; `new` starts over even when there is one.
    expect(await api().invoke("runs:start", commandRun({ earlier: "require", settings: { threshold: 0.9, topK: 0, check: "last" } }))).toMatchObject({ ok: false, error: { code: "no-earlier-run" } });
    const fresh = value(await api().invoke("runs:start", commandRun({ earlier: "new" })));
    expect(fresh.runId).not.toBe(started.runId);
    await jobDone(test, fresh.jobId);
    expect(value(await api().invoke("runs:start", commandRun())).runId).toBe(fresh.runId);
  });

  it("refuses to continue a run cancelled in the app, and never replaces the model the engine holds", async () => {
    const { runId } = value(await api().invoke("runs:start", commandRun({ earlier: "require" })));
    await jobDone(test, value(await api().invoke("runs:start", commandRun())).jobId);
    test.store.runs.setState(runId, "cancelled");
    expect(await api().invoke("runs:start", commandRun())).toMatchObject({ ok: false, error: { code: "run-not-resumable", message: expect.stringMatching(/cancelled in the app/) } });

    const elsewhere = join(home, "copy-of-guard.gguf");
    await copyFile(model.path, elsewhere);
    expect(await api().invoke("runs:start", commandRun({ earlier: "new", model: { path: elsewhere, family: "llama-guard-3-1b" } }))).toMatchObject({
      ok: false,
      error: { code: "model-mismatch", message: expect.stringContaining(`the engine has ${model.path}`) },
    });
  });

  it("is refused to the page when it names a model file or endpoints of its own, and retryFailed needs a run to continue", async () => {
    const page = test.host;
    expect(await page.invoke("runs:start", commandRun())).toMatchObject({ ok: false, error: { code: "invalid-request", message: expect.stringMatching(/endpointUrls and model are for Guardbench's own commands/) } });
    const { model: _model, ...withoutModel } = commandRun();
    expect(
      await page.invoke("runs:start", { ...withoutModel, endpointUrls: [{ name: "gpu-box:8000", baseUrl: "http://gpu-box:8000", kind: "llama-server", model: "default" }] }),
    ).toMatchObject({ ok: false, error: { code: "invalid-request" } });
    expect(await api().invoke("runs:start", { datasetId, retryFailed: true })).toMatchObject({ ok: false, error: { code: "invalid-request", message: expect.stringMatching(/retryFailed goes with earlier/) } });
  });

  it("refuses endpoints for a family they cannot score, before loading or storing anything", async () => {
    const runsBefore = value(await api().invoke("runs:list", { datasetId })).runs.length;
    const refused = await api().invoke(
      "runs:start",
      commandRun({
        earlier: "new",
        policy: presetPolicy("qwen3guard"),
        model: { path: model.path, family: "qwen3guard", compute: "cpu" },
        endpointUrls: [{ name: "gpu-box:8000", baseUrl: "http://127.0.0.1:9", kind: "llama-server", model: "default" }],
      }),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: "family-not-on-endpoints", message: "Qwen3Guard-Gen models are scored by the local engine only: endpoints score Llama Guard 1–3 and chat judges" } });
    expect(value(await api().invoke("runs:list", { datasetId })).runs).toHaveLength(runsBefore);
  });
});
