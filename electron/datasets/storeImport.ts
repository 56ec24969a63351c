/**
 * A dataset file streamed into the store (import.ts reads and maps it; this writes it): items in batches of
 * one transaction each, the dataset made visible only once the whole file is in. A cancelled or failed import removes
 * what it wrote, so the store never holds half a dataset under a name (and when even that fails, the store finishes the
 * cleanup at its next start: see electron/store/datasets.ts).
 */
import { basename, extname } from "node:path";
import type { ColumnMapping, DatasetFormat, DatasetItem } from "../../shared/datasets/index.ts";
import type { DatasetImportReport } from "../../shared/ipc/contract.ts";
import { DatasetImportError, importDataset, resolveFormat, type ImportProgress, type ImportSummary } from "./import.ts";
import { StoreError, type GuardbenchStore } from "../store/index.ts";
import { sha256OfFile } from "../core/fileHash.ts";

export interface StoreImportRequest {
  path: string;
  /** default: the file name without its extension */
  name?: string;
  format?: DatasetFormat;
  mapping?: ColumnMapping;
  /** "skip" (default): import the good rows and list the bad ones; "stop": fail at the first bad row, storing nothing */
  onBadRows?: "skip" | "stop";
  /** reuse the newest complete import of the same bytes read with the same format and mapping (`guardbench run`) */
  reuseIdenticalImport?: boolean;
}

export interface StoreImportOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

/** Items written per transaction: large enough that commits do not dominate, small enough to keep memory flat. */
const BATCH_ITEMS = 500;

export async function importIntoStore(store: GuardbenchStore, request: StoreImportRequest, options: StoreImportOptions = {}): Promise<Omit<DatasetImportReport, "reused"> & { reused: boolean }> {
  const format = resolveFormat(request.path, request.format);
  const { sha256 } = await sha256OfFile(request.path, options.signal ? { signal: options.signal } : {});
  if (request.reuseIdenticalImport) {
    const existing = store.datasets.findImport(sha256, format, request.mapping);
    if (existing !== undefined) {
      const dataset = store.datasets.summary(existing);
      return { dataset, badRows: store.datasets.badRows(existing), badRowCount: dataset.badRows, reused: true };
    }
  }

  const datasetId = store.datasets.beginImport({
    name: request.name ?? basename(request.path, extname(request.path)),
    sourcePath: request.path,
    sourceSha256: sha256,
    format,
    ...(request.mapping ? { mapping: request.mapping } : {}),
  });
  try {
    const dataset = importDataset(request.path, {
      format,
      ...(request.mapping ? { mapping: request.mapping } : {}),
      onBadRow: request.onBadRows === "stop" ? "stop" : "collect",
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    let batch: DatasetItem[] = [];
    let written = 0;
    const flush = () => {
      store.datasets.addItems(datasetId, batch, written);
      written += batch.length;
      batch = [];
    };
    for await (const item of dataset) {
      batch.push(item);
      if (batch.length >= BATCH_ITEMS) flush();
    }
    flush();
    if (written === 0) throw nothingToImport(dataset.summary);
    const { badRows, badRowCount } = dataset.summary;
    store.datasets.finishImport(datasetId, { badRows, badRowCount });
    return { dataset: store.datasets.summary(datasetId), badRows, badRowCount, reused: false };
  } catch (error) {
    try {
      store.datasets.discardImport(datasetId);
    } catch {
      // The disk is still full (or the database is gone): the next start, or the next import, removes what was written
      // and lists the import as failed. The error worth showing is the first one, which says why.
      throw withCleanupNote(error);
    }
    throw error;
  }
}

/** The import's own error, saying that its half-written items are cleaned up later rather than now. */
function withCleanupNote(error: unknown): unknown {
  const note = "What this import wrote could not be removed now; it is removed, and the import listed as failed, when Guardbench next starts.";
  if (error instanceof StoreError) return new StoreError(error.code, error.message, error.hint ? `${error.hint} ${note}` : note);
  return error;
}

/** A file that gives no item makes no dataset: an empty dataset would only look like a finished import. */
function nothingToImport(summary: ImportSummary): DatasetImportError {
  const first = summary.badRows[0];
  if (!first) return new DatasetImportError("no-items", "the file has no rows to import, so no dataset was made", "Choose a file with at least one row under its header.");
  const labelProblem = summary.badRows.some((row) => /\blabel\b/.test(row.reason));
  return new DatasetImportError(
    "no-items",
    `none of the file's ${summary.badRowCount} ${summary.badRowCount === 1 ? "row" : "rows"} could be imported, so no dataset was made; the first, row ${first.row} (line ${first.line}): ${first.reason}`,
    labelProblem ? "Map the label column's values to unsafe and safe in the mapping step (label values), or choose another label column." : "Check the column mapping against the preview, or fix the rows.",
    first.line,
  );
}
