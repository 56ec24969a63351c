/**
 * The schema, as numbered migrations applied in order. `PRAGMA user_version` records the last one applied.
 * Never edit a migration that has shipped: append a new one (the labeling/evaluation work adds datasets, runs,
 * results and labels this way).
 */
import type { Database } from "better-sqlite3";

export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: "versioned policies and the classification history",
    up(db) {
      db.exec(`
        CREATE TABLE policies (
          id       INTEGER PRIMARY KEY,
          name     TEXT    NOT NULL,
          version  INTEGER NOT NULL CHECK (version > 0),
          family   TEXT    NOT NULL,
          json     TEXT    NOT NULL,
          saved_at TEXT    NOT NULL,
          UNIQUE (name, version)
        );

        CREATE TABLE classifications (
          id                INTEGER PRIMARY KEY AUTOINCREMENT,
          created_at        TEXT    NOT NULL,
          conversation_json TEXT    NOT NULL,
          policy_json       TEXT    NOT NULL,
          policy_name       TEXT    NOT NULL,
          policy_version    INTEGER,
          model_path        TEXT    NOT NULL,
          family            TEXT    NOT NULL,
          target            TEXT    NOT NULL,
          verdict           TEXT    NOT NULL,
          categories_json   TEXT    NOT NULL,
          p_unsafe          REAL    NOT NULL,
          flagged           INTEGER NOT NULL,
          preview           TEXT    NOT NULL,
          result_json       TEXT    NOT NULL
        );
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = migrations.at(-1)!.version;
