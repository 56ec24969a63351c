/**
 * Review labels as an append-only event log (migration 2): `record` appends a label event, `undo…` appends an undo event
 * naming the event it takes back. The label in effect is the item's latest label event that no undo names, so an
 * undo restores the previous review label, or the imported label when there is none. Every method commits before it
 * returns: an acknowledged label survives a crash.
 */
import type { SafetyLabel } from "../../shared/datasets/index.ts";
import type { EffectiveLabel, LabelEvent, UndoOutcome } from "../../shared/ipc/contract.ts";
import type { SqliteDatabase } from "./database.ts";
import { importedLabelOf, type DatasetRepository } from "./datasets.ts";
import { StoreError } from "./errors.ts";
import { parseStoredJson, storedTextListSchema } from "./storedJson.ts";

export interface NewLabel extends Pick<LabelEvent, "label" | "note" | "who" | "session"> {
  categories?: readonly string[];
  at?: Date;
}

interface EventRow {
  id: number;
  item_id: number;
  dataset_id: number;
  item_key: string;
  label: SafetyLabel;
  categories_json: string | null;
  note: string | null;
  who: string;
  session: string | null;
  created_at: string;
  undone: number;
}

/** Label events with their item's ids and whether an undo names them. */
const EVENTS = `
  SELECT e.id, e.item_id, i.dataset_id, i.item_key, e.label, e.categories_json, e.note, e.who, e.session, e.created_at,
         EXISTS (SELECT 1 FROM label_events u WHERE u.undoes_event_id = e.id) AS undone
  FROM label_events e JOIN dataset_items i ON i.id = e.item_id
  WHERE e.kind = 'label'`;

export class LabelRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly datasets: DatasetRepository,
  ) {}

  /** Appends a label event for the item; committed when this returns. */
  record(datasetId: number, itemId: string, label: NewLabel): LabelEvent {
    const rowId = this.datasets.itemRowId(datasetId, itemId);
    const info = this.db
      .prepare("INSERT INTO label_events (item_id, kind, label, categories_json, note, who, session, created_at) VALUES (?, 'label', ?, ?, ?, ?, ?, ?)")
      .run(rowId, label.label, JSON.stringify(label.categories ?? []), label.note ?? null, label.who, label.session ?? null, (label.at ?? new Date()).toISOString());
    return this.event(Number(info.lastInsertRowid));
  }

  /** Takes back the item's latest label event still in effect. */
  undoLatestOfItem(datasetId: number, itemId: string, who: string): UndoOutcome {
    const rowId = this.datasets.itemRowId(datasetId, itemId);
    return this.undoLatest(`${EVENTS} AND e.item_id = ?`, [rowId], who, undefined, () => `item ${JSON.stringify(itemId)} of dataset ${datasetId} has no review label to undo`);
  }

  /** Takes back the session's latest label event still in effect (whichever item it labeled). */
  undoLatestOfSession(session: string, who: string): UndoOutcome {
    return this.undoLatest(`${EVENTS} AND e.session = ?`, [session], who, session, () => `the labeling session ${JSON.stringify(session)} has no label left to undo`);
  }

  /** The newest label or undo event's id, 0 before the first: a point in the label history a queue can be read as of. */
  latestEventId(): number {
    return (this.db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM label_events").get() as { id: number }).id;
  }

  /** The row ids of the dataset's items with a label or undo event after `eventId`: the items whose label changed since. */
  itemsChangedSince(datasetId: number, eventId: number): number[] {
    return (this.db.prepare("SELECT DISTINCT e.item_id AS id FROM label_events e JOIN dataset_items i ON i.id = e.item_id WHERE e.id > ? AND i.dataset_id = ?").all(eventId, datasetId) as { id: number }[]).map((row) => row.id);
  }

  /**
   * The labels in effect just after event `eventId`, for the items of the dataset whose label changed since (a label or
   * an undo after it); items not in the map have the same label now as then. `undefined`: no label then.
   */
  labelsAsOf(datasetId: number, eventId: number): Map<number, Pick<EffectiveLabel, "label" | "categories"> | undefined> {
    const changed = this.db
      .prepare("SELECT DISTINCT i.id, i.label, i.categories_json, i.mlcommons_json FROM label_events e JOIN dataset_items i ON i.id = e.item_id WHERE e.id > ? AND i.dataset_id = ?")
      .all(eventId, datasetId) as Parameters<typeof importedLabelOf>[1][];
    const reviewedThen = this.db.prepare(
      `SELECT e.id, e.label, e.categories_json FROM label_events e
       WHERE e.item_id = ? AND e.kind = 'label' AND e.id <= ?
         AND NOT EXISTS (SELECT 1 FROM label_events u WHERE u.undoes_event_id = e.id AND u.id <= ?)
       ORDER BY e.id DESC LIMIT 1`,
    );
    const labels = new Map<number, Pick<EffectiveLabel, "label" | "categories"> | undefined>();
    for (const item of changed) {
      const reviewed = reviewedThen.get(item.id, eventId, eventId) as { id: number; label: SafetyLabel; categories_json: string | null } | undefined;
      const categories = () => parseStoredJson(this.db, storedTextListSchema, reviewed!.categories_json ?? "[]", { table: "label_events", row: reviewed!.id, column: "categories_json" });
      labels.set(item.id, reviewed ? { label: reviewed.label, categories: categories() } : importedLabelOf(this.db, item));
    }
    return labels;
  }

  /** Every label event of an item, oldest first, undone ones included. */
  history(itemRowId: number): LabelEvent[] {
    return (this.db.prepare(`${EVENTS} AND e.item_id = ? ORDER BY e.id`).all(itemRowId) as EventRow[]).map((row) => eventOf(this.db, row));
  }

  private undoLatest(query: string, params: unknown[], who: string, session: string | undefined, nothingToUndo: () => string): UndoOutcome {
    // IMMEDIATE takes the write lock before choosing the event, so two undos can never pick (and race for) the same one.
    const undoneId = this.db
      .transaction(() => {
        const latest = this.db.prepare(`${query} AND NOT undone ORDER BY e.id DESC LIMIT 1`).get(...params) as EventRow | undefined;
        if (!latest) throw new StoreError("not-found", nothingToUndo(), "Only labels given in review can be undone; an imported label stays as imported.");
        this.db
          .prepare("INSERT INTO label_events (item_id, kind, who, session, undoes_event_id, created_at) VALUES (?, 'undo', ?, ?, ?, ?)")
          .run(latest.item_id, who, session ?? null, latest.id, new Date().toISOString());
        return latest.id;
      })
      .immediate();
    const undone = this.event(undoneId);
    const current = this.datasets.item(undone.datasetId, undone.itemId).label;
    return { undone, ...(current ? { current } : {}) };
  }

  private event(eventId: number): LabelEvent {
    return eventOf(this.db, this.db.prepare(`${EVENTS} AND e.id = ?`).get(eventId) as EventRow);
  }
}

function eventOf(db: SqliteDatabase, row: EventRow): LabelEvent {
  return {
    eventId: row.id,
    datasetId: row.dataset_id,
    itemId: row.item_key,
    label: row.label,
    categories: parseStoredJson(db, storedTextListSchema, row.categories_json ?? "[]", { table: "label_events", row: row.id, column: "categories_json" }),
    ...(row.note ? { note: row.note } : {}),
    who: row.who,
    ...(row.session ? { session: row.session } : {}),
    at: row.created_at,
    undone: row.undone === 1,
  };
}
