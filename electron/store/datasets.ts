/**
 * Imported datasets and their items. An import writes its items in batches (the importer streams the file) and becomes
 * visible only when `finishImport` commits: until then it is absent from every listing, and one that never finishes
 * (cancelled, failed, killed) is never mistaken for a complete dataset.
 *
 * An import that fails removes what it wrote. When it cannot (the process was killed, or the disk is full and even the
 * removal fails), the next start — or the next import — finds it by its owner (processIdentity.ts): an import whose
 * process is gone loses its items and is listed as failed (`failedImports`) until the user dismisses it. An import
 * still running in another process is left alone.
 */
import { z } from "zod";
import { turnSchema, type Turn } from "../../shared/conversation/types.ts";
import { columnMappingSchema, type ColumnMapping, type DatasetFormat, type DatasetItem, type SafetyLabel } from "../../shared/datasets/index.ts";
import { datasetBadRowSchema, type DatasetBadRow, type DatasetDeletion, type DatasetLabelCounts, type DatasetSummary, type EffectiveLabel, type FailedImportInfo } from "../../shared/ipc/contract.ts";
import type { SqliteDatabase } from "./database.ts";
import { StoreError } from "./errors.ts";
import { ownerState, parseProcessIdentity, THIS_PROCESS, type ProcessIdentity } from "./processIdentity.ts";
import { nextIdExpression } from "./retiredIds.ts";
import { runActivity, type RunDeletionCheck } from "./runs.ts";
import { parseStoredJson, storedTextListSchema } from "./storedJson.ts";

const storedBadRowsSchema = z.array(datasetBadRowSchema);
const storedTurnsSchema = z.array(turnSchema);

export interface NewDataset extends Pick<DatasetSummary, "name" | "sourcePath" | "format" | "mapping"> {
  sourceSha256: string;
  startedAt?: Date;
}

/** One item without its conversation: what queues, metrics and exports iterate over. */
export interface ItemLabelRow {
  /** the row id (results and label events point at it) */
  rowId: number;
  /** the item's id within its dataset */
  itemId: string;
  position: number;
  /** the label in effect: the latest review label still in effect, else the imported one */
  label?: EffectiveLabel;
}

interface DatasetRow {
  id: number;
  name: string;
  source_path: string;
  source_sha256: string;
  format: DatasetFormat;
  mapping_json: string | null;
  imported_at: string;
  item_count: number;
  bad_row_count: number;
  bad_rows_json: string;
}

interface ItemJoinRow {
  row_id: number;
  item_key: string;
  position: number;
  imported_label: SafetyLabel | null;
  categories_json: string;
  mlcommons_json: string | null;
  event_id: number | null;
  review_label: SafetyLabel | null;
  review_categories_json: string | null;
  note: string | null;
  who: string | null;
  labeled_at: string | null;
}

/** Every item of a dataset with its label in effect (current_labels is the migration's view over label_events). */
const ITEMS_WITH_LABELS = `
  SELECT i.id AS row_id, i.item_key, i.position, i.label AS imported_label, i.categories_json, i.mlcommons_json,
         c.id AS event_id, c.label AS review_label, c.categories_json AS review_categories_json, c.note, c.who, c.created_at AS labeled_at
  FROM dataset_items i LEFT JOIN current_labels c ON c.item_id = i.id`;

/**
 * An unfinished import that has written nothing for this long is taken for dead even when a process with its owner's
 * pid runs (the pid may have been reused) or its owner cannot be asked (another machine sharing the home folder).
 */
export const ABANDONED_IMPORT_AFTER_MS = 60 * 60 * 1000;

/** Imports this process is writing right now, by database file and dataset id: what "still running here" means. */
const importsRunningHere = new Set<string>();

interface UnfinishedImportRow {
  id: number;
  import_owner_json: string | null;
  started_at: string;
  progress_at: string | null;
}

export class DatasetRepository {
  constructor(
    private readonly db: SqliteDatabase,
    /** who this process is, for the imports it starts; tests pass another identity to play a later process */
    private readonly self: ProcessIdentity = THIS_PROCESS,
  ) {}

