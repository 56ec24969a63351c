import { CodedError } from "../../shared/errors/codedError.ts";
/** Store failures as data (`{ code, message, hint }`): every message names the database file, every hint says what to do. */
export type StoreErrorCode =
  /** the file exists but is not a SQLite database (or its header is damaged) */
  | "database-corrupt"
  /** another process holds a lock on the file longer than the busy timeout */
  | "database-locked"
  /** the file was written by a newer Guardbench whose schema this version does not know */
  | "database-too-new"
  /** the folder or file cannot be opened or written (permissions, read-only disk, disk full) */
  | "database-unavailable"
  /** a row asked for does not exist */
  | "not-found"
  /** a stored row no longer parses (hand-edited database, or a bug) */
  | "row-invalid"
  /** a write that would overwrite what must not change (a run's finished result) */
  | "conflict";

export class StoreError extends CodedError<StoreErrorCode> {
  constructor(code: StoreErrorCode, message: string, hint?: string) {
    super(code, message, hint);
  }
}

/** better-sqlite3 throws `SqliteError` with a `code` such as SQLITE_BUSY; anything else passes through unchanged. */
export function translateSqliteError(error: unknown, databasePath: string): unknown {
  const code = typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : "";
  const detail = error instanceof Error ? error.message : String(error);
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new StoreError(
      "database-locked",
      `the database ${databasePath} is locked by another program (${detail})`,
      "Close other Guardbench windows or `guardbench serve` processes using the same GUARDBENCH_HOME, then try again.",
    );
  }
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) return corruptDatabase(databasePath, detail);
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_IOERR") || code === "SQLITE_FULL" || code.startsWith("SQLITE_PERM")) {
    return new StoreError(
      "database-unavailable",
      `cannot use the database ${databasePath}: ${detail}`,
      "Check that the folder exists, is writable and that the disk has free space, or set GUARDBENCH_HOME to another folder.",
    );
  }
  return error;
}

export function corruptDatabase(databasePath: string, detail: string): StoreError {
  return new StoreError(
    "database-corrupt",
    `${databasePath} is not a usable Guardbench database (${detail}); it was left untouched`,
    `Move or rename that file to keep it (Guardbench then starts with a new, empty database), or set GUARDBENCH_HOME to another folder.`,
  );
}
