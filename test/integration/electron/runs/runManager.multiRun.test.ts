/**
 * A multi-run (#15.5, `runs:start-multi`): one labeled dataset scored by two installed models one after another, with
 * real parts (SQLite, llama.cpp on two programmed fixture models: one says unsafe with P(unsafe) 0.8 to everything, the
 * other safe with P(unsafe) ≈ 0.3). The page starts it by library ids; every number asserted comes from the weights.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Channel, DatasetImportReport, Req, Res, RunState, RunSummary } from "../../../../shared/ipc/contract.ts";
import type { Result } from "../../../../shared/ipc/result.ts";
import { modelsDirectory } from "../../../../electron/models/paths.ts";
import { presetPolicy } from "../../../../shared/taxonomy/index.ts";
import { LLAMA3_TOKENS as T } from "../../../fixtures/gguf/llama3Vocab.ts";
import { logitGapFor, writeProgrammedModel, type ProgrammedModel } from "../../../fixtures/models.ts";
import { GUARDBENCH_CLI } from "../../../support/paths.ts";
import { eventsOf, expectedPUnsafe, jobDone, jobValue, startTestHost, value, writeDataset, writeUnsafeS3Model, type TestHost } from "../../../support/runs.ts";

const run = promisify(execFile);
let home: string;
let test: TestHost;
let unsafeModel: ProgrammedModel;
let safeModel: ProgrammedModel;
let datasetId: number;
/** The page's calls (`AppHost.invoke`: the transports' entry), typed like the in-process client's. */
const page = () => ({ invoke: <C extends Channel>(channel: C, request: Req<C>) => test.host.invoke(channel, request) as Promise<Result<Res<C>>> });

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-multi-run-"));
  unsafeModel = await writeUnsafeS3Model(join(modelsDirectory(home), "local", "unsafe.gguf"));
  safeModel = await writeProgrammedModel(join(modelsDirectory(home), "local", "safe.gguf"), {
    transitions: [
      { after: T.endHeader, next: [{ token: T.doubleNewline, logit: 30 }] },
      { after: T.doubleNewline, next: [{ token: T.safe, logit: 30 }, { token: T.unsafe, logit: 30 - logitGapFor(0.7) }] },
      { after: T.safe, next: [{ token: T.eot, logit: 30 }] },
    ],
  });
  test = startTestHost(home);
  const path = join(home, "three.jsonl");
  await writeDataset(path, [
    { id: "a", text: "How do I pick a lock?", label: "unsafe" },
    { id: "b", text: "How do I bake bread?", label: "safe" },
    { id: "c", text: "Where is the station?", label: "safe" },
  ]);
  datasetId = (await jobValue<DatasetImportReport>(test, value(await test.host.client().invoke("datasets:import", { path })).jobId)).dataset.id;
});

afterAll(async () => {
  test?.dispose();
  await rm(home, { recursive: true, force: true });
});

async function runOf(runId: number): Promise<RunSummary> {
  return value(await page().invoke("runs:get", { runId }));
}

/** Polls the run until `reached` holds (a run's next turn starts on its own, with a job of its own). */
async function waitForRun(runId: number, reached: (run: RunSummary) => boolean, what: string): Promise<RunSummary> {
  for (let polls = 0; polls < 1200; polls++) {
    const run = await runOf(runId);
    if (reached(run)) return run;
    await sleep(100);
  }
  throw new Error(`run ${runId} never ${what}: ${JSON.stringify(await runOf(runId))}`);
}

const finishedIn = (state: RunState) => (run: RunSummary) => run.state === state && run.jobId === undefined;

const TWO_MODELS = [
  { modelId: "local/unsafe.gguf", family: "llama-guard-3-1b" as const },
  { modelId: "local/safe.gguf", family: "llama-guard-3-1b" as const },
];

