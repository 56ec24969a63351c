/**
 * A UTF-8 text file read as decoded chunks, with the byte count for progress: what every dataset reader (and
 * `guardbench eval`) streams from. Only one chunk is in memory at a time.
 */
import { constants, type Stats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";

export type TextFileErrorCode = "not-found" | "unreadable" | "not-utf8" | "aborted";

export class TextFileError extends Error {
  constructor(
    readonly code: TextFileErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "TextFileError";
  }
}

export interface TextChunk {
  text: string;
  /** bytes read from the file so far, this chunk included */
  bytesRead: number;
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** The file's size, or a TextFileError saying why it cannot be read. */
export async function textFileSize(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError(path, error);
  }
  if (!info.isFile()) throw notRegularFile(path, info);
  return info.size;
}

/** What a file that is not a regular one is, for messages: "a folder", "a named pipe (FIFO)" … */
export function fileKind(info: Stats): string {
  if (info.isDirectory()) return "a folder";
  if (info.isFIFO()) return "a named pipe (FIFO)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a regular file";
}

function notRegularFile(path: string, info: Stats): TextFileError {
  return new TextFileError("unreadable", `${path} is ${fileKind(info)}, not a regular file`, "choose a file saved on disk");
}

/**
 * Opens `path` for reading only if it is a regular file. Non-blocking, so that a FIFO is refused at once instead of
 * hanging until something writes to it; the check is on the opened file, so it cannot be swapped between check and read.
 * `allowPipes`: a pipe is read too (blocking), for a path typed at the user's own shell (`--results <(…)`).
 */
export async function openRegularFile(path: string, options: { allowPipes?: boolean } = {}): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, options.allowPipes ? constants.O_RDONLY : constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() && !(options.allowPipes && info.isFIFO())) throw notRegularFile(path, info);
    return handle;
  } catch (error) {
    await handle.close();
    throw error instanceof TextFileError ? error : fileError(path, error);
  }
}

function fileError(path: string, error: unknown): TextFileError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new TextFileError("not-found", `${path} does not exist`, "check the path");
  if (code === "EACCES" || code === "EPERM") return new TextFileError("unreadable", `${path} cannot be read: permission denied`);
  if (code === "EISDIR") return new TextFileError("unreadable", `${path} is a folder, not a file`);
  return new TextFileError("unreadable", `${path} cannot be read: ${(error as Error).message}`);
}

export function cancelledError(): TextFileError {
  return new TextFileError("aborted", "the import was cancelled");
}

/**
 * Yields the file's text chunk by chunk. A byte-order mark is dropped; bytes that are not UTF-8 stop the read with a
 * "not-utf8" error that says roughly where, rather than turning into U+FFFD replacement characters inside the data.
 */
export async function* readTextChunks(path: string, options: { signal?: AbortSignal; chunkBytes?: number; allowPipes?: boolean } = {}): AsyncGenerator<TextChunk> {
  const { signal } = options;
  if (signal?.aborted) throw cancelledError();
  // ignoreBOM: false (the default) means "strip a leading BOM", which is what a reader of CSV exported by Excel needs.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const handle = await openRegularFile(path, { allowPipes: options.allowPipes ?? false });
  const stream = handle.createReadStream({ highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
  const decode = (bytes: Buffer | undefined, bytesBefore: number): string => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw new TextFileError(
        "not-utf8",
        `${path} is not UTF-8 text: invalid bytes ${bytes ? `within bytes ${bytesBefore.toLocaleString("en")}–${(bytesBefore + bytes.length).toLocaleString("en")}` : "at the end of the file"}`,
        "save the file as UTF-8 (in Excel: \"CSV UTF-8\"; in an editor: Save with Encoding → UTF-8) and import it again",
      );
    }
  };
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw cancelledError();
      const bytesBefore = bytesRead;
      bytesRead += chunk.length;
      yield { text: decode(chunk, bytesBefore), bytesRead };
    }
  } catch (error) {
    if (error instanceof TextFileError) throw error;
    throw fileError(path, error);
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
  const rest = decode(undefined, bytesRead);
  if (rest !== "") yield { text: rest, bytesRead };
}
