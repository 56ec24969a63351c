/** Saved side-by-side comparisons (eval:save-comparison): a name, the runs, a threshold and a category mapping. */
import { z } from "zod";
import { categoryMappingSchema, type CategoryMapping, type SavedComparison } from "../../shared/ipc/contract.ts";
import type { SqliteDatabase } from "./database.ts";
import { parseStoredJson } from "./storedJson.ts";

interface ComparisonRow {
  id: number;
  name: string;
  run_ids_json: string;
  threshold: number | null;
  category_mapping_json: string;
  saved_at: string;
}

const runIdsSchema = z.array(z.number().int().positive());

export interface NewComparison {
  name: string;
  runIds: readonly number[];
  threshold?: number;
  categoryMapping: CategoryMapping;
}

export class ComparisonRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Stores the comparison under its name, replacing one saved under that name before. */
  save(comparison: NewComparison, now: Date = new Date()): SavedComparison {
    const row = this.db
      .prepare(
        `INSERT INTO comparisons (name, run_ids_json, threshold, category_mapping_json, saved_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET run_ids_json = excluded.run_ids_json, threshold = excluded.threshold,
           category_mapping_json = excluded.category_mapping_json, saved_at = excluded.saved_at
         RETURNING *`,
      )
      .get(comparison.name, JSON.stringify(comparison.runIds), comparison.threshold ?? null, JSON.stringify(comparison.categoryMapping), now.toISOString()) as ComparisonRow;
    return this.fromRow(row);
  }

  list(): SavedComparison[] {
    return (this.db.prepare("SELECT * FROM comparisons ORDER BY saved_at DESC, id DESC").all() as ComparisonRow[]).map((row) => this.fromRow(row));
  }

  delete(id: number): boolean {
    return this.db.prepare("DELETE FROM comparisons WHERE id = ?").run(id).changes > 0;
  }

  private fromRow(row: ComparisonRow): SavedComparison {
    const where = (column: string) => ({ table: "comparisons", row: row.id, column });
    return {
      id: row.id,
      name: row.name,
      runIds: parseStoredJson(this.db, runIdsSchema, row.run_ids_json, where("run_ids_json")),
      ...(row.threshold !== null ? { threshold: row.threshold } : {}),
      categoryMapping: parseStoredJson(this.db, categoryMappingSchema, row.category_mapping_json, where("category_mapping_json")),
      savedAt: row.saved_at,
    };
  }
}