  /**
   * Starts an import; the dataset stays invisible until finishImport. Returns its id. Dead imports are recovered first
   * (see {@link recoverInterruptedImports}).
   */
  beginImport(dataset: NewDataset): number {
    const startedAt = dataset.startedAt ?? new Date();
    this.recoverInterruptedImports(startedAt);
    const info = this.db
      .prepare(`INSERT INTO datasets (id, name, source_path, source_sha256, format, mapping_json, started_at, import_owner_json) VALUES (${nextIdExpression("datasets")}, ?, ?, ?, ?, ?, ?, ?)`)
      .run(dataset.name, dataset.sourcePath, dataset.sourceSha256, dataset.format, dataset.mapping ? JSON.stringify(dataset.mapping) : null, startedAt.toISOString(), JSON.stringify(this.self));
    const id = Number(info.lastInsertRowid);
    importsRunningHere.add(this.runningKey(id));
    return id;
  }

  /**
   * Finds unfinished imports whose writer is gone — its process died (killed, or out of disk space so that it could
   * not remove its rows), or it wrote nothing for {@link ABANDONED_IMPORT_AFTER_MS} — removes their items, and marks
   * them failed so that `failedImports` shows them (a writer that comes back finds its import refused, see addItems).
   * Imports still running, in this process or in another live one, are kept. Runs when the store opens and before
   * every import.
   */
  recoverInterruptedImports(now = new Date()): void {
    const staleBefore = new Date(now.getTime() - ABANDONED_IMPORT_AFTER_MS).toISOString();
    const unfinished = this.db.prepare("SELECT id, import_owner_json, started_at, progress_at FROM datasets WHERE imported_at IS NULL AND import_failure IS NULL");
    const deadNow = () =>
      (unfinished.all() as UnfinishedImportRow[]).flatMap((row) => {
        const reason = this.deathOf(row, staleBefore);
        return reason ? [{ id: row.id, reason }] : [];
      });
    // Looked at without a write lock first: opening the store must not wait for an import another process is writing.
    if (deadNow().length === 0) return;
    const countItems = this.db.prepare("SELECT COUNT(*) AS n FROM dataset_items WHERE dataset_id = ?");
    const removeItems = this.db.prepare("DELETE FROM dataset_items WHERE dataset_id = ?");
    const markFailed = this.db.prepare("UPDATE datasets SET import_failure = ?, progress_at = ? WHERE id = ?");
    this.db
      .transaction(() => {
        // Again under the lock: another process may have recovered them, or an import may have written, meanwhile.
        for (const { id, reason } of deadNow()) {
          const { n } = countItems.get(id) as { n: number };
          removeItems.run(id);
          const written = n === 0 ? "It had written no item yet." : `The ${n} item(s) it had written were removed.`;
          markFailed.run(`${reason}. ${written} Import the file again.`, now.toISOString(), id);
        }
      })
      .immediate();
  }

  /** Why an unfinished import is dead (the start of a sentence), or undefined while it may still be running. */
  private deathOf(row: UnfinishedImportRow, staleBefore: string): string | undefined {
    const owner = parseProcessIdentity(row.import_owner_json);
    const state = owner ? ownerState(owner, this.self) : "unknown";
    // This process knows what it is writing, however long a batch takes.
    if (state === "this") return importsRunningHere.has(this.runningKey(row.id)) ? undefined : "The import stopped with an error and could not clean up";
    if (state === "dead") return "The import did not finish: the process importing it ended (it was closed or killed, or the disk was full)";
    if ((row.progress_at ?? row.started_at) < staleBefore) return "The import did not finish: it wrote nothing for over an hour";
    return undefined;
  }

  /** Imports found dead (see recoverInterruptedImports), newest first, until dismissed. */
  failedImports(): FailedImportInfo[] {
    const rows = this.db
      .prepare("SELECT id, name, source_path, started_at, progress_at, import_failure FROM datasets WHERE imported_at IS NULL AND import_failure IS NOT NULL ORDER BY id DESC")
      .all() as Array<{ id: number; name: string; source_path: string; started_at: string; progress_at: string | null; import_failure: string }>;
    return rows.map((row) => ({ datasetId: row.id, name: row.name, sourcePath: row.source_path, startedAt: row.started_at, failedAt: row.progress_at ?? row.started_at, reason: row.import_failure }));
  }

  /** Forgets a failed import; false when there is no such failed import (it may have been dismissed already). */
  dismissFailedImport(datasetId: number): boolean {
    return this.db.prepare("DELETE FROM datasets WHERE id = ? AND imported_at IS NULL AND import_failure IS NOT NULL").run(datasetId).changes > 0;
  }

  private runningKey(datasetId: number): string {
    return `${this.db.name}#${datasetId}`;
  }

