import { mappingProblems, type ColumnMapping } from "../../../../shared/datasets/index.ts";
import type { ImportJobProgress } from "../../../../shared/ipc/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";

const wizard = (s: AppState) => s.datasets.wizard;

export const datasetsSelectors = {
  list: (s: AppState) => s.datasets.list,
  demos: (s: AppState) => s.datasets.demos,
  failedImports: (s: AppState) => s.datasets.failedImports,
  loaded: (s: AppState) => s.datasets.loaded,
  listError: (s: AppState) => s.datasets.listError,
  wizard,
  importJobId: (s: AppState) => s.datasets.importJobId,
  importLabel: (s: AppState) => s.datasets.importLabel,
  importProgress: (s: AppState): ImportJobProgress | undefined => {
    const id = s.datasets.importJobId;
    const job = id ? s.models.jobs[id] : undefined;
    return job?.kind === "import" ? job : undefined;
  },
  lastImport: (s: AppState) => s.datasets.lastImport,
  importError: (s: AppState) => s.datasets.importError,
  exporting: (s: AppState) => s.datasets.exporting,
  exportReport: (s: AppState) => s.datasets.exportReport,
  exportError: (s: AppState) => s.datasets.exportError,
  /** what is wrong with the chosen mapping, as sentences (empty when it can be imported) */
  mappingProblems: memoSelector([wizard], (w): string[] => {
    if (!w.preview || w.preview.detection.isRecordFormat) return [];
    const problems = w.mapping.prompt ? [] : ["choose the column that holds the prompt"];
    return [...problems, ...mappingProblems({ ...w.mapping, prompt: w.mapping.prompt ?? "" } as ColumnMapping, w.preview.columns).filter((p) => !p.startsWith('the prompt column ""'))];
  }),
};
