/**
 * Datasets: the list (and the bundled demos), the import wizard (a chosen file → preview → column mapping → import
 * job) and export. The file comes from the desktop dialog, or in a browser from an upload or a typed path the user then
 * confirms (features/files). The main side owns the data; the import runs as a job whose progress lives in
 * `app.jobs` with the others.
 */
import { normalizeLabel, suggestLabelValues, type ColumnMapping, type LabelValues, type SafetyLabel } from "../../../../shared/datasets/index.ts";
import type { ChosenFile, DatasetExportReport, DatasetImportReport, DatasetPreviewInfo, DatasetSummary, DemoDatasetInfo, FailedImportInfo, JobDone, ResultError } from "../../../../shared/ipc/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { allowTypedPath, chooseWithDialog, uploadFile } from "../files/fileChoice.ts";

export type BadRowPolicy = "skip" | "stop";

export interface ImportWizard {
  /** the typed path (browser) */
  path: string;
  /**
   * "confirm": the typed path waits for the user's confirmation; "uploading": the chosen file is being sent;
   * "previewing": waiting for datasets:preview; "mapping": the mapping step is shown
   */
  step: "path" | "confirm" | "uploading" | "previewing" | "mapping";
  /** the file the main side may read, once chosen */
  file?: ChosenFile;
  upload?: { name: string; sent: number; total: number };
  preview?: DatasetPreviewInfo;
  mapping: Partial<ColumnMapping>;
  /** the label values as typed, one text per side (comma-separated), while the label column's own values are mapped */
  labelValueText?: Record<SafetyLabel, string>;
  onBadRows: BadRowPolicy;
  name: string;
  error?: ResultError;
}

export interface DatasetsState {
  list: DatasetSummary[];
  demos: DemoDatasetInfo[];
  /** imports that stopped halfway in an earlier session (killed, disk full), cleaned up and shown until dismissed */
  failedImports: FailedImportInfo[];
  loaded: boolean;
  listError?: ResultError;
  wizard: ImportWizard;
  /** the running import (a file or a demo) */
  importJobId?: string;
  importLabel?: string;
  /** the last finished import, with its bad rows */
  lastImport?: DatasetImportReport;
  importError?: ResultError;
  exporting: boolean;
  exportReport?: DatasetExportReport;
  exportError?: ResultError;
}

export interface DatasetsSlice {
  datasets: DatasetsState;
  refreshDatasets(): Promise<void>;
  /** deletes the dataset with its items, labels, runs and results (after the screen's confirmation) */
  deleteDataset(datasetId: number): Promise<void>;
  setImportPath(path: string): void;
  /** browser: asks the user to confirm the typed path (nothing is read before they do) */
  previewDataset(): Promise<void>;
  /** browser: the user confirmed the typed path: it is allowed, then previewed */
  confirmImportPath(): Promise<void>;
  cancelImportPath(): void;
  /** desktop: the native dialog, then the preview */
  chooseImportFile(): Promise<void>;
  /** browser: a file from the file input, uploaded, then previewed */
  uploadImportFile(file: Blob & { name: string }): Promise<void>;
  /** a file dropped on the import panel: the desktop app grants its path, the browser uploads it */
  dropImportFile(file: File): Promise<void>;
  cancelUpload(): void;
  setMappingField(field: Exclude<keyof ColumnMapping, "labelValues">, column: string | undefined): void;
  /** maps the label column's own values (a preset or the user's pair); undefined: the default reading */
  setLabelValues(values: LabelValues | undefined): void;
  /** one side's values as the user types them, comma-separated */
  setLabelValueText(side: SafetyLabel, text: string): void;
  setBadRowPolicy(policy: BadRowPolicy): void;
  setImportName(name: string): void;
  resetImport(): void;
  importDataset(): Promise<void>;
  importDemo(name: string): Promise<void>;
  cancelImport(): Promise<void>;
  dismissFailedImport(datasetId: number): Promise<void>;
  /** `path`: a file chosen for export (see chooseExportFile / allowExportPath) */
  exportDataset(request: { datasetId: number; runId?: number; path: string; format: "jsonl" | "csv" }): Promise<boolean>;
  /** desktop: the native save dialog; the chosen path, or undefined (cancelled, or refused: `exportError` says why) */
  chooseExportFile(suggestedName: string): Promise<string | undefined>;
  /** browser: the typed path the user confirmed, allowed for writing; undefined when refused (`exportError` says why) */
  allowExportPath(path: string): Promise<string | undefined>;
  datasetJobFinished(done: JobDone): void;
}

