/**
 * A UTF-8 text file read as decoded chunks, with the byte count for progress: what every dataset reader (and
 * `guardbench eval`) streams from. Only one chunk is in memory at a time.
 */
import { constants, type Stats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { CodedError } from "../../shared/errors/codedError.ts";

export type TextFileErrorCode = "not-found" | "unreadable" | "not-utf8" | "aborted";

export class TextFileError extends CodedError<TextFileErrorCode> {}

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
 * "not-utf8" error naming the byte offset and line of the first bad byte (see {@link Utf8TextDecoder}).
 */
export async function* readTextChunks(path: string, options: { signal?: AbortSignal; chunkBytes?: number; allowPipes?: boolean } = {}): AsyncGenerator<TextChunk> {
  const { signal } = options;
  if (signal?.aborted) throw cancelledError();
  const decoder = new Utf8TextDecoder(path);
  const handle = await openRegularFile(path, { allowPipes: options.allowPipes ?? false });
  const stream = handle.createReadStream({ highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw cancelledError();
      bytesRead += chunk.length;
      yield { text: decoder.decode(chunk), bytesRead };
    }
  } catch (error) {
    if (error instanceof TextFileError) throw error;
    throw fileError(path, error);
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
  const rest = decoder.end();
  if (rest !== "") yield { text: rest, bytesRead };
}

/** A whole text file (or stream, such as standard input) decoded by the same rule as {@link readTextChunks}. */
export async function readWholeText(source: string, chunks: AsyncIterable<Uint8Array | string>): Promise<string> {
  const decoder = new Utf8TextDecoder(source);
  const parts: string[] = [];
  for await (const chunk of chunks) parts.push(decoder.decode(typeof chunk === "string" ? Buffer.from(chunk) : chunk));
  parts.push(decoder.end());
  return parts.join("");
}

/** Opens `path` for {@link readWholeText}, with the same errors as the dataset readers (not found, a folder …). */
export async function readTextFile(path: string, source = path, options: { allowPipes?: boolean } = {}): Promise<string> {
  const handle = await openRegularFile(path, options);
  try {
    return await readWholeText(source, handle.createReadStream({ autoClose: false }));
  } catch (error) {
    if (error instanceof TextFileError) throw error;
    throw fileError(path, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const NOT_UTF8_HINT = "save the file as UTF-8 (in Excel: \"CSV UTF-8\"; in an editor: Save with Encoding → UTF-8) and try again";

/**
 * The one rule for every text file Guardbench reads (conversations, datasets, results, policies): it must be UTF-8.
 * Bytes that are not are never replaced by U+FFFD behind the user's back — a replaced byte would change what is
 * classified and stored — but stop the read with an error that names the first bad byte's offset and line. UTF-16 (the
 * other encoding text editors save in) is recognised by its byte-order mark or its zero bytes and named as such.
 */
export class Utf8TextDecoder {
  // ignoreBOM: false (the default) means "strip a leading BOM", which is what a reader of CSV exported by Excel needs.
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private bytesBefore = 0;
  private linesBefore = 0;
  /** the last (up to) 3 bytes decoded, across chunks however small: they may start the character the next chunk breaks */
  private tail = new Uint8Array(0);

  constructor(private readonly source: string) {}

  decode(chunk: Uint8Array): string {
    if (this.bytesBefore === 0) this.rejectUtf16(chunk);
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.invalidIn(chunk, false);
    }
    this.bytesBefore += chunk.length;
    this.linesBefore += countNewlines(text);
    this.tail = concatBytes(this.tail, chunk.subarray(Math.max(0, chunk.length - 3))).slice(-3);
    return text;
  }

  /** The text held back at the end (none, unless the input ends inside a character, which is an error). */
  end(): string {
    try {
      return this.decoder.decode();
    } catch {
      throw this.invalidIn(new Uint8Array(0), true);
    }
  }

  private rejectUtf16(chunk: Uint8Array): void {
    const bom = (chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff);
    if (!bom && !looksLikeUtf16WithoutBom(chunk)) return;
    const why = bom ? "it starts with a UTF-16 byte-order mark" : "every other byte is zero";
    throw new TextFileError("not-utf8", `${this.source} is UTF-16 text (${why}), not UTF-8`, "save it as UTF-8 (in an editor: Save with Encoding → UTF-8) and try again");
  }

  /** Finds the first bad byte — the start of a character begun before this chunk, or one in it — and says where. */
  private invalidIn(chunk: Uint8Array, atEnd: boolean): TextFileError {
    const pending = this.tail.subarray(pendingCharacterStart(this.tail));
    const inWindow = firstInvalidUtf8(concatBytes(pending, chunk));
    const offset = this.bytesBefore - pending.length + inWindow;
    let line = this.linesBefore + 1;
    for (let i = 0; i < inWindow - pending.length; i++) if (chunk[i] === 0x0a) line++;
    const cutShort = atEnd ? " (the text ends in the middle of a character)" : "";
    return new TextFileError("not-utf8", `${this.source} is not UTF-8 text: the byte at offset ${offset.toLocaleString("en")} (line ${line}) is not valid UTF-8${cutShort}`, NOT_UTF8_HINT);
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * Where, in the last bytes a strict decoder accepted, the character it still waits to complete begins (`tail.length`
 * when it waits for none): the last lead byte, if the sequence it starts is longer than what follows it.
 */
function pendingCharacterStart(tail: Uint8Array): number {
  for (let i = tail.length - 1; i >= 0; i--) {
    const byte = tail[i]!;
    if (byte < 0x80) return tail.length;
    if (byte >= 0xc0) return tail.length - i < (byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2) ? i : tail.length;
  }
  return tail.length;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/** UTF-16 of mostly ASCII text without a byte-order mark: one byte of each pair zero, the other not. */
function looksLikeUtf16WithoutBom(chunk: Uint8Array): boolean {
  const sample = Math.min(chunk.length, 512) & ~1;
  if (sample < 4) return false;
  const zeros = [0, 0];
  for (let i = 0; i < sample; i++) if (chunk[i] === 0) zeros[i % 2]!++;
  const pairs = sample / 2;
  return (zeros[0]! >= pairs * 0.4 && zeros[1]! === 0) || (zeros[1]! >= pairs * 0.4 && zeros[0]! === 0);
}

/**
 * The offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF); a sequence cut off by the end counts as bad where it starts. `bytes.length` when
 * every sequence is well-formed.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > bytes.length) return i;
    const second = bytes[i + 1]!;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return bytes.length;
}
