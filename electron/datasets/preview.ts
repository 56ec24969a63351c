/**
 * The first rows of a dataset file as parsed, before any mapping: what the import wizard shows so the user can map
 * the columns, with detectColumns' guess pre-filled. Reads only as far as it needs.
 */
import { createRawRowReader, detectColumns, isRecord, type DatasetFormat } from "../../shared/datasets/index.ts";
import type { DatasetBadRow, DatasetPreviewInfo } from "../../shared/ipc/contract.ts";
import { resolveFormat, toImportError } from "./import.ts";
import { readTextChunks } from "./textFile.ts";

/** `columns`: JSON formats list the keys in the order first seen; `badRows`: those met among the previewed rows. */
export async function previewDataset(path: string, options: { format?: DatasetFormat; rows?: number; signal?: AbortSignal } = {}): Promise<DatasetPreviewInfo> {
  const format = resolveFormat(path, options.format);
  const wanted = options.rows ?? 20;
  const reader = createRawRowReader(format);
  const rows: unknown[] = [];
  const rowNumbers: number[] = [];
  const badRows: DatasetBadRow[] = [];
  const collect = (events: ReturnType<typeof reader.push>): void => {
    for (const event of events) {
      if (rows.length >= wanted) return;
      if (event.kind === "row") {
        rows.push(event.value);
        rowNumbers.push(event.row);
      }
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
  return { format, columns, rows, rowNumbers, badRows, detection: detectColumns(columns), partial };
}
