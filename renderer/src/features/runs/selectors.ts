import type { RunJobProgress } from "../../../../shared/ipc/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import { appSelectors } from "../app/selectors.ts";

const jobs = appSelectors.jobsById;

export const runsSelectors = {
  list: (s: AppState) => s.runs.list,
  loaded: (s: AppState) => s.runs.loaded,
  listError: (s: AppState) => s.runs.listError,
  starting: (s: AppState) => s.runs.starting,
  startError: (s: AppState) => s.runs.startError,
  resumingId: (s: AppState) => s.runs.resumingId,
  startDatasetId: (s: AppState) => s.runs.startDatasetId,
  multiRun: (s: AppState) => s.runs.multiRun,
  /** running run jobs by run id */
  progressByRun: memoSelector([jobs], (all): Record<number, RunJobProgress> => {
    const byRun: Record<number, RunJobProgress> = {};
    for (const job of Object.values(all)) if (job.kind === "run") byRun[job.runId] = job;
    return byRun;
  }),
  run: (runId: number | undefined) => (s: AppState) => s.runs.list.find((run) => run.id === runId),
};
