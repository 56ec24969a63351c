/**
 * The first rows of a dataset file as parsed, before any mapping: what the import wizard shows so the user can map
 * the columns, with detectColumns' guess pre-filled. Reads only as far as it needs.
 */
import { createRawRowReader, detectColumns, isRecord, type ColumnDetection, type DatasetFormat } from "../../shared/datasets/index.ts";
import { resolveFormat, toImportError, type BadRow } from "./import.ts";
import { readTextChunks } from "./textFile.ts";

export interface DatasetPreview {
  format: DatasetFormat;
  /** CSV: the header; JSON formats: the keys of the previewed objects, in the order first seen */
  columns: string[];
  /** the rows as parsed: CSV rows as column → text objects, JSON rows as they are */
  rows: unknown[];
  /** bad rows met among the previewed ones */
  badRows: BadRow[];
  detection: ColumnDetection;
  /** true when the preview stopped after `rows` rows without reading to the end of the file */
  partial: boolean;
}

export async function previewDataset(path: string, options: { format?: DatasetFormat; rows?: number; signal?: AbortSignal } = {}): Promise<DatasetPreview> {
  const format = resolveFormat(path, options.format);
  const wanted = options.rows ?? 20;
  const reader = createRawRowReader(format);
  const rows: unknown[] = [];
  const badRows: BadRow[] = [];
  const collect = (events: ReturnType<typeof reader.push>): void => {
    for (const event of events) {
      if (rows.length >= wanted) return;
      if (event.kind === "row") rows.push(event.value);
      else badRows.push({ row: event.row, line: event.line, reason: event.reason });
    }
  };
  let partial = false;
  try {
    for await (const chunk of readTextChunks(path, options.signal ? { signal: options.signal } : {})) {
      collect(reader.push(chunk.text));
      if (rows.length >= wanted) {
        partial = true;
        break;
      }
    }
    if (!partial) collect(reader.end());
  } catch (error) {
    throw toImportError(error);
  }
  const columns = reader.columns ? [...reader.columns] : [...new Set(rows.filter(isRecord).flatMap((row) => Object.keys(row)))];
  return { format, columns, rows, badRows, detection: detectColumns(columns), partial };
}
