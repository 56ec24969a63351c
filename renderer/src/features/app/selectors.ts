import type { JobProgress } from "../../../../shared/ipc/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";

const jobsById = (s: AppState) => s.app.jobs;

export const appSelectors = {
  screen: (s: AppState) => s.app.screen,
  helpOpen: (s: AppState) => s.app.helpOpen,
  connection: (s: AppState) => s.app.connection,
  notice: (s: AppState) => s.app.notice,
  fileChooser: (s: AppState) => s.app.fileChooser,
  jobsById,
  /** every running job */
  jobs: memoSelector([jobsById], (byId): JobProgress[] => Object.values(byId)),
};
