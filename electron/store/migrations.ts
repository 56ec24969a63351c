/**
 * The schema, as numbered migrations applied in order. `PRAGMA user_version` records the last one applied.
 * Never edit a migration that has shipped: append a new one.
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
  {
    version: 2,
    description: "datasets and their items, label events, runs and their results, cached model-file hashes",
    up(db) {
      db.exec(`
        -- A dataset is visible once its import finished (imported_at set): an import writes its items in batches, and
        -- one stopped halfway (cancelled, failed, killed) must never pass for a complete dataset.
        CREATE TABLE datasets (
          id            INTEGER PRIMARY KEY,
          name          TEXT    NOT NULL,
          source_path   TEXT    NOT NULL,
          -- sha256 of the imported file: \`guardbench run\` reuses an earlier import of the same bytes
          source_sha256 TEXT    NOT NULL,
          format        TEXT    NOT NULL CHECK (format IN ('jsonl', 'csv', 'json')),
          mapping_json  TEXT,
          started_at    TEXT    NOT NULL,
          imported_at   TEXT,
          item_count    INTEGER NOT NULL DEFAULT 0,
          bad_row_count INTEGER NOT NULL DEFAULT 0,
          bad_rows_json TEXT    NOT NULL DEFAULT '[]'
        );
        CREATE INDEX datasets_source ON datasets (source_sha256);

        CREATE TABLE dataset_items (
          id              INTEGER PRIMARY KEY,
          dataset_id      INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
          position        INTEGER NOT NULL,
          item_key        TEXT    NOT NULL,
          turns_json      TEXT    NOT NULL,
          label           TEXT    CHECK (label IN ('safe', 'unsafe')),
          categories_json TEXT    NOT NULL,
          mlcommons_json  TEXT,
          meta_json       TEXT,
          UNIQUE (dataset_id, item_key),
          UNIQUE (dataset_id, position)
        );

        -- Append-only: a label is an event, an undo is an event naming the one it undoes. The label in effect is the
        -- item's latest label event that no undo names (view current_labels), so nothing a user did is ever lost.
        CREATE TABLE label_events (
          id              INTEGER PRIMARY KEY AUTOINCREMENT,
          item_id         INTEGER NOT NULL REFERENCES dataset_items (id) ON DELETE CASCADE,
          kind            TEXT    NOT NULL CHECK (kind IN ('label', 'undo')),
          label           TEXT    CHECK (label IN ('safe', 'unsafe')),
          categories_json TEXT,
          note            TEXT,
          who             TEXT    NOT NULL,
          session         TEXT,
          undoes_event_id INTEGER REFERENCES label_events (id),
          created_at      TEXT    NOT NULL,
          CHECK ((kind = 'label' AND label IS NOT NULL AND undoes_event_id IS NULL)
              OR (kind = 'undo' AND label IS NULL AND undoes_event_id IS NOT NULL))
        );
        CREATE UNIQUE INDEX label_events_undone ON label_events (undoes_event_id);
        CREATE INDEX label_events_item ON label_events (item_id, id);
        CREATE INDEX label_events_session ON label_events (session, id);

        CREATE VIEW live_label_events AS
          SELECT e.* FROM label_events e
          WHERE e.kind = 'label' AND NOT EXISTS (SELECT 1 FROM label_events u WHERE u.undoes_event_id = e.id);

        CREATE VIEW current_labels AS
          SELECT l.* FROM live_label_events l
          WHERE l.id = (SELECT MAX(m.id) FROM live_label_events m WHERE m.item_id = l.item_id);

        CREATE TABLE runs (
          id               INTEGER PRIMARY KEY,
          dataset_id       INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
          model_path       TEXT    NOT NULL,
          model_sha256     TEXT    NOT NULL,
          model_size       INTEGER NOT NULL,
          family           TEXT    NOT NULL,
          policy_name      TEXT    NOT NULL,
          policy_version   INTEGER,
          policy_json      TEXT    NOT NULL,
          settings_json    TEXT    NOT NULL,
          state            TEXT    NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'done', 'failed')),
          stop_reason_json TEXT,
          origin           TEXT    NOT NULL CHECK (origin IN ('app', 'cli')),
          -- \`guardbench run\`: what makes a later invocation the same run (see electron/runs/cliRunKey.ts)
          run_key          TEXT,
          -- the process scoring the run, so two processes never score one run at once
          owner_pid        INTEGER,
          created_at       TEXT    NOT NULL,
          finished_at      TEXT
        );
        CREATE INDEX runs_dataset ON runs (dataset_id);
        CREATE INDEX runs_key ON runs (run_key);

        -- One row per (run, item), written as the item finishes: a score, or the error that stopped it.
        CREATE TABLE results (
          id              INTEGER PRIMARY KEY,
          run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          item_id         INTEGER NOT NULL REFERENCES dataset_items (id) ON DELETE CASCADE,
          score           REAL,
          verdict         TEXT,
          categories_json TEXT,
          result_json     TEXT,
          error_code      TEXT,
          error_json      TEXT,
          finished_at     TEXT    NOT NULL,
          CHECK ((score IS NOT NULL AND result_json IS NOT NULL AND error_code IS NULL)
              OR (score IS NULL AND result_json IS NULL AND error_code IS NOT NULL)),
          UNIQUE (run_id, item_id)
        );

        -- sha256 of model files, valid while the file keeps its size and modification time.
        CREATE TABLE file_hashes (
          path      TEXT    PRIMARY KEY,
          size      INTEGER NOT NULL,
          mtime_ms  REAL    NOT NULL,
          sha256    TEXT    NOT NULL,
          hashed_at TEXT    NOT NULL
        );
      `);
    },
  },
  {
    version: 3,
    description: "remote endpoints (their API keys live in the secret store, never here)",
    up(db) {
      db.exec(`
        CREATE TABLE endpoints (
          name        TEXT    PRIMARY KEY,
          base_url    TEXT    NOT NULL,
          kind        TEXT    NOT NULL CHECK (kind IN ('openai-completions', 'llama-server')),
          model       TEXT    NOT NULL,
          concurrency INTEGER NOT NULL CHECK (concurrency > 0),
          -- whether the secret store holds a key for it: the key itself is never written to this database
          has_api_key INTEGER NOT NULL CHECK (has_api_key IN (0, 1)),
          created_at  TEXT    NOT NULL,
          updated_at  TEXT    NOT NULL
        );
      `);
    },
  },
  {
    version: 4,
    description: "when an unfinished import last wrote, so the next import can remove one that was killed",
    up(db) {
      db.exec(`
        -- An import writes a batch every fraction of a second; one that has not written for a long time was killed (or its
        -- machine lost power), and its hidden rows would stay forever. The next import removes it.
        ALTER TABLE datasets ADD COLUMN progress_at TEXT;
      `);
    },
  },
  {
    version: 5,
    description: "which process writes an unfinished import, and why an import failed, so a dead one is cleaned at the next start",
    up(db) {
      db.exec(`
        -- The process writing an unfinished import, as JSON {host, pid, token} (electron/store/processIdentity.ts): the
        -- next start can tell an import still running in another process from one whose process died (killed, or it
        -- failed with the disk full and could not even remove what it had written).
        ALTER TABLE datasets ADD COLUMN import_owner_json TEXT;
        -- Set on an unfinished import found dead: its items are removed, the row stays so the app can show the import
        -- as failed until the user dismisses it. Such rows never count as datasets (imported_at stays NULL).
        ALTER TABLE datasets ADD COLUMN import_failure TEXT;
      `);
    },
  },
  {
    version: 6,
    description: "the moderation API's audit trail and its setting",
    up(db) {
      db.exec(`
        -- One row per input of a /v1/moderations call, when auditing is on. The content itself only when the user opted
        -- in to storing it (audit 'content'); otherwise its sha256 alone, which can match but never show the text.
        CREATE TABLE moderation_audit (
          id                   INTEGER PRIMARY KEY AUTOINCREMENT,
          created_at           TEXT    NOT NULL,
          request_id           TEXT    NOT NULL,
          input_index          INTEGER NOT NULL CHECK (input_index >= 0),
          content_sha256       TEXT    NOT NULL,
          content              TEXT,
          model_name           TEXT    NOT NULL,
          model_path           TEXT    NOT NULL,
          model_sha256         TEXT,
          family               TEXT    NOT NULL,
          policy_name          TEXT    NOT NULL,
          policy_version       INTEGER,
          flagged              INTEGER NOT NULL CHECK (flagged IN (0, 1)),
          verdict              TEXT    NOT NULL,
          score                REAL    NOT NULL,
          categories_json      TEXT    NOT NULL,
          openai_json          TEXT    NOT NULL
        );
        CREATE INDEX moderation_audit_created ON moderation_audit (created_at);

        -- The app's setting (one row): 'off', 'hash' (verdicts and content hashes) or 'content' (also the text).
        CREATE TABLE moderation_settings (
          id         INTEGER PRIMARY KEY CHECK (id = 1),
          audit      TEXT    NOT NULL CHECK (audit IN ('off', 'hash', 'content')),
          updated_at TEXT    NOT NULL
        );
      `);
    },
  },
  {
    version: 7,
    description: "a user's name and note for a run",
    up(db) {
      db.exec(`
        -- NULL name: the run is named by what produced it (shared/runs/runName.ts); NULL note: none.
        ALTER TABLE runs ADD COLUMN name TEXT;
        ALTER TABLE runs ADD COLUMN note TEXT;
      `);
    },
  },
  {
    version: 8,
    description: "deletion: hidden policy versions, and ids a deletion never hands out again",
    up(db) {
      db.exec(`
        -- A saved version that a run used is hidden instead of deleted: pickers leave it out, the runs keep naming it and
        -- the policies:get of its number still answers its text.
        ALTER TABLE policies ADD COLUMN hidden_at TEXT;

        -- The highest id a deletion removed, per table (scope 'datasets', 'runs') and per policy name for versions
        -- (scope 'policy:' || name). New rows are numbered past it, so an id that a window, a remembered selection, a
        -- cache or an exported file still holds never comes to name something else.
        CREATE TABLE retired_ids (
          scope   TEXT    PRIMARY KEY,
          last_id INTEGER NOT NULL
        );
        CREATE TRIGGER datasets_retire_id AFTER DELETE ON datasets BEGIN
          INSERT INTO retired_ids (scope, last_id) VALUES ('datasets', OLD.id)
            ON CONFLICT (scope) DO UPDATE SET last_id = MAX(last_id, excluded.last_id);
        END;
        -- Fires for runs removed with their dataset (ON DELETE CASCADE) too.
        CREATE TRIGGER runs_retire_id AFTER DELETE ON runs BEGIN
          INSERT INTO retired_ids (scope, last_id) VALUES ('runs', OLD.id)
            ON CONFLICT (scope) DO UPDATE SET last_id = MAX(last_id, excluded.last_id);
        END;
        CREATE TRIGGER policies_retire_version AFTER DELETE ON policies BEGIN
          INSERT INTO retired_ids (scope, last_id) VALUES ('policy:' || OLD.name, OLD.version)
            ON CONFLICT (scope) DO UPDATE SET last_id = MAX(last_id, excluded.last_id);
        END;
      `);
    },
  },
  {
    version: 9,
    description: "an index of failed results, so a run's results version is read without scanning its rows",
    up(db) {
      db.exec("CREATE INDEX results_failed ON results (run_id) WHERE error_code IS NOT NULL;");
    },
  },
  {
    version: 10,
    description: "saved side-by-side comparisons: their runs, threshold and category mapping",
    up(db) {
      db.exec(`
        -- A comparison names its runs by id; a run deleted later leaves the comparison listed, and opening it says so.
        CREATE TABLE comparisons (
          id                    INTEGER PRIMARY KEY,
          name                  TEXT    NOT NULL UNIQUE,
          run_ids_json          TEXT    NOT NULL,
          threshold             REAL,
          category_mapping_json TEXT    NOT NULL,
          saved_at              TEXT    NOT NULL
        );
      `);
    },
  },
  {
    version: 11,
    description: "custom guard definitions saved with a model file",
    up(db) {
      db.exec(`
        -- Keyed by the file's path as loads name it; a file removed from the library leaves its definition, which
        -- applies again if the same path comes back.
        CREATE TABLE custom_guards (
          model_path TEXT PRIMARY KEY,
          json       TEXT NOT NULL,
          saved_at   TEXT NOT NULL
        );
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = migrations.at(-1)!.version;
