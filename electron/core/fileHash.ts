/**
 * sha256 of files: a dataset file (so `guardbench run` recognises an earlier import of the same bytes) and the model
 * file a run scores with (so a resume can refuse a model whose content changed). Model hashes are cached in the store
 * by path, size and modification time, because hashing gigabytes on every run and resume would cost minutes.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { CodedError } from "../../shared/errors/codedError.ts";

/** A file as hashed: a cached hash is valid while the file keeps its size and modification time. */
export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Where hashes are remembered across runs and restarts (the store's file_hashes table: electron/store/fileHashes.ts). */
export interface FileHashCache {
  get(file: FileIdentity): string | undefined;
  put(file: FileIdentity, sha256: string): void;
}

export class FileHashError extends CodedError<"file-missing" | "file-unreadable" | "cancelled"> {}

export interface HashOptions {
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface FileDigest {
  sha256: string;
  size: number;
}

export async function sha256OfFile(path: string, options: HashOptions = {}): Promise<FileDigest> {
  const { size } = await statFile(path);
  const hash = createHash("sha256");
  let done = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw new FileHashError("cancelled", `hashing ${path} was cancelled`);
      hash.update(chunk);
      done += chunk.length;
      options.onProgress?.(done, size);
    }
  } catch (error) {
    if (error instanceof FileHashError) throw error;
    throw unreadable(path, error);
  }
  return { sha256: hash.digest("hex"), size };
}

/** The file's sha256, from the cache when the file still has the size and modification time it was hashed with. */
export async function cachedSha256OfFile(cache: FileHashCache, path: string, options: HashOptions = {}): Promise<FileDigest> {
  const before = await statFile(path);
  const identity = { path, size: before.size, mtimeMs: before.mtimeMs };
  const cached = cache.get(identity);
  if (cached) return { sha256: cached, size: before.size };
  const digest = await sha256OfFile(path, options);
  const after = await statFile(path);
  // A file rewritten while it was read has no single hash worth remembering.
  if (after.size === before.size && after.mtimeMs === before.mtimeMs) cache.put(identity, digest.sha256);
  return digest;
}

async function statFile(path: string): Promise<{ size: number; mtimeMs: number }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new FileHashError("file-unreadable", `${path} is not a file`);
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if (error instanceof FileHashError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new FileHashError("file-missing", `${path} does not exist`, "Check the path; a model or dataset that was moved must be given again under its new path.");
    throw unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): FileHashError {
  return new FileHashError("file-unreadable", `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, "Check the file's permissions.");
}