/** rows the mapping step previews, and reads through the mapping to show how they will import */
export const PREVIEW_ROWS = 10;

const emptyWizard: ImportWizard = { path: "", step: "path", mapping: {}, onBadRows: "skip", name: "" };

/** The values of the label column among the previewed rows. */
export function previewedLabelCells(preview: DatasetPreviewInfo, column: string | undefined): unknown[] {
  if (column === undefined) return [];
  return preview.rows.map((row) => (typeof row === "object" && row !== null && Object.hasOwn(row, column) ? (row as Record<string, unknown>)[column] : undefined));
}

/**
 * The label values to pre-fill for a label column: none when the default reading takes every previewed value (the
 * mapping stays as it was), else the preset that reads them all, if one does.
 */
function suggestedLabelValues(preview: DatasetPreviewInfo, mapping: Partial<ColumnMapping>): LabelValues | undefined {
  const cells = previewedLabelCells(preview, mapping.label);
  if (cells.every((cell) => normalizeLabel(cell, mapping.labelTrueMeans).ok)) return undefined;
  return suggestLabelValues(mapping.label!, cells);
}

const labelValueTextOf = (values: LabelValues): Record<SafetyLabel, string> => ({ unsafe: values.unsafe.join(", "), safe: values.safe.join(", ") });

/** Comma-separated values as typed → the list (blank entries dropped). */
const parseLabelValueText = (text: string): string[] =>
  text
    .split(",")
    .map((value) => value.trim())
    .filter(Boolean);

/** The mapping with label values (or without them), and the text the fields show. */
function withLabelValues(wizard: ImportWizard, values: LabelValues | undefined): Pick<ImportWizard, "mapping" | "labelValueText"> {
  const { labelValues: _old, ...rest } = wizard.mapping;
  return values ? { mapping: { ...rest, labelValues: values }, labelValueText: labelValueTextOf(values) } : { mapping: rest, labelValueText: undefined };
}

export const initialDatasetsState: DatasetsState = { list: [], demos: [], failedImports: [], loaded: false, wizard: emptyWizard, exporting: false };

/** The file name without folders and extension: the default dataset name. */
export function nameFromPath(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  return file.replace(/\.[^.]+$/, "") || file;
}

