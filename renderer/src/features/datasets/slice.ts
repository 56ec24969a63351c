/**
 * Datasets: the list (and the bundled demos), the import wizard (path → preview → column mapping → import job) and
 * export. The main side owns the data; the import runs as a job whose progress lives in `models.jobs` with the others.
 */
import type { ColumnMapping } from "../../../../shared/datasets/index.ts";
import type { DatasetExportReport, DatasetImportReport, DatasetPreviewInfo, DatasetSummary, DemoDatasetInfo, FailedImportInfo, JobDone, ResultError } from "../../../../shared/ipc/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";

export type BadRowPolicy = "skip" | "stop";

export interface ImportWizard {
  path: string;
  /** "previewing": waiting for datasets:preview; "mapping": the mapping step is shown */
  step: "path" | "previewing" | "mapping";
  preview?: DatasetPreviewInfo;
  mapping: Partial<ColumnMapping>;
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
  setImportPath(path: string): void;
  previewDataset(): Promise<void>;
  setMappingField(field: keyof ColumnMapping, column: string | undefined): void;
  setBadRowPolicy(policy: BadRowPolicy): void;
  setImportName(name: string): void;
  resetImport(): void;
  importDataset(): Promise<void>;
  importDemo(name: string): Promise<void>;
  cancelImport(): Promise<void>;
  dismissFailedImport(datasetId: number): Promise<void>;
  exportDataset(request: { datasetId: number; runId?: number; path: string; format: "jsonl" | "csv" }): Promise<boolean>;
  datasetJobFinished(done: JobDone): void;
}

const emptyWizard: ImportWizard = { path: "", step: "path", mapping: {}, onBadRows: "skip", name: "" };

export const initialDatasetsState: DatasetsState = { list: [], demos: [], failedImports: [], loaded: false, wizard: emptyWizard, exporting: false };

/** The file name without folders and extension: the default dataset name. */
export function nameFromPath(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  return file.replace(/\.[^.]+$/, "") || file;
}

export const createDatasetsSlice: SliceCreator<DatasetsSlice> = (set, get, { bridge }) => {
  const patch = (changes: Partial<DatasetsState> | ((current: DatasetsState) => Partial<DatasetsState>)) => patchSlice(set, "datasets", changes);
  const patchWizard = (changes: Partial<ImportWizard>) => patch((state) => ({ wizard: { ...state.wizard, ...changes } }));

  async function startJob(label: string, started: Awaited<ReturnType<typeof bridge.invoke<"datasets:import">>>) {
    if (!started.ok) {
      patch({ importError: started.error, importJobId: undefined });
      return;
    }
    patch({ importJobId: started.value.jobId, importLabel: label });
  }

  return {
    datasets: initialDatasetsState,

    async refreshDatasets() {
      const listed = await bridge.invoke("datasets:list", {});
      patch(
        listed.ok
          ? { list: listed.value.datasets, demos: listed.value.demos, failedImports: listed.value.failedImports, loaded: true, listError: undefined }
          : { loaded: true, listError: listed.error },
      );
    },

    setImportPath: (path) => patchWizard({ path }),

    async previewDataset() {
      const path = get().datasets.wizard.path.trim();
      if (path === "") return;
      patchWizard({ step: "previewing", error: undefined, preview: undefined });
      const preview = await bridge.invoke("datasets:preview", { path, rows: 5 });
      if (!preview.ok) {
        patchWizard({ step: "path", error: preview.error });
        return;
      }
      patchWizard({ step: "mapping", preview: preview.value, mapping: { ...preview.value.detection.mapping }, name: nameFromPath(path) });
    },

    setMappingField(field, column) {
      patch((state) => {
        const mapping = { ...state.wizard.mapping } as Record<string, string | undefined>;
        if (column === undefined || column === "") delete mapping[field];
        else mapping[field] = column;
        return { wizard: { ...state.wizard, mapping: mapping as Partial<ColumnMapping> } };
      });
    },
    setBadRowPolicy: (onBadRows) => patchWizard({ onBadRows }),
    setImportName: (name) => patchWizard({ name }),
    resetImport: () => patch({ wizard: emptyWizard, importError: undefined, lastImport: undefined }),

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
      const started = await bridge.invoke("datasets:import", {
        path: wizard.path.trim(),
        format: wizard.preview.format,
        onBadRows: wizard.onBadRows,
        ...(wizard.name.trim() !== "" && { name: wizard.name.trim() }),
        ...(needsMapping && mapping.prompt && { mapping: { ...mapping, prompt: mapping.prompt } }),
      });
      await startJob(wizard.name || wizard.path, started);
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
