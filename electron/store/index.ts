/**
 * Guardbench's SQLite store: one `guardbench.db` per home folder, WAL mode, numbered migrations (migrations.ts).
 * Repositories are synchronous (better-sqlite3): a write has been committed when its method returns, so a handler
 * that acknowledges after calling one never acknowledges a write that a crash could lose.
 *
 * One repository per table group: policies, history, datasets (and items), labels (append-only events), runs (and
 * results), file hashes, endpoints (never their keys: electron/endpoints/keyStore.ts), the moderation audit trail,
 * saved side-by-side comparisons, custom guard definitions saved with a model.
 *
 * May import: core/ only (the file-hash cache's shape, core/fileHash.ts): the store knows tables, not the work that
 * fills them. Imported by every folder that reads or writes Guardbench's records (datasets/, runs/, review/,
 * evaluation/, endpoints/, moderation/, host/, cli/, main/). This file is the folder's entry: import the store from here.
 */
import { join } from "node:path";
import { openDatabase, type OpenDatabaseOptions, type SqliteDatabase } from "./database.ts";
import { translateSqliteError } from "./errors.ts";
import { ChangeRepository } from "./changes.ts";
import { DatasetRepository } from "./datasets.ts";
import { EndpointRepository } from "./endpoints.ts";
import { FileHashRepository } from "./fileHashes.ts";
import { HistoryRepository } from "./history.ts";
import { LabelRepository } from "./labels.ts";
import { ModerationAuditRepository } from "./moderationAudit.ts";
import { ComparisonRepository } from "./comparisons.ts";
import { CustomGuardRepository } from "./customGuards.ts";
import { PolicyRepository } from "./policies.ts";
import { RunRepository } from "./runs.ts";
import type { ProcessIdentity } from "./processIdentity.ts";

export { StoreError, type StoreErrorCode } from "./errors.ts";
export { LATEST_SCHEMA_VERSION, migrations, type Migration } from "./migrations.ts";
export type { NewClassification } from "./history.ts";
export type { ItemLabelRow, NewDataset } from "./datasets.ts";
export type { NewLabel } from "./labels.ts";
export type { ItemOutcomeRecord, NewRun, PendingItem, ResultLine, RunActivity, RunDeletionCheck, StoredClassification } from "./runs.ts";
export type { FileHashRepository, FileIdentity } from "./fileHashes.ts";
export type { ChangeRepository, RunMark } from "./changes.ts";
export type { AuditedCall, ModerationAuditEntry, ModerationAuditRepository } from "./moderationAudit.ts";
export type { OpenDatabaseOptions } from "./database.ts";
export type { CustomGuardRepository, SavedCustomGuard } from "./customGuards.ts";
export { THIS_PROCESS, type ProcessIdentity } from "./processIdentity.ts";
export { DEFAULT_ENDPOINT_CONCURRENCY, type EndpointFields, type EndpointRepository } from "./endpoints.ts";

export const DATABASE_FILE_NAME = "guardbench.db";

export function databasePathFor(home: string): string {
  return join(home, DATABASE_FILE_NAME);
}

export interface GuardbenchStore {
  readonly path: string;
  readonly policies: PolicyRepository;
  readonly history: HistoryRepository;
  readonly datasets: DatasetRepository;
  readonly labels: LabelRepository;
  readonly runs: RunRepository;
  readonly fileHashes: FileHashRepository;
  readonly endpoints: EndpointRepository;
  readonly moderationAudit: ModerationAuditRepository;
  readonly comparisons: ComparisonRepository;
  readonly customGuards: CustomGuardRepository;
  /** what the host reads to tell the UI about label and run writes, this process's or another's */
  readonly changes: ChangeRepository;
  close(): void;
}

export interface OpenStoreOptions extends OpenDatabaseOptions {
  /** who writes through this store (default: this process); tests pass another to play a later or a second process */
  processIdentity?: ProcessIdentity;
}

/**
 * Opens (creating and migrating when needed) the database at `path`, and cleans up after imports whose process died
 * (see DatasetRepository). Throws StoreError with a way out on failure.
 */
export function openStore(path: string, options: OpenStoreOptions = {}): GuardbenchStore {
  const db = openDatabase(path, options);
  const datasets = new DatasetRepository(db, options.processIdentity);
  try {
    datasets.recoverInterruptedImports();
  } catch {
    // Still no room, or another process holds the lock: nothing is lost by waiting, and the next import tries again.
  }
  return {
    path,
    policies: translatingErrors(new PolicyRepository(db), path),
    history: translatingErrors(new HistoryRepository(db), path),
    datasets: translatingErrors(datasets, path),
    labels: translatingErrors(new LabelRepository(db, datasets), path),
    runs: translatingErrors(new RunRepository(db), path),
    fileHashes: translatingErrors(new FileHashRepository(db), path),
    endpoints: translatingErrors(new EndpointRepository(db), path),
    moderationAudit: translatingErrors(new ModerationAuditRepository(db), path),
    comparisons: translatingErrors(new ComparisonRepository(db), path),
    customGuards: translatingErrors(new CustomGuardRepository(db), path),
    changes: translatingErrors(new ChangeRepository(db), path),
    close: () => db.close(),
  };
}

/**
 * Wraps every method of a repository so SQLite failures (a lock held by another process, a disk gone read-only)
 * surface as StoreErrors naming the file, wherever in a repository they happen.
 */
function translatingErrors<T extends object>(repository: T, path: string): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          throw translateSqliteError(error, path);
        }
      };
    },
  });
}

export type { SqliteDatabase };