export const createDatasetsSlice: SliceCreator<DatasetsSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<DatasetsState> | ((current: DatasetsState) => Partial<DatasetsState>)) => patchSlice(set, "datasets", changes);
  const patchWizard = (changes: Partial<ImportWizard>) => patch((state) => ({ wizard: { ...state.wizard, ...changes } }));
  let uploading: AbortController | undefined;

  async function previewChosen(file: ChosenFile) {
    patchWizard({ step: "previewing", file, upload: undefined, error: undefined, preview: undefined });
    const preview = await bridge.invoke("datasets:preview", { path: file.path, rows: PREVIEW_ROWS });
    if (!preview.ok) {
      patchWizard({ step: "path", error: preview.error });
      return;
    }
    const mapping: Partial<ColumnMapping> = { ...preview.value.detection.mapping };
    const wizard = { ...get().datasets.wizard, mapping };
    patchWizard({ step: "mapping", preview: preview.value, ...withLabelValues(wizard, suggestedLabelValues(preview.value, mapping)), name: nameFromPath(file.name) });
  }

  function exportRefused(error: ResultError): undefined {
    patch({ exportError: error, exportReport: undefined });
    return undefined;
  }

  async function startJob(label: string, started: Awaited<ReturnType<typeof bridge.invoke<"datasets:import">>>) {
    if (!started.ok) {
      patch({ importError: started.error, importJobId: undefined });
      return;
    }
    patch({ importJobId: started.value.jobId, importLabel: label });
  }

  return {
    datasets: initialDatasetsState,

    async deleteDataset(datasetId) {
      const deleted = await bridge.invoke("datasets:delete", { datasetId });
      if (!deleted.ok) return void get().notify({ kind: "error", message: deleted.error.message, hint: deleted.error.hint });
      const { name, items, runIds } = deleted.value;
      get().notify({ kind: "info", message: `Deleted ${name}: ${items} items${runIds.length > 0 ? ` and ${runIds.length === 1 ? "run" : "runs"} ${runIds.join(", ")}` : ""}.` });
      await Promise.all([get().refreshDatasets(), get().refreshRuns()]);
    },

    async refreshDatasets() {
      const listed = await bridge.invoke("datasets:list", {});
      patch(
        listed.ok
          ? { list: listed.value.datasets, demos: listed.value.demos, failedImports: listed.value.failedImports, loaded: true, listError: undefined }
          : { loaded: true, listError: listed.error },
      );
    },

    setImportPath: (path) => patchWizard({ path, ...(get().datasets.wizard.step === "confirm" ? { step: "path" } : {}) }),

    async previewDataset() {
      if (get().datasets.wizard.path.trim() === "") return;
      patchWizard({ step: "confirm", error: undefined });
    },

    async confirmImportPath() {
      const path = get().datasets.wizard.path.trim();
      if (path === "" || get().datasets.wizard.step !== "confirm") return;
      patchWizard({ step: "previewing", file: undefined, error: undefined, preview: undefined });
      const allowed = await allowTypedPath(bridge, path, "dataset");
      if (!allowed.ok) {
        patchWizard({ step: "path", error: allowed.error });
        return;
      }
      await previewChosen(allowed.value);
    },

    cancelImportPath: () => patchWizard({ step: "path" }),

    async chooseImportFile() {
      const chosen = await chooseWithDialog(bridge, "dataset");
      if (!chosen.ok) return patchWizard({ step: "path", error: chosen.error });
      if (chosen.value) await previewChosen(chosen.value);
    },

    async uploadImportFile(file) {
      uploading?.abort();
      const controller = new AbortController();
      uploading = controller;
      patchWizard({ step: "uploading", path: "", file: undefined, error: undefined, preview: undefined, upload: { name: file.name, sent: 0, total: file.size } });
      const uploaded = await uploadFile(bridge, file, "dataset", {
        signal: controller.signal,
        onProgress: (sent, total) => patchWizard({ upload: { name: file.name, sent, total } }),
      });
      if (uploading === controller) uploading = undefined;
      if (controller.signal.aborted) return;
      if (!uploaded.ok) return patchWizard({ step: "path", upload: undefined, error: uploaded.error });
      await previewChosen(uploaded.value);
    },

    async dropImportFile(file) {
      if (!bridge.grantDroppedFile) return get().uploadImportFile(file);
      patchWizard({ step: "previewing", file: undefined, error: undefined, preview: undefined });
      const granted = await bridge.grantDroppedFile(file, "dataset");
      if (!granted.ok) return patchWizard({ step: "path", error: granted.error });
      await previewChosen(granted.value);
    },

    cancelUpload() {
      uploading?.abort();
      uploading = undefined;
      patchWizard({ step: "path", upload: undefined });
    },

    setMappingField(field, column) {
      patch((state) => {
        const mapping = { ...state.wizard.mapping } as Record<string, unknown>;
        if (column === undefined || column === "") delete mapping[field];
        else mapping[field] = column;
        const wizard = { ...state.wizard, mapping: mapping as Partial<ColumnMapping> };
        // Another label column has other values: suggest again (or drop them along with the column).
        if (field !== "label") return { wizard };
        const suggested = wizard.preview && wizard.mapping.label !== undefined ? suggestedLabelValues(wizard.preview, wizard.mapping) : undefined;
        return { wizard: { ...wizard, ...withLabelValues(wizard, suggested) } };
      });
    },
    setLabelValues: (values) => patch((state) => ({ wizard: { ...state.wizard, ...withLabelValues(state.wizard, values) } })),
    setLabelValueText(side, text) {
      patch((state) => {
        const typed = { ...(state.wizard.labelValueText ?? { unsafe: "", safe: "" }), [side]: text };
        const labelValues: LabelValues = { unsafe: parseLabelValueText(typed.unsafe), safe: parseLabelValueText(typed.safe) };
        return { wizard: { ...state.wizard, mapping: { ...state.wizard.mapping, labelValues }, labelValueText: typed } };
      });
    },
    setBadRowPolicy: (onBadRows) => patchWizard({ onBadRows }),
    setImportName: (name) => patchWizard({ name }),
    resetImport() {
      uploading?.abort();
      uploading = undefined;
      patch({ wizard: emptyWizard, importError: undefined, lastImport: undefined });
    },

    async importDataset() {
      const { wizard } = get().datasets;
      if (!wizard.preview) return;
      const needsMapping = !wizard.preview.detection.isRecordFormat;
      const mapping = wizard.mapping;
      if (needsMapping && !mapping.prompt) {
        patchWizard({ error: { code: "mapping", message: "Choose the column that holds the prompt." } });
        return;
      }
      patch({ importError: undefined, lastImport: undefined });
      if (!wizard.file) return;
      const started = await bridge.invoke("datasets:import", {
        path: wizard.file.path,
        format: wizard.preview.format,
        onBadRows: wizard.onBadRows,
        ...(wizard.name.trim() !== "" && { name: wizard.name.trim() }),
        ...(needsMapping && mapping.prompt && { mapping: { ...mapping, prompt: mapping.prompt } }),
      });
      await startJob(wizard.name || wizard.file.name, started);
    },

    async importDemo(name) {
      patch({ importError: undefined, lastImport: undefined });
      await startJob(name, await bridge.invoke("datasets:demo", { name }));
    },

    async cancelImport() {
      const jobId = get().datasets.importJobId;
      if (jobId) await get().cancelJob(jobId);
    },

    async dismissFailedImport(datasetId) {
      const dismissed = await bridge.invoke("datasets:dismiss-failed-import", { datasetId });
      if (dismissed.ok) await get().refreshDatasets();
      else patch({ listError: dismissed.error });
    },

    async chooseExportFile(suggestedName) {
      patch({ exportError: undefined });
      const chosen = await chooseWithDialog(bridge, "export", suggestedName);
      if (!chosen.ok) return exportRefused(chosen.error);
      return chosen.value?.path;
    },

    async allowExportPath(path) {
      patch({ exportError: undefined });
      const allowed = await allowTypedPath(bridge, path, "export");
      return allowed.ok ? allowed.value.path : exportRefused(allowed.error);
    },

    async exportDataset(request) {
      patch({ exporting: true, exportError: undefined, exportReport: undefined });
      const written = await bridge.invoke("datasets:export", request);
      patch(written.ok ? { exporting: false, exportReport: written.value } : { exporting: false, exportError: written.error });
      return written.ok;
    },

    datasetJobFinished(done) {
      if (done.kind !== "import") return;
      if (done.jobId !== get().datasets.importJobId) {
        void get().refreshDatasets();
        return;
      }
      if (done.result.ok) {
        patch({ importJobId: undefined, lastImport: done.result.value, wizard: emptyWizard });
        get().notify({ kind: "info", message: `Imported ${done.result.value.dataset.name}: ${done.result.value.dataset.items} items.` });
      } else {
        patch({ importJobId: undefined, importError: done.result.error.code === "cancelled" ? undefined : done.result.error });
      }
      void get().refreshDatasets();
    },
  };
};
