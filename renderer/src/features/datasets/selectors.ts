import { distinctLabelValues, labelValuesSchema, mappingProblems, rowToItem, type ColumnMapping, type SafetyLabel } from "../../../../shared/datasets/index.ts";
import type { ImportJobProgress } from "../../../../shared/ipc/index.ts";
import { memoSelector } from "../../store/memo.ts";
import { previewedLabelCells } from "./slice.ts";
import type { AppState } from "../../store/types.ts";

const wizard = (s: AppState) => s.datasets.wizard;

/** One previewed row as the import will read it with the chosen mapping. */
export interface PreviewReading {
  /** the row's number as the import counts it */
  row: number;
  prompt?: string;
  label?: SafetyLabel;
  categories?: string[];
  /** why the import would skip the row */
  problem?: string;
}

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
    const job = id ? s.app.jobs[id] : undefined;
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
    const labelValues = w.mapping.label !== undefined && w.mapping.labelValues ? labelValuesSchema.safeParse(w.mapping.labelValues) : undefined;
    const labelValueProblems = labelValues && !labelValues.success ? [`label values: ${labelValues.error.issues[0]!.message}`] : [];
    return [...problems, ...mappingProblems({ ...w.mapping, prompt: w.mapping.prompt ?? "" } as ColumnMapping, w.preview.columns).filter((p) => !p.startsWith('the prompt column ""')), ...labelValueProblems];
  }),
  /** the previewed rows read through the mapping (nothing until the prompt column is chosen) */
  previewReadings: memoSelector([wizard], (w): PreviewReading[] => {
    if (!w.preview) return [];
    const recordFormat = w.preview.detection.isRecordFormat;
    if (!recordFormat && !w.mapping.prompt) return [];
    const mapping = recordFormat ? undefined : ({ ...w.mapping, prompt: w.mapping.prompt! } as ColumnMapping);
    return w.preview.rows.map((value, index) => {
      const row = w.preview!.rowNumbers?.[index] ?? index + 1;
      const read = rowToItem(value, row, mapping);
      if (!read.ok) return { row, problem: read.problem.reason };
      const { item } = read;
      return { row, prompt: item.turns[0]?.content ?? "", ...(item.label && { label: item.label }), categories: item.mlcommons ?? item.categories };
    });
  }),
  /** the label column's values among the previewed rows, most frequent first */
  previewLabelValues: memoSelector([wizard], (w) => {
    return w.preview ? distinctLabelValues(previewedLabelCells(w.preview, w.mapping.label)) : [];
  }),
};
