/**
 * The model library, the catalog rated for this machine, downloads and the engine's status, all mirrored from the main
 * side, which owns them (STYLE.md §2: "state lives on the main side; the UI mirrors it"). Running jobs (downloads and
 * loads among them) are the app slice's: this slice starts them and hears how its own kinds end.
 */
import type {
  CatalogReport,
  DownloadJobProgress,
  EngineStatus,
  JobDone,
  ModelList,
  ResultError,
  TokenStatus,
} from "../../../../shared/ipc/index.ts";
import type { HardwareProfile } from "../../../../shared/models/fit.ts";
import { isPromptFamily, type PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { CUSTOM_GUARD_ID } from "../../../../shared/families/customGuard.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { allowTypedPath, chooseWithDialog, grantDroppedFile } from "../files/fileChoice.ts";
import { modelsSelectors } from "./selectors.ts";

export interface DownloadFailure {
  repo: string;
  file: string;
  error: ResultError;
}

export interface ModelsState {
  engine: EngineStatus;
  library?: ModelList;
  libraryError?: ResultError;
  catalog?: CatalogReport;
  catalogError?: ResultError;
  hardware?: HardwareProfile;
  token?: TokenStatus;
  tokenError?: ResultError;
  /** the last failed download per library id (`owner/repo/file`), shown next to that file until it is retried */
  downloadFailures: Record<string, DownloadFailure>;
  /** a failed request that belongs to no single row (unload, remove, a load that could not start) */
  actionError?: ResultError;
  importing: boolean;
  importError?: ResultError;
  /** what the import field holds: typed, or a file the operating system opened Guardbench with */
  importPath: string;
  /** browser: the typed path waits for the user's confirmation before anything is read */
  importConfirming: boolean;
  /** the model last loaded (and how), which loads again on the next start when `autoLoadLastModel` is on and it fits */
  lastModel?: LastModel;
  /** the prompt family each library file was last loaded with, so the picker loads it in one click next time */
  familyOf: Record<string, PromptFamily>;
  autoLoadLastModel: boolean;
  /** the start-up load was decided (done, or not wanted) for this page: it happens once, not after every reconnect */
  autoLoadDecided: boolean;
  /** the model picker on the Classify screen is open */
  pickerOpen: boolean;
  /** bytes of a dropped model file uploaded so far (browser import) */
  importUpload?: { name: string; sent: number; total: number };
}

export interface LastModel {
  id: string;
  family: PromptFamily;
  compute?: "auto" | "cpu";
}

/** What survives a reload and a restart (see store/persistence.ts). */
export interface SavedModelChoices {
  lastModel?: LastModel;
  familyOf: Record<string, PromptFamily>;
  autoLoadLastModel: boolean;
}

export interface ModelsSlice {
  models: ModelsState;
  refreshEngine(): Promise<void>;
  refreshLibrary(): Promise<void>;
  refreshCatalog(): Promise<void>;
  refreshHardware(): Promise<void>;
  refreshToken(): Promise<void>;
  downloadModel(repo: string, file: string): Promise<void>;
  loadModel(id: string, family?: PromptFamily, compute?: "auto" | "cpu"): Promise<void>;
  /** cancels the model load in progress, if any */
  cancelLoad(): Promise<void>;
  setAutoLoadLastModel(on: boolean): void;
  /** at start: loads the last used model when the setting is on, nothing is loaded, and it fits in memory */
  autoLoadLastModelIfWanted(): Promise<void>;
  setModelPickerOpen(open: boolean): void;
  /** a model file dropped on the import field: desktop grants its path, the browser uploads it; then the import */
  importDroppedModel(file: File): Promise<void>;
  unloadModel(): Promise<void>;
  removeModel(id: string): Promise<void>;
  /** copies a chosen GGUF file into the library; returns whether it worked */
  importModel(path: string): Promise<boolean>;
  setModelImportPath(path: string): void;
  /** desktop: the native dialog, then the import */
  chooseModelFile(): Promise<void>;
  /** browser: asks the user to confirm the typed path */
  requestModelImport(): void;
  /** browser: the user confirmed the typed path: it is allowed, then imported */
  confirmModelImport(): Promise<boolean>;
  cancelModelImport(): void;
  /** a `.gguf` the operating system opened Guardbench with: the Models screen, the file ready to import */
  offerModelFile(path: string): void;
  setHfToken(token: string): Promise<boolean>;
  clearHfToken(): Promise<void>;
  engineStatusChanged(status: EngineStatus): void;
  /** a failed request that belongs to no single row, shown on the Models screen and in the picker */
  showModelsActionError(error: ResultError): void;
  /** a download job ended (the app slice has dropped it from the running jobs); `job` is its last progress */
  downloadJobFinished(done: Extract<JobDone, { kind: "download" }>, job: DownloadJobProgress | undefined): void;
  /** a model load job ended */
  loadJobFinished(done: Extract<JobDone, { kind: "load" }>): void;
}

export const initialModelsState: ModelsState = {
  engine: { state: "idle" },
  downloadFailures: {},
  importing: false,
  importPath: "",
  importConfirming: false,
  familyOf: {},
  autoLoadLastModel: true,
  autoLoadDecided: false,
  pickerOpen: false,
};

export function saveModelChoices(state: ModelsState): SavedModelChoices {
  return { ...(state.lastModel ? { lastModel: state.lastModel } : {}), familyOf: state.familyOf, autoLoadLastModel: state.autoLoadLastModel };
}

/** Saved choices back as state; anything that no longer reads as one is left out. */
export function restoreModelChoices(saved: Partial<SavedModelChoices> | undefined, current: ModelsState): ModelsState {
  const last = saved?.lastModel;
  const lastModel = last && typeof last.id === "string" && isPromptFamily(last.family) ? { id: last.id, family: last.family, ...(last.compute === "cpu" ? { compute: "cpu" as const } : {}) } : undefined;
  const familyOf = Object.fromEntries(Object.entries(saved?.familyOf ?? {}).filter(([, family]) => isPromptFamily(family)));
  return { ...current, ...(lastModel ? { lastModel } : {}), familyOf, autoLoadLastModel: saved?.autoLoadLastModel !== false };
}

/** Fit ratings under which a model loads by itself at start: it fits (green), or runs, slower (yellow). */
const AUTO_LOAD_FITS: ReadonlySet<string> = new Set(["green", "yellow"]);

/** The library id a Hub download ends up under (and the catalog file key). */
export function libraryIdOf(repo: string, file: string): string {
  return `${repo}/${file}`;
}

export const createModelsSlice: SliceCreator<ModelsSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<ModelsState> | ((current: ModelsState) => Partial<ModelsState>)) => patchSlice(set, "models", changes);
  const withoutKey = <T>(record: Record<string, T>, key: string): Record<string, T> => {
    const { [key]: _dropped, ...rest } = record;
    return rest;
  };
  /** For requests whose failure has no row of its own to show on. */
  const reportActionError = (error: ResultError) => patch({ actionError: error });

  return {
    models: initialModelsState,

    async refreshEngine() {
      const status = await bridge.invoke("engine:status", {});
      if (status.ok) get().engineStatusChanged(status.value);
    },
    async refreshLibrary() {
      const listed = await bridge.invoke("models:list", {});
      patch(listed.ok ? { library: listed.value, libraryError: undefined } : { libraryError: listed.error });
    },
    async refreshCatalog() {
      const report = await bridge.invoke("models:catalog", {});
      patch(report.ok ? { catalog: report.value, catalogError: undefined } : { catalogError: report.error });
    },
    async refreshHardware() {
      const hardware = await bridge.invoke("models:hardware", {});
      if (hardware.ok) patch({ hardware: hardware.value });
    },
    async refreshToken() {
      const token = await bridge.invoke("hf:token-status", {});
      patch(token.ok ? { token: token.value, tokenError: undefined } : { tokenError: token.error });
    },

    async downloadModel(repo, file) {
      const id = libraryIdOf(repo, file);
      patch((state) => ({ downloadFailures: withoutKey(state.downloadFailures, id) }));
      const started = await bridge.invoke("models:download", { repo, file });
      if (!started.ok) {
        patch((state) => ({ downloadFailures: { ...state.downloadFailures, [id]: { repo, file, error: started.error } } }));
        return;
      }
      // Show the row as queued at once; the first job:progress event replaces it.
      const jobId = started.value.jobId;
      get().jobStarted({ jobId, kind: "download", state: "queued", repo, file, phase: "downloading", bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0, etaSeconds: null });
    },

    async loadModel(id, family, compute) {
      patch({ actionError: undefined, pickerOpen: false, autoLoadDecided: true });
      const started = await bridge.invoke("models:load", { id, ...(family && { family }), ...(compute && { compute }) });
      if (!started.ok) return reportActionError(started.error);
      // Remembered once it is asked for: a load that fails still says which model the user wants next time.
      if (family) patch((state) => ({ lastModel: { id, family, ...(compute === "cpu" ? { compute } : {}) }, familyOf: { ...state.familyOf, [id]: family } }));
    },
    async cancelLoad() {
      const jobId = get().models.engine.state === "loading" ? get().models.engine.jobId : modelsSelectors.loadJob(get())?.jobId;
      if (jobId) await get().cancelJob(jobId);
    },
    setAutoLoadLastModel: (autoLoadLastModel) => patch({ autoLoadLastModel }),
    async autoLoadLastModelIfWanted() {
      const { models } = get();
      if (models.autoLoadDecided || !models.library || !models.catalog) return;
      patch({ autoLoadDecided: true });
      const last = models.lastModel;
      if (!models.autoLoadLastModel || !last || models.engine.state !== "idle" || modelsSelectors.loadJob(get())) return;
      const installed = models.library.models.find((model) => model.id === last.id && !model.problem);
      if (!installed) return;
      const fit = modelsSelectors.fitOf(last.id)(get());
      if (!fit || !AUTO_LOAD_FITS.has(fit.rating)) {
        get().notify({ kind: "info", message: `${installed.fileName} was not loaded at start: ${fit ? fit.reason : "whether it fits in memory is unknown"}.`, hint: "Pick it in the model picker to load it anyway." });
        return;
      }
      await get().loadModel(last.id, last.family, last.compute);
    },
    setModelPickerOpen: (pickerOpen) => patch({ pickerOpen }),
    async importDroppedModel(file) {
      patch({ importError: undefined });
      const granted = await grantDroppedFile(bridge, file, "model", (sent, total) => patch({ importUpload: { name: file.name, sent, total } }));
      patch({ importUpload: undefined });
      if (!granted.ok) return patch({ importError: granted.error });
      await get().importModel(granted.value.path);
    },
    async unloadModel() {
      const status = await bridge.invoke("models:unload", {});
      if (status.ok) get().engineStatusChanged(status.value);
      else reportActionError(status.error);
    },
    async removeModel(id) {
      const removed = await bridge.invoke("models:remove", { id });
      if (!removed.ok) reportActionError(removed.error);
      await get().refreshLibrary();
    },

    async importModel(path) {
      patch({ importing: true, importError: undefined });
      const imported = await bridge.invoke("models:import", { path });
      if (!imported.ok) {
        patch({ importing: false, importError: imported.error });
        return false;
      }
      patch({ importing: false, importPath: "", importConfirming: false });
      const { model, alreadyInstalled } = imported.value;
      get().notify({ kind: "info", message: alreadyInstalled ? `${model.fileName} is already in the library.` : `Imported ${model.fileName}.` });
      await get().refreshLibrary();
      return true;
    },

    setModelImportPath: (importPath) => patch({ importPath, importError: undefined, importConfirming: false }),

    async chooseModelFile() {
      patch({ importError: undefined });
      const chosen = await chooseWithDialog(bridge, "model");
      if (!chosen.ok) return patch({ importError: chosen.error });
      if (chosen.value) await get().importModel(chosen.value.path);
    },

    requestModelImport() {
      if (get().models.importPath.trim() !== "") patch({ importConfirming: true, importError: undefined });
    },

    async confirmModelImport() {
      const path = get().models.importPath.trim();
      if (path === "") return false;
      patch({ importing: true, importError: undefined });
      const allowed = await allowTypedPath(bridge, path, "model");
      if (!allowed.ok) {
        patch({ importing: false, importConfirming: false, importError: allowed.error });
        return false;
      }
      return get().importModel(path);
    },

    cancelModelImport: () => patch({ importConfirming: false }),

    offerModelFile(path) {
      get().setModelImportPath(path);
      get().navigate("models");
      const fileName = path.split(/[\\/]/).at(-1) ?? path;
      // Importing copies the file (gigabytes): the user confirms with Import rather than it starting on a double-click.
      get().notify({ kind: "info", message: `Opened ${fileName}: press Import to copy it into the library, then load it.` });
    },

    async setHfToken(token) {
      const status = await bridge.invoke("hf:token-set", { token });
      patch(status.ok ? { token: status.value, tokenError: undefined } : { tokenError: status.error });
      return status.ok;
    },
    async clearHfToken() {
      const status = await bridge.invoke("hf:token-clear", {});
      patch(status.ok ? { token: status.value, tokenError: undefined } : { tokenError: status.error });
    },

    engineStatusChanged(status) {
      const previous = get().models.engine;
      patch({ engine: status });
      // A freshly loaded model classifies with its own family's policy: show that draft in the editor.
      const loadedFamily = status.state === "ready" ? status.model?.family : undefined;
      const newlyReady = loadedFamily && (previous.state !== "ready" || previous.model?.path !== status.model?.path);
      if (newlyReady) get().selectFamily(loadedFamily);
      // A custom guard's prompt (the policy screen's inspector) is built from the definition it loaded with.
      const loadedId = status.state === "ready" ? status.model?.id : undefined;
      if (loadedFamily === CUSTOM_GUARD_ID && loadedId !== undefined && (newlyReady || previous.model?.customGuardName !== status.model?.customGuardName)) void get().openCustomGuard(loadedId);
      // A model already loaded when the page opens (another window, a run) is not replaced by the start-up load.
      if (status.state !== "idle") patch({ autoLoadDecided: true });
    },
    showModelsActionError: reportActionError,
    downloadJobFinished(done, job) {
      if (done.result.ok) {
        get().notify({ kind: "info", message: `Downloaded ${done.result.value.fileName}.` });
        void get().refreshLibrary();
        void get().refreshCatalog();
        return;
      }
      if (done.result.error.code === "cancelled" || !job) return;
      const { repo, file } = job;
      const error = done.result.error;
      patch((state) => ({ downloadFailures: { ...state.downloadFailures, [libraryIdOf(repo, file)]: { repo, file, error } } }));
    },
    loadJobFinished(done) {
      if (done.result.ok) get().engineStatusChanged(done.result.value);
      else if (done.result.error.code !== "cancelled") reportActionError(done.result.error);
    },
  };
};
