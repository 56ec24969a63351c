/**
 * A cache of sha256 hashes of large files (model GGUFs), valid while the file keeps its size and modification time:
 * hashing a multi-gigabyte model takes seconds to minutes, and every run and resume needs the hash.
 */
import type { FileHashCache, FileIdentity } from "../core/fileHash.ts";
import type { SqliteDatabase } from "./database.ts";

export type { FileIdentity } from "../core/fileHash.ts";

export class FileHashRepository implements FileHashCache {
  constructor(private readonly db: SqliteDatabase) {}

  /** The cached hash, when the file still has the size and modification time it had when hashed. */
  get(file: FileIdentity): string | undefined {
    const row = this.db.prepare("SELECT sha256 FROM file_hashes WHERE path = ? AND size = ? AND mtime_ms = ?").get(file.path, file.size, file.mtimeMs) as
      | { sha256: string }
      | undefined;
    return row?.sha256;
  }

  put(file: FileIdentity, sha256: string, now: Date = new Date()): void {
    this.db
      .prepare("INSERT OR REPLACE INTO file_hashes (path, size, mtime_ms, sha256, hashed_at) VALUES (?, ?, ?, ?, ?)")
      .run(file.path, file.size, file.mtimeMs, sha256, now.toISOString());
  }
}
