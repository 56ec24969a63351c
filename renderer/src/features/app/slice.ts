/**
 * The shell: which screen is shown, overlays, one-line notices, the connection, and `start()`, which wires the
 * bridge's pushed events to the slices that mirror them and (re)loads everything whenever the connection opens.
 */
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
  /** subscribes to the bridge; returns the function that unsubscribes */
  start(): () => void;
}

let nextNoticeId = 1;

export const createAppShellSlice: SliceCreator<AppShellSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<AppShellState>) => patchSlice(set, "app", changes);

  return {
    app: { screen: "classify", helpOpen: false, connection: { status: "connecting" }, fileChooser: fileChooserFor(bridge.transport) },

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