  /**
   * Appends items in one transaction, numbering them from `firstPosition` (file order), and notes the import is alive.
   * Refused for an import another process took for dead meanwhile (frozen for over an hour): it would finish incomplete.
   */
  addItems(datasetId: number, items: readonly DatasetItem[], firstPosition: number, writtenAt = new Date()): void {
    const alive = this.db.prepare("UPDATE datasets SET progress_at = ? WHERE id = ? AND imported_at IS NULL AND import_failure IS NULL");
    const insert = this.db.prepare(
      "INSERT INTO dataset_items (dataset_id, position, item_key, turns_json, label, categories_json, mlcommons_json, meta_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      if (alive.run(writtenAt.toISOString(), datasetId).changes === 0) throw this.importGone(datasetId);
      items.forEach((item, index) => {
        insert.run(
          datasetId,
          firstPosition + index,
          item.id,
          JSON.stringify(item.turns),
          item.label ?? null,
          JSON.stringify(item.categories),
          item.mlcommons ? JSON.stringify(item.mlcommons) : null,
          item.meta ? JSON.stringify(item.meta) : null,
        );
      });
    })();
  }

  /** Makes the dataset visible, with its counts and the bad rows the import skipped. */
  finishImport(datasetId: number, outcome: { badRowCount: number; badRows: readonly DatasetBadRow[]; finishedAt?: Date }): void {
    importsRunningHere.delete(this.runningKey(datasetId));
    const finished = this.db
      .prepare(
        `UPDATE datasets SET imported_at = ?, bad_row_count = ?, bad_rows_json = ?,
                             item_count = (SELECT COUNT(*) FROM dataset_items WHERE dataset_id = datasets.id)
         WHERE id = ? AND import_failure IS NULL`,
      )
      .run((outcome.finishedAt ?? new Date()).toISOString(), outcome.badRowCount, JSON.stringify(outcome.badRows), datasetId);
    if (finished.changes === 0) throw this.importGone(datasetId);
  }

  private importGone(datasetId: number): StoreError {
    return new StoreError("conflict", `import ${datasetId} was taken for dead (it wrote nothing for over an hour) and its items were removed`, "Import the file again.");
  }

  /**
   * Removes an import that did not finish, items and all. When that fails too (the disk is full), the import no longer
   * counts as running here, so the next import or the next start marks it failed and removes its items.
   */
  discardImport(datasetId: number): void {
    importsRunningHere.delete(this.runningKey(datasetId));
    this.db.prepare("DELETE FROM datasets WHERE id = ? AND imported_at IS NULL").run(datasetId);
  }

  /**
   * Deletes a finished dataset with everything that belongs to it — items, label events, runs and their results — in
   * one transaction (the schema's ON DELETE CASCADE). `check` sees the dataset's runs first, under the write lock (no
   * process can start scoring one in between), and throws to refuse.
   */
  delete(datasetId: number, check: RunDeletionCheck): DatasetDeletion {
    return this.db
      .transaction((): DatasetDeletion => {
        const summary = this.summary(datasetId);
        const runs = runActivity(this.db, "dataset_id", datasetId);
        check(runs);
        const { results } = this.db.prepare("SELECT COUNT(*) AS results FROM results x JOIN runs r ON r.id = x.run_id WHERE r.dataset_id = ?").get(datasetId) as { results: number };
        this.db.prepare("DELETE FROM datasets WHERE id = ?").run(datasetId);
        return { datasetId, name: summary.name, items: summary.items, reviewedLabels: summary.labels.reviewed, runIds: runs.map((run) => run.id), results };
      })
      .immediate();
  }

  /** The latest complete import of the same bytes read the same way, if any (`guardbench run` reuses it). */
  findImport(sourceSha256: string, format: DatasetFormat, mapping: ColumnMapping | undefined): number | undefined {
    const row = this.db
      .prepare("SELECT id FROM datasets WHERE source_sha256 = ? AND format = ? AND mapping_json IS ? AND imported_at IS NOT NULL ORDER BY id DESC LIMIT 1")
      .get(sourceSha256, format, mapping ? JSON.stringify(mapping) : null) as { id: number } | undefined;
    return row?.id;
  }

  /** Newest first. */
  list(): DatasetSummary[] {
    const rows = this.db.prepare("SELECT * FROM datasets WHERE imported_at IS NOT NULL ORDER BY id DESC").all() as DatasetRow[];
    return rows.map((row) => this.summaryOf(row));
  }

  summary(datasetId: number): DatasetSummary {
    return this.summaryOf(this.row(datasetId));
  }

  /** The skipped rows as the import listed them. */
  badRows(datasetId: number): DatasetBadRow[] {
    return parseStoredJson(this.db, storedBadRowsSchema, this.row(datasetId).bad_rows_json, { table: "datasets", row: datasetId, column: "bad_rows_json" });
  }

  /** Every item in dataset order with its label in effect, without conversations. */
  itemsWithLabels(datasetId: number): ItemLabelRow[] {
    this.row(datasetId);
    const rows = this.db.prepare(`${ITEMS_WITH_LABELS} WHERE i.dataset_id = ? ORDER BY i.position`).all(datasetId) as ItemJoinRow[];
    return rows.map((row) => itemLabelRowOf(this.db, row));
  }

  /** The MLCommons hazard codes the dataset's items were imported with (the record format's `mlcommons`), each once. */
  mlcommonsCodes(datasetId: number): string[] {
    // Few distinct lists even in a large dataset: the DISTINCT keeps the parsing to those.
    const lists = this.db
      .prepare("SELECT DISTINCT mlcommons_json FROM dataset_items WHERE dataset_id = ? AND mlcommons_json IS NOT NULL AND mlcommons_json <> '[]'")
      .all(datasetId) as { mlcommons_json: string }[];
    const codes = new Set<string>();
    for (const { mlcommons_json } of lists) {
      for (const code of parseStoredJson(this.db, storedTextListSchema, mlcommons_json, { table: "dataset_items", row: `dataset ${datasetId}`, column: "mlcommons_json" })) codes.add(code);
    }
    return [...codes];
  }

  /** Throws not-found unless the dataset exists (and its import finished). */
  requireDataset(datasetId: number): void {
    this.row(datasetId);
  }

  /** A page of the dataset in order (`limit` items from place `offset`), with labels in effect, without conversations. */
  itemsWithLabelsPage(datasetId: number, offset: number, limit: number): ItemLabelRow[] {
    this.row(datasetId);
    const rows = this.db.prepare(`${ITEMS_WITH_LABELS} WHERE i.dataset_id = ? ORDER BY i.position LIMIT ? OFFSET ?`).all(datasetId, limit, offset) as ItemJoinRow[];
    return rows.map((row) => itemLabelRowOf(this.db, row));
  }

  /** Some items by row id, with their labels in effect now. */
  itemsWithLabelsOf(rowIds: Iterable<number>): Map<number, ItemLabelRow> {
    const select = this.db.prepare(`${ITEMS_WITH_LABELS} WHERE i.id = ?`);
    const items = new Map<number, ItemLabelRow>();
    for (const rowId of rowIds) {
      const row = select.get(rowId) as ItemJoinRow | undefined;
      if (row) items.set(rowId, itemLabelRowOf(this.db, row));
    }
    return items;
  }

  /**
   * The place (0-based, in dataset order) of the nearest item after (or before) place `from` without a label in
   * effect, if any.
   */
  nearestUnlabeledPlace(datasetId: number, from: number, direction: "next" | "previous"): number | undefined {
    const after = direction === "next";
    const at = from < 0 ? undefined : (this.db.prepare("SELECT position FROM dataset_items WHERE dataset_id = ? ORDER BY position LIMIT 1 OFFSET ?").get(datasetId, from) as { position: number } | undefined);
    // Before the first place, every item is after; past the last one, every item is before.
    const bound = at?.position ?? (from < 0 ? -Infinity : Infinity);
    const row = this.db
      .prepare(
        `SELECT i.position FROM dataset_items i LEFT JOIN current_labels c ON c.item_id = i.id
         WHERE i.dataset_id = ? AND i.position ${after ? ">" : "<"} ? AND i.label IS NULL AND c.id IS NULL
         ORDER BY i.position ${after ? "ASC" : "DESC"} LIMIT 1`,
      )
      .get(datasetId, bound) as { position: number } | undefined;
    if (!row) return undefined;
    return (this.db.prepare("SELECT COUNT(*) AS n FROM dataset_items WHERE dataset_id = ? AND position < ?").get(datasetId, row.position) as { n: number }).n;
  }

  /** One item by its id within the dataset, with its conversation. */
  item(datasetId: number, itemId: string): ItemLabelRow & { turns: Turn[] } {
    const rowId = this.itemRowId(datasetId, itemId);
    const row = this.db.prepare(`${ITEMS_WITH_LABELS} WHERE i.id = ?`).get(rowId) as ItemJoinRow;
    return { ...itemLabelRowOf(this.db, row), turns: this.turnsOf([rowId]).get(rowId)! };
  }

  /** The row id of an item; not-found names the dataset and the id. */
  itemRowId(datasetId: number, itemId: string): number {
    const row = this.db.prepare("SELECT id FROM dataset_items WHERE dataset_id = ? AND item_key = ?").get(datasetId, itemId) as { id: number } | undefined;
    if (row) return row.id;
    const name = this.row(datasetId).name;
    throw new StoreError("not-found", `dataset ${datasetId} (${name}) has no item with the id ${JSON.stringify(itemId)}`, "Ids are the dataset file's own ids (or row-N for rows without one); review:queue lists them.");
  }

  /** Conversations of the given item rows. */
  turnsOf(rowIds: readonly number[]): Map<number, Turn[]> {
    const turns = new Map<number, Turn[]>();
    const select = this.db.prepare("SELECT id, turns_json FROM dataset_items WHERE id = ?");
    for (const rowId of rowIds) {
      const row = select.get(rowId) as { id: number; turns_json: string } | undefined;
      if (row) turns.set(row.id, parseStoredJson(this.db, storedTurnsSchema, row.turns_json, { table: "dataset_items", row: row.id, column: "turns_json" }));
    }
    return turns;
  }

  private row(datasetId: number): DatasetRow {
    const row = this.db.prepare("SELECT * FROM datasets WHERE id = ? AND imported_at IS NOT NULL").get(datasetId) as DatasetRow | undefined;
    if (!row) throw new StoreError("not-found", `there is no dataset ${datasetId}`, "List the datasets (datasets:list) to see their ids.");
    return row;
  }

  private summaryOf(row: DatasetRow): DatasetSummary {
    return {
      id: row.id,
      name: row.name,
      sourcePath: row.source_path,
      format: row.format,
      ...(row.mapping_json ? { mapping: parseStoredJson(this.db, columnMappingSchema, row.mapping_json, { table: "datasets", row: row.id, column: "mapping_json" }) } : {}),
      importedAt: row.imported_at,
      items: row.item_count,
      badRows: row.bad_row_count,
      labels: this.labelCounts(row.id),
    };
  }

  private labelCounts(datasetId: number): DatasetLabelCounts {
    const row = this.db
      .prepare(
        `SELECT COUNT(CASE WHEN COALESCE(c.label, i.label) = 'safe' THEN 1 END) AS safe,
                COUNT(CASE WHEN COALESCE(c.label, i.label) = 'unsafe' THEN 1 END) AS unsafe,
                COUNT(CASE WHEN COALESCE(c.label, i.label) IS NULL THEN 1 END) AS unlabeled,
                COUNT(c.id) AS reviewed
         FROM dataset_items i LEFT JOIN current_labels c ON c.item_id = i.id
         WHERE i.dataset_id = ?`,
      )
      .get(datasetId) as DatasetLabelCounts;
    return { safe: row.safe, unsafe: row.unsafe, unlabeled: row.unlabeled, reviewed: row.reviewed };
  }
}