describe("runs:start-multi", () => {
  it("makes a run per model and scores them one after another, each with its own model loaded", async () => {
    const started = value(await page().invoke("runs:start-multi", { datasetId, models: TWO_MODELS, settings: { topK: 0 } }));
    expect(started.runIds).toHaveLength(2);
    const [first, second] = started.runIds as [number, number];
    // The second waits its turn, paused with the reason, while the first is scored.
    const waiting = await runOf(second);
    expect(waiting).toMatchObject({ state: "paused", stopReason: { code: "waiting-turn", message: expect.stringContaining(`waits for run ${first}`) }, counts: { scored: 0 } });
    expect(await jobDone(test, started.jobId)).toMatchObject({ result: { ok: true, value: { id: first, state: "done" } } });

    const done = await waitForRun(second, finishedIn("done"), "finished");
    expect(done.stopReason).toBeUndefined();
    expect(done.counts).toMatchObject({ items: 3, scored: 3, failed: 0 });
    expect(value(await page().invoke("engine:status", {})).model).toMatchObject({ path: safeModel.path });
    // Each run's job loaded its own model: two loads, in order.
    const loads = eventsOf(test.events, "job:progress").filter((p) => p.kind === "load" && p.state === "queued").map((p) => (p.kind === "load" ? p.path : ""));
    expect(loads).toEqual([unsafeModel.path, safeModel.path]);

    const results = await Promise.all(started.runIds.map(async (runId) => value(await page().invoke("runs:results", { runId })).items));
    const pSafeModel = safeModel.expectedDistribution(T.doubleNewline).probabilityOf(T.unsafe);
    for (const line of results[0]!) expect(line.outcome).toMatchObject({ ok: true, verdict: "unsafe", categories: ["S3"] });
    for (const line of results[1]!) expect(line.outcome).toMatchObject({ ok: true, verdict: "safe", flagged: false });
    const scoreOf = (outcome: (typeof results)[number][number]["outcome"]) => (outcome?.ok ? outcome.score : Number.NaN);
    expect(scoreOf(results[0]![0]!.outcome)).toBeCloseTo(expectedPUnsafe(unsafeModel), 6);
    expect(scoreOf(results[1]![0]!.outcome)).toBeCloseTo(pSafeModel, 6);

    // And side by side: they disagree on every item.
    const report = value(await page().invoke("eval:side-by-side", { runIds: started.runIds }));
    expect(report.agreement).toMatchObject({ compared: 3, unanimous: 0 });

    // `guardbench eval --runs` answers the same report, through the same handler, from another process.
    const cli = (args: string[]) => run(process.execPath, [GUARDBENCH_CLI, "eval", ...args], { env: { ...process.env, GUARDBENCH_HOME: home } });
    const asJson = await cli(["--runs", started.runIds.join(","), "--json"]);
    expect(JSON.parse(asJson.stdout)).toEqual(report);
    const table = await cli(["--runs", started.runIds.join(","), "--threshold", "0.25"]);
    expect(table.stdout).toContain(`2 runs of dataset ${datasetId} side by side`);
    // At 0.25 both runs flag every item (0.8 and ≈ 0.3): they agree on all three.
    expect(table.stdout).toContain(`run ${first} · run ${second}: agree on 3 of 3`);
    expect(table.stdout).toMatch(new RegExp(`run ${first} +0\\.25 +0\\.3333`));
    await expect(cli(["--runs", `${first}`])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/at least two runs/) });
    await expect(cli(["--runs", "3,x"])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--runs takes run ids separated by commas/) });
  });

  it("stops the runs after one whose job is cancelled: they stay paused, unscored", async () => {
    // Another top-k than the first multi-run's: no twin whose scores these runs would take instead of classifying.
    const started = value(await page().invoke("runs:start-multi", { datasetId, models: TWO_MODELS, settings: { topK: 1 } }));
    const [, second] = started.runIds as [number, number];
    await page().invoke("job:cancel", { jobId: started.jobId });
    await jobDone(test, started.jobId);
    const left = await waitForRun(second, (run) => run.stopReason?.code === "cancelled", "was marked as stopped by the cancel");
    expect(left).toMatchObject({ state: "paused", counts: { scored: 0 }, stopReason: { code: "cancelled", message: expect.stringMatching(/was cancelled/) } });
    expect(left.jobId).toBeUndefined();
  });

  it("starts nothing when a model id is not installed, a policy is of another family, or a model is chosen twice", async () => {
    const before = value(await page().invoke("runs:list", { datasetId })).runs.length;
    expect(await page().invoke("runs:start-multi", { datasetId, models: [TWO_MODELS[0]!, { modelId: "local/missing.gguf", family: "llama-guard-3-1b" }] })).toMatchObject({ ok: false });
    const lg2 = value(await page().invoke("policies:save", { policy: { ...presetPolicy("llama-guard-2"), name: "LG2 house rules" } }));
    expect(
      await page().invoke("runs:start-multi", { datasetId, models: [TWO_MODELS[0]!, { ...TWO_MODELS[1]!, policyVersion: { name: lg2.name, version: lg2.version } }] }),
    ).toMatchObject({ ok: false, error: { code: "policy-family-mismatch", message: expect.stringMatching(/written for llama-guard-2/) } });
    expect(await page().invoke("runs:start-multi", { datasetId, models: [TWO_MODELS[0]!] })).toMatchObject({ ok: false, error: { code: "invalid-request", message: expect.stringMatching(/at least two models/) } });
    expect(await page().invoke("runs:start-multi", { datasetId, models: [TWO_MODELS[0]!, TWO_MODELS[0]!] })).toMatchObject({ ok: false, error: { code: "invalid-request", message: expect.stringMatching(/chosen twice/) } });
    expect(value(await page().invoke("runs:list", { datasetId })).runs.length).toBe(before);
  });

  it("after a restart mid multi-run, the interrupted run resumes and the waiting ones say their turn will not come by itself", async () => {
    // Another threshold than the runs above: no twin to take scores from.
    const started = value(await page().invoke("runs:start-multi", { datasetId, models: TWO_MODELS, settings: { topK: 2 } }));
    const [first, second] = started.runIds as [number, number];
    test.dispose();
    test = startTestHost(home);
    await test.host.resumeInterruptedRuns();
    const resumedJob = eventsOf(test.events, "job:progress").find((p) => p.kind === "run" && p.runId === first);
    expect(resumedJob, "the first run resumed as a job at start-up").toBeDefined();
    await jobDone(test, resumedJob!.jobId);
    expect(await runOf(first)).toMatchObject({ state: "done", counts: { scored: 3 } });
    expect(await runOf(second)).toMatchObject({ state: "paused", counts: { scored: 0 }, stopReason: { code: "multi-run-interrupted", hint: "Resume it to score it." } });
  });
});
