/**
 * Custom guard definitions saved with a model file (issue #15.3b), one per file path: loading the file as a custom
 * guard, from the page, the CLI or a run, takes the definition saved here.
 */
import { customGuardSchema, type CustomGuardDefinition } from "../../shared/families/customGuard.ts";
import type { SqliteDatabase } from "./database.ts";
import { parseStoredJson } from "./storedJson.ts";

interface CustomGuardRow {
  model_path: string;
  json: string;
  saved_at: string;
}

export interface SavedCustomGuard {
  modelPath: string;
  definition: CustomGuardDefinition;
  savedAt: string;
}

export class CustomGuardRepository {
  constructor(private readonly db: SqliteDatabase) {}

  find(modelPath: string): SavedCustomGuard | undefined {
    const row = this.db.prepare("SELECT * FROM custom_guards WHERE model_path = ?").get(modelPath) as CustomGuardRow | undefined;
    return row ? this.toSaved(row) : undefined;
  }

  /** Creates or replaces the model's definition; it was validated by the caller (the contract or the CLI). */
  save(modelPath: string, definition: CustomGuardDefinition, now: Date = new Date()): SavedCustomGuard {
    this.db
      .prepare(
        `INSERT INTO custom_guards (model_path, json, saved_at) VALUES (?, ?, ?)
         ON CONFLICT (model_path) DO UPDATE SET json = excluded.json, saved_at = excluded.saved_at`,
      )
      .run(modelPath, JSON.stringify(definition), now.toISOString());
    return this.find(modelPath)!;
  }

  remove(modelPath: string): boolean {
    return this.db.prepare("DELETE FROM custom_guards WHERE model_path = ?").run(modelPath).changes > 0;
  }

  private toSaved(row: CustomGuardRow): SavedCustomGuard {
    const definition = parseStoredJson(this.db, customGuardSchema, row.json, { table: "custom_guards", row: row.model_path, column: "json" });
    return { modelPath: row.model_path, definition, savedAt: row.saved_at };
  }
}
