/** Datasets: preview, import, list, export, the bundled demos (handlers: electron/host/handlers/datasets.ts). */
import { z } from "zod";
import { columnMappingSchema, DATASET_FORMATS, type ColumnDetection, type ColumnMapping, type DatasetFormat } from "../../datasets/index.ts";
import { thresholdSchema } from "../../classify/result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { datasetIdSchema, filePathSchema, noFields, runIdSchema } from "./fields.ts";
import type { JobStarted } from "./jobs.ts";
import type { RunSummary } from "./runs.ts";

const datasetFormatSchema = z.enum(DATASET_FORMATS, { error: `format must be one of ${DATASET_FORMATS.join(", ")}` });

/** A row an import skipped, and why (kept with the dataset, and read back from SQLite with this schema). */
export const datasetBadRowSchema = z.object({
  /** JSON Lines: the line; CSV: the data record (header not counted); JSON: the array position */
  row: z.number(),
  /** the line the row starts on */
  line: z.number(),
  reason: z.string(),
});

export type DatasetBadRow = z.output<typeof datasetBadRowSchema>;

/** Labels as they stand now: a reviewed label wins over the imported one. */
export interface DatasetLabelCounts {
  safe: number;
  unsafe: number;
  unlabeled: number;
  /** items with a label from review (the others keep the label they were imported with) */
  reviewed: number;
}

export interface DatasetSummary {
  id: number;
  name: string;
  /** the file it was imported from */
  sourcePath: string;
  format: DatasetFormat;
  /** the column mapping; absent for the common record format */
  mapping?: ColumnMapping;
  importedAt: string;
  items: number;
  /** rows the import skipped (see datasets:get for the list) */
  badRows: number;
  labels: DatasetLabelCounts;
}

export interface DatasetDetail extends DatasetSummary {
  /** the skipped rows, first 1000 */
  badRowList: DatasetBadRow[];
  /** newest first */
  runs: RunSummary[];
}

/** An import that stopped before it finished and could not clean up after itself (killed, disk full): shown until dismissed. */
export interface FailedImportInfo {
  /** the id its dataset would have had (what `datasets:dismiss-failed-import` takes) */
  datasetId: number;
  name: string;
  sourcePath: string;
  startedAt: string;
  /** when it was found dead */
  failedAt: string;
  /** what happened and what to do, in one or two sentences */
  reason: string;
}

export interface DemoDatasetInfo {
  name: string;
  description: string;
  /** SPDX identifier */
  licence: string;
  licenceUrl: string;
  /** the credit the licence requires wherever the data is shown */
  attribution?: string;
  rows: number;
  safe: number;
  unsafe: number;
}

export interface DatasetPreviewInfo {
  format: DatasetFormat;
  /** CSV: the header; JSON formats: the keys of the previewed objects */
  columns: string[];
  /** the first rows as parsed (CSV rows as column → text objects) */
  rows: unknown[];
  /** each previewed row's number as the import counts it (bad rows in between are skipped) */
  rowNumbers?: number[];
  badRows: DatasetBadRow[];
  /** the suggested mapping and, per field, the columns that look like it */
  detection: ColumnDetection;
  /** true when the file has more rows than were previewed */
  partial: boolean;
}

export interface DatasetImportReport {
  dataset: DatasetSummary;
  /** the first 1000 skipped rows */
  badRows: DatasetBadRow[];
  badRowCount: number;
  /** with `reuseIdenticalImport`: an earlier import of the same bytes, read the same way, was reused (nothing imported) */
  reused?: true;
}

/** What `datasets:delete` removed. */
export interface DatasetDeletion {
  datasetId: number;
  name: string;
  items: number;
  /** items whose label in effect came from review (imported labels go with the items) */
  reviewedLabels: number;
  /** the dataset's runs, deleted with it */
  runIds: number[];
  /** the results of those runs */
  results: number;
}

export interface DatasetExportReport {
  path: string;
  rows: number;
  bytesWritten: number;
}

export const datasetChannels = {
  /**
   * The import wizard's first step: the file's format, columns and first rows as parsed, with a suggested column mapping.
   * `path`: a file the user chose (files:pick, files:allow or an upload).
   */
  "datasets:preview": {
    request: z.strictObject({ path: filePathSchema, format: datasetFormatSchema.optional(), rows: z.number().int().min(1).max(200).optional() }),
    answer: answer<DatasetPreviewInfo>(),
  },
  /**
   * Starts an import job: answers `{ jobId }`; `job:done` carries the stored dataset and the bad rows (row, line, reason).
   * `mapping` is needed for CSV and for JSON rows not in the common record format. `onBadRows`: "skip" (default) imports
   * the good rows and lists the bad ones; "stop" fails at the first bad row and stores nothing.
   */
  "datasets:import": {
    request: z.strictObject({
      path: filePathSchema,
      name: z.string().trim().min(1, "the dataset name is empty").max(200).optional(),
      format: datasetFormatSchema.optional(),
      mapping: columnMappingSchema.optional(),
      onBadRows: z.enum(["skip", "stop"], { error: "onBadRows must be skip or stop" }).optional(),
      /**
       * Reuse the newest complete import of the same bytes read with the same format and mapping instead of importing
       * again (`guardbench run`: running a command again continues its run on the same dataset).
       */
      reuseIdenticalImport: z.boolean().optional(),
    }),
    answer: answer<JobStarted>(),
  },
  /**
   * imported datasets with their label counts, newest first, the bundled demo datasets, and the imports that failed
   * without cleaning up (killed, disk full) — found and cleaned when the store opens — until dismissed
   */
  "datasets:list": { request: noFields, answer: answer<{ datasets: DatasetSummary[]; demos: DemoDatasetInfo[]; failedImports: FailedImportInfo[] }>() },
  /** forgets a failed import listed by datasets:list */
  "datasets:dismiss-failed-import": { request: z.strictObject({ datasetId: datasetIdSchema }), answer: answer<{ dismissed: boolean }>() },
  /**
   * Deletes a dataset for good with everything that belongs to it: its items, their labels (every label event), its
   * runs and their results, in one transaction. Refused (`run-in-progress`) while one of its runs is being scored.
   */
  "datasets:delete": { request: z.strictObject({ datasetId: datasetIdSchema }), answer: answer<DatasetDeletion>() },
  /** one dataset: counts, the bad rows its import skipped, and its runs */
  "datasets:get": { request: z.strictObject({ datasetId: datasetIdSchema }), answer: answer<DatasetDetail>() },
  /** imports a bundled demo dataset (a job, like datasets:import); one already imported is imported again as a new dataset */
  "datasets:demo": { request: z.strictObject({ name: z.string().min(1).max(100) }), answer: answer<JobStarted>() },
  /**
   * Writes every item's current label (reviewed or imported) and, with `runId`, that run's result, to `path` as JSON
   * Lines or CSV. Written to a temporary file and renamed, so the file is either complete or absent. `path`: chosen for
   * export (files:pick or files:allow with purpose `export`).
   */
  "datasets:export": {
    request: z.strictObject({
      datasetId: datasetIdSchema,
      runId: runIdSchema.optional(),
      /** with a run: the threshold its `flagged` column is computed at (default: the run's) */
      threshold: thresholdSchema.optional(),
      path: filePathSchema,
      format: z.enum(["jsonl", "csv"], { error: "format must be jsonl or csv" }),
      /** CSV: prefix cells starting with = + - @ with an apostrophe so spreadsheets do not run them as formulas */
      spreadsheetSafe: z.boolean().optional(),
    }),
    answer: answer<DatasetExportReport>(),
  },
} as const satisfies ChannelTable;
