/** Running jobs of every kind live in the app slice: mirrored from job:progress, each job:done handed to the slice that started its kind. */
import { describe, expect, it } from "vitest";
import { err, ok, type DownloadJobProgress, type RunJobProgress } from "../../../../../shared/ipc/index.ts";
import { appSelectors } from "../../../../../renderer/src/features/app/selectors.ts";
import { modelsSelectors } from "../../../../../renderer/src/features/models/selectors.ts";
import { runsSelectors } from "../../../../../renderer/src/features/runs/selectors.ts";
import { createTestStore } from "../../../../support/renderer/helpers.ts";

const REPO = "bartowski/Llama-Guard-3-1B-GGUF";
const FILE = "Llama-Guard-3-1B-Q4_K_M.gguf";

function download(jobId: string, bytesDone: number): DownloadJobProgress {
  return { jobId, kind: "download", state: "running", repo: REPO, file: FILE, phase: "downloading", bytesDone, bytesTotal: 1e9, bytesPerSecond: 5e7, etaSeconds: 12 };
}

function run(jobId: string, runId: number): RunJobProgress {
  return { jobId, kind: "run", state: "running", runId, datasetId: 1, phase: "scoring", done: 3, total: 10, failed: 0, itemsPerSecond: 1, etaSeconds: 7 };
}

describe("jobs (app slice)", () => {
  it("lists the jobs the host is running, and follows their progress and end", async () => {
    const { store, bridge } = createTestStore({ "job:list": () => ok({ jobs: [download("job-1", 1e8), run("job-2", 7)] }) });
    store.getState().start();
    await store.getState().refreshJobs();
    expect(appSelectors.jobs(store.getState()).map((job) => job.jobId)).toEqual(["job-1", "job-2"]);
    expect(runsSelectors.progressByRun(store.getState())[7]?.done).toBe(3);

    bridge.emit("job:progress", download("job-1", 6e8));
    expect(modelsSelectors.downloadJobFor(`${REPO}/${FILE}`)(store.getState())?.bytesDone).toBe(6e8);

    bridge.emit("job:done", { jobId: "job-2", kind: "run", result: err("cancelled", "the run was cancelled") });
    expect(appSelectors.jobs(store.getState()).map((job) => job.jobId)).toEqual(["job-1"]);
    expect(runsSelectors.progressByRun(store.getState())).toEqual({});
  });

  it("shows a started job first at once, and keeps progress the host pushed before the answer", () => {
    const { store, bridge } = createTestStore();
    store.getState().start();
    bridge.emit("job:progress", run("job-2", 7));
    bridge.emit("job:progress", download("job-1", 4e8));
    store.getState().jobStarted({ ...download("job-1", 0), state: "queued" });
    expect(appSelectors.jobs(store.getState()).map((job) => job.jobId)).toEqual(["job-1", "job-2"]);
    expect(modelsSelectors.downloadJobFor(`${REPO}/${FILE}`)(store.getState())).toMatchObject({ state: "running", bytesDone: 4e8 });
  });

  it("sends pause, resume and cancel for the job, and shows a refusal with the models' errors", async () => {
    const { store, bridge } = createTestStore({
      "job:pause": ({ jobId }) => ok({ jobId }),
      "job:resume": ({ jobId }) => ok({ jobId }),
      "job:cancel": () => err("job-not-found", "no job job-1 is running"),
    });
    await store.getState().pauseJob("job-1");
    await store.getState().resumeJob("job-1");
    await store.getState().cancelJob("job-1");
    expect(bridge.calls.map((call) => call.channel)).toEqual(["job:pause", "job:resume", "job:cancel"]);
    expect(modelsSelectors.actionError(store.getState())?.code).toBe("job-not-found");
  });
});
