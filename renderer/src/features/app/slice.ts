/**
 * The shell: which screen is shown, overlays, one-line notices, the connection, the running jobs of every kind
 * (downloads, model loads, imports, runs: `job:progress` mirrored here, `job:done` handed to the slice that started
 * that kind), and `start()`, which wires the bridge's pushed events to the slices that mirror them and (re)loads
 * everything whenever the connection opens.
 */
import type { JobDone, JobProgress, ResultError } from "../../../../shared/ipc/index.ts";
import type { ConnectionState } from "../../bridge/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { fileChooserFor, type FileChooser } from "../files/fileChoice.ts";

export const SCREENS = ["classify", "policy", "models", "history", "datasets", "runs", "review", "evaluation", "endpoints"] as const;
export type Screen = (typeof SCREENS)[number];

export interface Notice {
  id: number;
  kind: "info" | "error";
  message: string;
  hint?: string;
}

export interface AppShellState {
  screen: Screen;
  helpOpen: boolean;
  connection: ConnectionState;
  notice?: Notice;
  /** how the user gives the main side a file: the desktop app's native dialog, or (browser) an upload or a confirmed path */
  fileChooser: FileChooser;
  /** running jobs by id */
  jobs: Record<string, JobProgress>;
}

export interface AppShellSlice {
  app: AppShellState;
  navigate(screen: Screen): void;
  setHelpOpen(open: boolean): void;
  notify(notice: Omit<Notice, "id">): void;
  dismissNotice(): void;
  /** Closes the help and the notice (Esc); whether either was open. */
  closeOverlays(): boolean;
  /** everything the screens show, fetched again (at start and after a reconnect) */
  refreshAll(): Promise<void>;
  refreshJobs(): Promise<void>;
  /** a job this page just started, shown at once (first in the list) until its first `job:progress` replaces it */
  jobStarted(progress: JobProgress): void;
  pauseJob(jobId: string): Promise<void>;
  resumeJob(jobId: string): Promise<void>;
  cancelJob(jobId: string): Promise<void>;
  jobProgressed(progress: JobProgress): void;
  jobFinished(done: JobDone): void;
  /** subscribes to the bridge; returns the function that unsubscribes */
  start(): () => void;
}

let nextNoticeId = 1;

export const createAppShellSlice: SliceCreator<AppShellSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<AppShellState> | ((current: AppShellState) => Partial<AppShellState>)) => patchSlice(set, "app", changes);
  // A job request that fails is shown where job errors always were: with the models' other row-less errors.
  const reportJobError = (error: ResultError) => get().showModelsActionError(error);

  return {
    app: { screen: "classify", helpOpen: false, connection: { status: "connecting" }, fileChooser: fileChooserFor(bridge.transport), jobs: {} },

    navigate: (screen) => patch({ screen }),
    setHelpOpen: (helpOpen) => patch({ helpOpen }),
    notify: (notice) => patch({ notice: { ...notice, id: nextNoticeId++ } }),
    dismissNotice: () => patch({ notice: undefined }),
    closeOverlays() {
      const { helpOpen, notice } = get().app;
      const pickerOpen = get().models.pickerOpen;
      patch({ helpOpen: false, notice: undefined });
      if (pickerOpen) get().setModelPickerOpen(false);
      return helpOpen || notice !== undefined || pickerOpen;
    },

    async refreshAll() {
      const state = get();
      await Promise.all([
        state.refreshEngine(),
        state.refreshJobs(),
        state.refreshLibrary(),
        state.refreshCatalog(),
        state.refreshHardware(),
        state.refreshToken(),
        state.refreshSavedPolicies(),
        state.refreshHistory(),
        state.refreshDatasets(),
        state.refreshRuns(),
        state.refreshEndpoints(),
      ]);
      // Engine, library and fit are known now: the model used last may load by itself.
      await get().autoLoadLastModelIfWanted();
    },

    async refreshJobs() {
      const listed = await bridge.invoke("job:list", {});
      if (listed.ok) patch({ jobs: Object.fromEntries(listed.value.jobs.map((job) => [job.jobId, job])) });
    },
    // Spread after: progress the host already pushed for this id (it can arrive before the answer) is kept.
    jobStarted: (progress) => patch((state) => ({ jobs: { [progress.jobId]: progress, ...state.jobs } })),
    async pauseJob(jobId) {
      const paused = await bridge.invoke("job:pause", { jobId });
      if (!paused.ok) reportJobError(paused.error);
    },
    async resumeJob(jobId) {
      const resumed = await bridge.invoke("job:resume", { jobId });
      if (!resumed.ok) reportJobError(resumed.error);
    },
    async cancelJob(jobId) {
      const cancelled = await bridge.invoke("job:cancel", { jobId });
      if (!cancelled.ok) reportJobError(cancelled.error);
    },
    jobProgressed(progress) {
      patch((state) => ({ jobs: { ...state.jobs, [progress.jobId]: progress } }));
    },
    jobFinished(done) {
      const job = get().app.jobs[done.jobId];
      patch((state) => {
        const { [done.jobId]: _finished, ...running } = state.jobs;
        return { jobs: running };
      });
      switch (done.kind) {
        case "download":
          get().downloadJobFinished(done, job?.kind === "download" ? job : undefined);
          return;
        case "load":
          get().loadJobFinished(done);
          return;
        case "import":
          get().datasetJobFinished(done);
          return;
        case "run":
          get().runJobFinished(done);
          return;
      }
    },

    start() {
      const unsubscribe = [
        bridge.onConnection((connection) => {
          patch({ connection });
          if (connection.status === "open") void get().refreshAll();
        }),
        bridge.on("engine:status", (status) => get().engineStatusChanged(status)),
        bridge.on("job:progress", (progress) => get().jobProgressed(progress)),
        bridge.on("job:done", (done) => get().jobFinished(done)),
        bridge.on("models:changed", () => {
          void get().refreshLibrary();
          void get().refreshCatalog();
        }),
        bridge.on("models:open-request", ({ path }) => get().offerModelFile(path)),
        // Labels and runs written anywhere (this window, another one, the CLI): every number on screen is read again.
        bridge.on("labels:changed", ({ datasetId }) => {
          void get().reviewLabelsChanged(datasetId);
          void get().evaluationLabelsChanged(datasetId);
          void get().refreshDatasets();
        }),
        bridge.on("runs:changed", (change) => {
          void get().refreshRuns();
          void get().evaluationRunChanged(change);
        }),
      ];
      // Subscribed first: the files the OS opened Guardbench with arrive as models:open-request events.
      void bridge.invoke("models:open-requests", {});
      return () => unsubscribe.forEach((stop) => stop());
    },
  };
};
