/**
 * What the host's change watcher (electron/host/storeChanges.ts) reads to tell the UI about label and run writes made
 * anywhere: by this process, or by another one on the same database (the `guardbench` CLI, a second `serve`). First a
 * mark that moves on any commit, then, only when it moved, the label events and run rows written since.
 */
import type { SqliteDatabase } from "./database.ts";

/** A run as the watcher compares it: its state (with finish time and stop reason), and everything else stored with it. */
export interface RunMark {
  datasetId: number;
  running: boolean;
  state: string;
  details: string;
}

/** Columns compared as the run's state; every other column but these and the skipped ones is a detail. */
const STATE_COLUMNS = ["state", "finished_at", "stop_reason_json"];
/** Not compared: the row's id, the policy (never changes, and large), the process scoring it (internal). */
const SKIPPED_COLUMNS = new Set(["id", "dataset_id", "policy_json", "owner_pid"]);

export class ChangeRepository {
  private readonly externalCommits;
  private readonly ownChanges;

  constructor(private readonly db: SqliteDatabase) {
    this.externalCommits = db.prepare("PRAGMA data_version").pluck();
    this.ownChanges = db.prepare("SELECT total_changes()").pluck();
  }

  /**
   * Moves whenever a commit was made: by another connection (`PRAGMA data_version`, which only they move) or by this
   * one (`total_changes()`). Two cheap reads, so it can be asked often.
   */
  writeMark(): string {
    return `${this.externalCommits.get() as number}:${this.ownChanges.get() as number}`;
  }

  /** The datasets whose items got a label or undo event after `eventId`. */
  datasetsLabeledAfter(eventId: number): number[] {
    return this.db.prepare("SELECT DISTINCT i.dataset_id FROM label_events e JOIN dataset_items i ON i.id = e.item_id WHERE e.id > ?").pluck().all(eventId) as number[];
  }

  /** The newest result row's id, 0 before the first: new results have larger ids. */
  newestResultId(): number {
    return this.db.prepare("SELECT COALESCE(MAX(id), 0) FROM results").pluck().get() as number;
  }

  /** The runs with a result row after `resultId`. */
  runsWithResultsAfter(resultId: number): number[] {
    return this.db.prepare("SELECT DISTINCT run_id FROM results WHERE id > ?").pluck().all(resultId) as number[];
  }

  /** Every run's mark, by id. Columns added by later migrations (a name, a note) count as details without change here. */
  runMarks(): Map<number, RunMark> {
    const columns = (this.db.pragma("table_info(runs)") as { name: string }[]).map((column) => column.name).filter((name) => !SKIPPED_COLUMNS.has(name));
    const detailColumns = columns.filter((name) => !STATE_COLUMNS.includes(name));
    const quoted = (names: string[]) => names.map((name) => `"${name.replaceAll('"', '""')}"`).join(", ");
    const rows = this.db.prepare(`SELECT id, dataset_id, json_array(${quoted(STATE_COLUMNS)}) AS state_mark, json_array(${quoted(detailColumns)}) AS details_mark, state FROM runs`).all() as {
      id: number;
      dataset_id: number;
      state_mark: string;
      details_mark: string;
      state: string;
    }[];
    return new Map(rows.map((row) => [row.id, { datasetId: row.dataset_id, running: row.state === "running", state: row.state_mark, details: row.details_mark }]));
  }
}
