/**
 * Items as flat rows for files: `datasets:export` and `guardbench run` write the same fields, so a file from either
 * reads back into `guardbench eval --results` (id, label, score) and into a spreadsheet alike.
 */
import type { DatasetExportReport, ItemOutcome, RunSummary } from "../../shared/ipc/contract.ts";
import { exportResults, type ExportFormat } from "../datasets/export.ts";
import type { GuardbenchStore, ResultLine } from "../store/index.ts";
import { joinedItems, outcomeOf, type JoinedItem } from "../runs/runItems.ts";

/** A run's outcome for one item: score = P(unsafe), flagged at the threshold, the verdict and the codes it named; or the error. */
export function resultFields(result: ResultLine | undefined, threshold: number): Record<string, unknown> {
  return outcomeFields(result && outcomeOf(result, threshold));
}

/** The same fields from an outcome already flagged at its threshold (`runs:item`, `runs:results`). */
export function outcomeFields(outcome: ItemOutcome | undefined): Record<string, unknown> {
  if (!outcome) return {};
  if (!outcome.ok) return { error: outcome.error };
  return { score: outcome.score, flagged: outcome.flagged, verdict: outcome.verdict, categories: outcome.categories };
}

/** The fields every line starts with: the item's id and its label in effect. */
export function labelFields(item: JoinedItem): Record<string, unknown> {
  return { id: item.itemId, ...(item.label ? { label: item.label.label } : {}) };
}

const LABEL_COLUMNS = ["id", "label", "labelSource", "labelCategories", "note", "labeledBy", "labeledAt"] as const;
const RESULT_COLUMNS = ["score", "flagged", "verdict", "categories", "error"] as const;

function* rowsOf(items: JoinedItem[], run: RunSummary | undefined, threshold: number | undefined): Generator<Record<string, unknown>> {
  for (const item of items) {
    const label = item.label;
    yield {
      ...labelFields(item),
      ...(label ? { labelSource: label.source, labelCategories: label.categories } : {}),
      ...(label?.note ? { note: label.note } : {}),
      ...(label?.who ? { labeledBy: label.who } : {}),
      ...(label?.at ? { labeledAt: label.at } : {}),
      ...(run ? resultFields(item.result, threshold ?? run.settings.threshold) : {}),
    };
  }
}

export async function exportDataset(
  store: GuardbenchStore,
  request: { datasetId: number; runId?: number; threshold?: number; path: string; format: ExportFormat; spreadsheetSafe?: boolean },
): Promise<DatasetExportReport> {
  const run = request.runId !== undefined ? store.runs.get(request.runId) : undefined;
  const items = joinedItems(store, request.datasetId, run);
  const columns = [...LABEL_COLUMNS, ...(run ? RESULT_COLUMNS : [])];
  return exportResults(rowsOf(items, run, request.threshold), request.format, request.path, { columns, spreadsheetSafe: request.spreadsheetSafe ?? false });
}