function itemLabelRowOf(db: SqliteDatabase, row: ItemJoinRow): ItemLabelRow {
  return { rowId: row.row_id, itemId: row.item_key, position: row.position, ...labelOf(db, row) };
}

/**
 * The label in effect. An imported label's categories are the MLCommons codes when the record format gave them (they
 * are what Llama Guard answers with), else the source's own categories (a mapped CSV column).
 */
function labelOf(db: SqliteDatabase, row: ItemJoinRow): { label?: EffectiveLabel } {
  if (row.review_label !== null && row.event_id !== null) {
    return {
      label: {
        label: row.review_label,
        categories: parseStoredJson(db, storedTextListSchema, row.review_categories_json ?? "[]", { table: "label_events", row: row.event_id, column: "categories_json" }),
        source: "review",
        eventId: row.event_id,
        ...(row.note ? { note: row.note } : {}),
        ...(row.who ? { who: row.who } : {}),
        ...(row.labeled_at ? { at: row.labeled_at } : {}),
      },
    };
  }
  const imported = importedLabelOf(db, { id: row.row_id, label: row.imported_label, categories_json: row.categories_json, mlcommons_json: row.mlcommons_json });
  return imported ? { label: imported } : {};
}

/** The label an item was imported with (a dataset_items row's columns), if any. */
export function importedLabelOf(db: SqliteDatabase, item: { id: number; label: SafetyLabel | null; categories_json: string; mlcommons_json: string | null }): EffectiveLabel | undefined {
  if (item.label === null) return undefined;
  const where = { table: "dataset_items", row: item.id, column: item.mlcommons_json !== null ? "mlcommons_json" : "categories_json" };
  return { label: item.label, categories: parseStoredJson(db, storedTextListSchema, item.mlcommons_json ?? item.categories_json, where), source: "import" };
}
