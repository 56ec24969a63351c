/**
 * Opens `guardbench.db`: checks the file is a SQLite database before SQLite touches it (a damaged or foreign file is
 * reported and left exactly as it was), switches to WAL, and applies pending migrations.
 */
import Database from "better-sqlite3";
import { openSync, readSync, closeSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { corruptDatabase, StoreError, translateSqliteError } from "./errors.ts";
import { LATEST_SCHEMA_VERSION, migrations, type Migration } from "./migrations.ts";
import { ensurePrivateFile, ensurePrivateFolder, tightenIfPresent } from "./privateFiles.ts";

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** how long a statement waits for another connection's lock before failing with `database-locked`; default 5 s */
  busyTimeoutMs?: number;
  /** for tests of future migrations; default: the shipped list */
  migrations?: readonly Migration[];
  /**
   * better-sqlite3's compiled addon to use instead of the one in node_modules. `npm start` passes an Electron build
   * (GUARDBENCH_SQLITE_BINDING), because node_modules holds the Node build the CLI and tests need.
   */
  nativeBinding?: string;
}

const SQLITE_MAGIC = "SQLite format 3\0";
/** Every SQLite file starts with a 100-byte header. */
const SQLITE_HEADER_BYTES = 100;

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  assertLooksLikeSqlite(path);
  let db: SqliteDatabase | undefined;
  try {
    ensurePrivateFolder(dirname(path));
    // SQLite creates the -wal and -shm files with the database file's permissions, so a 0600 database keeps them private.
    ensurePrivateFile(path);
    for (const sidecar of ["-wal", "-shm", "-journal"]) tightenIfPresent(`${path}${sidecar}`);
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
    db.pragma("journal_mode = WAL");
    // FULL: a transaction is on disk when commit returns, so an acknowledged user write survives a power cut too.
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    migrate(db, path, options.migrations ?? migrations);
    return db;
  } catch (error) {
    db?.close();
    const translated = translateSqliteError(error, path);
    if (translated instanceof StoreError) throw translated;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EROFS" || code === "ENOTDIR" || code === "EPERM") {
      throw new StoreError("database-unavailable", `cannot create the database ${path}: ${(error as Error).message}`, "Check the folder's permissions, or set GUARDBENCH_HOME to a writable folder.");
    }
    throw translated;
  }
}

/** Refuses a non-empty file whose header is not SQLite's, reading it only (SQLite itself may write to what it opens). */
function assertLooksLikeSqlite(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return; // absent: SQLite creates it
  }
  if (size === 0) return; // an empty file is a valid, empty database
  if (size < SQLITE_HEADER_BYTES) throw corruptDatabase(path, `only ${size} bytes, shorter than a SQLite header`);
  const header = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString("latin1") !== SQLITE_MAGIC) throw corruptDatabase(path, "the file does not start with the SQLite header");
}

function migrate(db: SqliteDatabase, path: string, list: readonly Migration[]): void {
  const latest = list.at(-1)?.version ?? 0;
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > latest) {
    throw new StoreError(
      "database-too-new",
      `${path} was written by a newer Guardbench (schema version ${current}; this version knows up to ${latest})`,
      "Update Guardbench, or set GUARDBENCH_HOME to another folder to keep both versions apart.",
    );
  }
  for (const migration of list.filter((m) => m.version > current)) {
    // One transaction per migration: a crash halfway leaves the previous version intact, never a half-built schema.
    db.transaction(() => {
      // Read again under the write lock: another process opening the same new database (two CLI commands started
      // together, the app and a command) may have applied this migration since the read above.
      if ((db.pragma("user_version", { simple: true }) as number) >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

export { LATEST_SCHEMA_VERSION };
