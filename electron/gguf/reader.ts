/**
 * A bounds-checked GGUF header reader (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) in plain Node.
 *
 * Every length and count in the file is checked against the bytes that remain and against a sane limit before anything
 * is read or allocated from it, every type number against the types GGUF and ggml define, and the tensor table against
 * the rules llama.cpp's own loader enforces (names, shapes, block sizes, contiguous aligned offsets). A file this reader
 * accepts can be given to node-llama-cpp and llama.cpp without tripping their unchecked reads; a file it refuses gets
 * one message saying what is wrong and at which byte offset.
 */
import { open, type FileHandle } from "node:fs/promises";
import { GGML_TYPES, REMOVED_GGML_TYPES } from "./ggmlTypes.ts";

/** The metadata value types of the GGUF spec (`gguf_metadata_value_type`). */
export enum GgufValueType {
  Uint8 = 0,
  Int8 = 1,
  Uint16 = 2,
  Int16 = 3,
  Uint32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  Uint64 = 10,
  Int64 = 11,
  Float64 = 12,
}

const VALUE_TYPE_NAMES: Record<GgufValueType, string> = {
  [GgufValueType.Uint8]: "uint8",
  [GgufValueType.Int8]: "int8",
  [GgufValueType.Uint16]: "uint16",
  [GgufValueType.Int16]: "int16",
  [GgufValueType.Uint32]: "uint32",
  [GgufValueType.Int32]: "int32",
  [GgufValueType.Float32]: "float32",
  [GgufValueType.Bool]: "bool",
  [GgufValueType.String]: "string",
  [GgufValueType.Array]: "array",
  [GgufValueType.Uint64]: "uint64",
  [GgufValueType.Int64]: "int64",
  [GgufValueType.Float64]: "float64",
};

const FIXED_VALUE_BYTES: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.Uint8]: 1,
  [GgufValueType.Int8]: 1,
  [GgufValueType.Uint16]: 2,
  [GgufValueType.Int16]: 2,
  [GgufValueType.Uint32]: 4,
  [GgufValueType.Int32]: 4,
  [GgufValueType.Float32]: 4,
  [GgufValueType.Bool]: 1,
  [GgufValueType.Uint64]: 8,
  [GgufValueType.Int64]: 8,
  [GgufValueType.Float64]: 8,
};

/**
 * What no real model comes near; anything beyond is damage. The largest real values: ~1,100 tensors, a few hundred
 * metadata entries, vocabularies of ~260k tokens with ~500k merges, and `tokenizer.huggingface.json` strings of ~30 MB.
 */
export const GGUF_LIMITS = {
  /** the spec's limit for keys */
  keyBytes: 65_535,
  stringBytes: 256 * 1024 * 1024,
  /** ggml's GGML_MAX_NAME (64) less the terminating NUL */
  tensorNameBytes: 63,
  metadataEntries: 1_000_000,
  arrayItems: 100_000_000,
  tensors: 1_000_000,
  /** ggml's GGML_MAX_DIMS */
  tensorDimensions: 4,
} as const;

export const SUPPORTED_GGUF_VERSIONS: readonly number[] = [2, 3];
const GGUF_MAGIC = "GGUF";
const DEFAULT_ALIGNMENT = 32;
const INT64_MAX = (1n << 63n) - 1n;
/** The smallest possible metadata entry (1-byte key, 1-byte value) and tensor info (1-byte name, no dimensions). */
const MIN_ENTRY_BYTES = 8 + 1 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 4 + 8;
const READ_CHUNK_BYTES = 1 << 20;
/** Arrays up to this length keep their items (per-layer values); longer ones (vocabularies) are checked, then skipped. */
const DEFAULT_KEPT_ARRAY_ITEMS = 4096;

export type GgufScalar = number | bigint | boolean | string;

export interface GgufArray {
  itemType: GgufValueType;
  length: number;
  /** the items, when the array is no longer than `keepArrayItems` */
  items?: GgufScalar[];
}

export interface GgufMetadataEntry {
  key: string;
  type: GgufValueType;
  /** 64-bit integers are bigints; an array is a GgufArray */
  value: GgufScalar | GgufArray;
  /** file offset where the entry starts */
  offset: number;
}

export interface GgufTensorInfo {
  name: string;
  /** GGUF order: dimensions[0] varies fastest */
  dimensions: number[];
  elements: number;
  ggmlType: number;
  typeName: string;
  /** offset of the tensor's data inside the data section */
  dataOffset: number;
  byteSize: number;
  /** file offset where the tensor's entry in the tensor table starts */
  infoOffset: number;
}

export interface GgufHeader {
  version: number;
  fileSizeBytes: number;
  metadata: ReadonlyMap<string, GgufMetadataEntry>;
  tensors: readonly GgufTensorInfo[];
  alignment: number;
  /** file offset where the header (metadata and tensor table) ends */
  headerEndOffset: number;
  /** file offset of the data section (the header end, aligned) */
  dataOffset: number;
  /** file offset where the last tensor's data ends */
  dataEndOffset: number;
}

export type GgufProblemKind =
  /** not a GGUF file at all (wrong magic) */
  | "not-gguf"
  | "unsupported-version"
  /** a value no intact file has: a length, count, type or offset out of range */
  | "corrupt"
  /** the file ends before the header or the tensor data it describes */
  | "truncated";

export interface GgufProblem {
  kind: GgufProblemKind;
  /** what is wrong, naming the field and its file offset (without the file's name) */
  message: string;
  /** file offset of the field that is wrong */
  offset: number;
  /** for "unsupported-version": what to do instead */
  hint?: string;
}

export type GgufReadResult = { ok: true; header: GgufHeader } | { ok: false; problem: GgufProblem };

export interface GgufReadOptions {
  /** arrays up to this many items keep them (default 4096); longer arrays are validated and skipped */
  keepArrayItems?: number;
}

/**
 * Reads and checks the header of the GGUF file at `path` (metadata, tensor table, and that the tensor data the header
 * describes fits in the file). Format problems come back as `{ ok: false, problem }`; only I/O errors (no such file,
 * permissions) are thrown.
 */
export async function readGgufHeader(path: string, options: GgufReadOptions = {}): Promise<GgufReadResult> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const header = await new HeaderParser(new BoundedReader(handle, size), options.keepArrayItems ?? DEFAULT_KEPT_ARRAY_ITEMS).parse();
    return { ok: true, header };
  } catch (error) {
    if (error instanceof GgufProblemError) return { ok: false, problem: error.problem };
    throw error;
  } finally {
    await handle.close();
  }
}

/** The number a metadata entry holds, when it is a whole or real number (64-bit integers beyond 2^53 are not). */
export function metadataNumber(header: GgufHeader, key: string): number | undefined {
  const value = header.metadata.get(key)?.value;
  return numberOf(value);
}

/** The string a metadata entry holds, when it is a string. */
export function metadataString(header: GgufHeader, key: string): string | undefined {
  const value = header.metadata.get(key)?.value;
  return typeof value === "string" ? value : undefined;
}

/** The numbers of a kept numeric array (per-layer values), when the entry is one. */
export function metadataNumbers(header: GgufHeader, key: string): number[] | undefined {
  const value = header.metadata.get(key)?.value;
  if (typeof value !== "object") return undefined;
  const numbers = value.items?.map(numberOf);
  return numbers?.every((n) => n !== undefined) ? (numbers as number[]) : undefined;
}

function numberOf(value: GgufMetadataEntry["value"] | GgufScalar | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : undefined;
  return undefined;
}

class GgufProblemError extends Error {
  constructor(readonly problem: GgufProblem) {
    super(problem.message);
  }
}

function corrupt(offset: number, message: string): GgufProblemError {
  return new GgufProblemError({ kind: "corrupt", offset, message });
}

/** A size within the limits that the rest of the file cannot hold: the file was cut short (or that size is damaged). */
function pastTheEnd(offset: number, message: string): GgufProblemError {
  return new GgufProblemError({ kind: "truncated", offset, message });
}

const count = (n: number | bigint) => n.toLocaleString("en-US");
const bytesOf = (n: number | bigint) => `${count(n)} byte${n === 1 || n === 1n ? "" : "s"}`;

/**
 * Reads the file through a window that is refilled on demand. A read of `length` bytes first checks `length` against
 * what remains of the file, so no buffer is ever sized from a number the file made up.
 */
class BoundedReader {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly fileSize: number,
  ) {}

  get remaining(): number {
    return this.fileSize - this.position;
  }

  /** Whether `length` bytes at the position are already in the window (the fast path of `need`). */
  has(length: number): boolean {
    return this.position + length <= this.windowStart + this.window.length;
  }

  /** Makes `length` bytes at the position readable, or fails as truncated, naming `what` was being read. */
  async need(length: number, what: () => string): Promise<void> {
    if (length > this.remaining) throw this.truncated(length, what());
    if (this.has(length)) return;
    const readLength = Math.min(Math.max(length, READ_CHUNK_BYTES), this.remaining);
    const fresh = Buffer.allocUnsafe(readLength);
    let filled = 0;
    while (filled < readLength) {
      const { bytesRead } = await this.handle.read(fresh, filled, readLength - filled, this.position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.window = fresh.subarray(0, filled);
    this.windowStart = this.position;
    // The file shrank since it was measured (still being written or cut): it ends here.
    if (filled < length) throw this.truncated(length, what(), this.position + filled);
  }

  /** Moves past `length` bytes without reading them. */
  skip(length: number, what: () => string): void {
    if (length > this.remaining) throw this.truncated(length, what());
    this.position += length;
  }

  truncated(length: number, what: string, end = this.fileSize): GgufProblemError {
    const left = end - this.position;
    return new GgufProblemError({
      kind: "truncated",
      offset: this.position,
      message: `the file ends inside its GGUF header, after ${bytesOf(end)}: ${what} at offset ${count(this.position)} needs ${bytesOf(length)} but ${left <= 0 ? "none remain" : `only ${bytesOf(left)} remain`}.`,
    });
  }

  private advance(length: number): number {
    const at = this.position - this.windowStart;
    this.position += length;
    return at;
  }

  u8(): number {
    return this.window.readUInt8(this.advance(1));
  }
  i8(): number {
    return this.window.readInt8(this.advance(1));
  }
  u16(): number {
    return this.window.readUInt16LE(this.advance(2));
  }
  i16(): number {
    return this.window.readInt16LE(this.advance(2));
  }
  u32(): number {
    return this.window.readUInt32LE(this.advance(4));
  }
  i32(): number {
    return this.window.readInt32LE(this.advance(4));
  }
  f32(): number {
    return this.window.readFloatLE(this.advance(4));
  }
  u64(): bigint {
    return this.window.readBigUInt64LE(this.advance(8));
  }
  i64(): bigint {
    return this.window.readBigInt64LE(this.advance(8));
  }
  /** A u64 as a number: exact below 2^53, and beyond that still larger than any limit here. */
  u64AsNumber(): number {
    const at = this.advance(8);
    return this.window.readUInt32LE(at + 4) * 2 ** 32 + this.window.readUInt32LE(at);
  }
  f64(): number {
    return this.window.readDoubleLE(this.advance(8));
  }
  bytes(length: number): Buffer {
    const at = this.advance(length);
    return this.window.subarray(at, at + length);
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

interface StringRules {
  /** what the string is, for messages ("the key of metadata entry 3 of 27") */
  what: () => string;
  maxBytes: number;
  limitReason: string;
  /** names (keys, tensor names) must be non-empty, valid UTF-8 and free of NUL; values are decoded leniently */
  isName: boolean;
}

class HeaderParser {
  private readonly metadata = new Map<string, GgufMetadataEntry>();
  private readonly tensors: GgufTensorInfo[] = [];

  constructor(
    private readonly reader: BoundedReader,
    private readonly keepArrayItems: number,
  ) {}

  async parse(): Promise<GgufHeader> {
    const r = this.reader;
    await r.need(4, () => "the magic number");
    const magic = r.bytes(4);
    if (magic.toString("latin1") !== GGUF_MAGIC) {
      throw new GgufProblemError({ kind: "not-gguf", offset: 0, message: `it starts with the bytes ${hex(magic)} instead of "GGUF".` });
    }
    await r.need(4, () => "the GGUF version");
    const version = r.u32();
    const versionProblem = ggufVersionProblem(version);
    if (versionProblem) throw new GgufProblemError({ kind: "unsupported-version", offset: 4, ...versionProblem });

    const tensorCount = await this.readCount("tensor count", GGUF_LIMITS.tensors, MIN_TENSOR_INFO_BYTES, "tensors");
    const entryCount = await this.readCount("metadata entry count", GGUF_LIMITS.metadataEntries, MIN_ENTRY_BYTES, "metadata entries");
    for (let index = 0; index < entryCount; index++) await this.readEntry(index, entryCount);
    const alignment = this.alignment();
    this.checkLlamaCppTypes();

    let expectedDataOffset = 0n;
    for (let index = 0; index < tensorCount; index++) {
      const tensor = await this.readTensorInfo(index, tensorCount, alignment, expectedDataOffset);
      this.tensors.push(tensor);
      expectedDataOffset = alignUp(BigInt(tensor.dataOffset) + BigInt(tensor.byteSize), BigInt(alignment));
    }

    const headerEndOffset = r.position;
    const dataOffset = alignUp(BigInt(headerEndOffset), BigInt(alignment));
    const last = this.tensors.at(-1);
    // Without tensors there is no data to pad to (llama.cpp reads such vocabulary-only files as they are).
    const dataEnd = last ? dataOffset + BigInt(last.dataOffset) + BigInt(last.byteSize) : BigInt(headerEndOffset);
    if (dataEnd > BigInt(r.fileSize)) {
      const percent = Math.floor((r.fileSize / Number(dataEnd)) * 100);
      throw new GgufProblemError({
        kind: "truncated",
        offset: r.fileSize,
        message: `its header describes ${count(dataEnd)} bytes but the file has ${count(r.fileSize)} bytes (${percent}% present).`,
      });
    }
    return {
      version,
      fileSizeBytes: r.fileSize,
      metadata: this.metadata,
      tensors: this.tensors,
      alignment,
      headerEndOffset,
      dataOffset: Number(dataOffset),
      dataEndOffset: Number(dataEnd),
    };
  }

  /** A u64 count, checked against its limit and against how many of its smallest items the rest of the file can hold. */
  private async readCount(name: string, limit: number, minItemBytes: number, items: string): Promise<number> {
    const r = this.reader;
    await r.need(8, () => `the ${name}`);
    const offset = r.position;
    const value = r.u64();
    if (value > BigInt(limit)) throw corrupt(offset, `the ${name} at offset ${count(offset)} is ${count(value)}; no model has more than ${count(limit)} ${items}.`);
    const fits = Math.floor(r.remaining / minItemBytes);
    if (value > BigInt(fits)) {
      throw pastTheEnd(offset, `the ${name} at offset ${count(offset)} is ${count(value)}, but the file ends ${bytesOf(r.remaining)} later, with room for at most ${count(fits)} ${items}.`);
    }
    return Number(value);
  }

  private async readEntry(index: number, entryCount: number): Promise<void> {
    const r = this.reader;
    const offset = r.position;
    const entry = () => `metadata entry ${count(index + 1)} of ${count(entryCount)} (at offset ${count(offset)})`;
    const key = await this.readString({ what: () => `the key of ${entry()}`, maxBytes: GGUF_LIMITS.keyBytes, limitReason: "keys", isName: true });
    const named = () => `metadata entry ${count(index + 1)} of ${count(entryCount)} ("${key}", at offset ${count(offset)})`;
    const previous = this.metadata.get(key);
    if (previous) throw corrupt(offset, `${named()} repeats the key of the entry at offset ${count(previous.offset)}.`);
    await r.need(4, () => `the value type of ${named()}`);
    const typeOffset = r.position;
    const type = r.u32();
    if (!isValueType(type)) throw corrupt(typeOffset, `${named()} has value type ${count(type)} (at offset ${count(typeOffset)}); GGUF defines types 0 to 12.`);
    const value = type === GgufValueType.Array ? await this.readArray(named) : await this.readValue(type, named);
    this.metadata.set(key, { key, type, value, offset });
  }

  private async readArray(named: () => string): Promise<GgufArray> {
    const r = this.reader;
    await r.need(12, () => `the item type and length of the array in ${named()}`);
    const typeOffset = r.position;
    const itemType = r.u32();
    if (!isValueType(itemType)) throw corrupt(typeOffset, `${named()} is an array of value type ${count(itemType)} (at offset ${count(typeOffset)}); GGUF defines types 0 to 12.`);
    if (itemType === GgufValueType.Array) throw corrupt(typeOffset, `${named()} is an array of arrays (item type at offset ${count(typeOffset)}), which llama.cpp does not read.`);
    const lengthOffset = r.position;
    const length = r.u64();
    const itemName = VALUE_TYPE_NAMES[itemType];
    if (length > BigInt(GGUF_LIMITS.arrayItems)) {
      throw corrupt(lengthOffset, `${named()} says its array holds ${count(length)} ${itemName} items (at offset ${count(lengthOffset)}); no model has arrays of more than ${count(GGUF_LIMITS.arrayItems)}.`);
    }
    const itemBytes = FIXED_VALUE_BYTES[itemType] ?? 8;
    const fits = Math.floor(r.remaining / itemBytes);
    if (length > BigInt(fits)) {
      throw pastTheEnd(lengthOffset, `${named()} says its array holds ${count(length)} ${itemName} items (at offset ${count(lengthOffset)}), but the file ends ${bytesOf(r.remaining)} later, with room for at most ${count(fits)}.`);
    }
    const items = Number(length);
    const keep = items <= this.keepArrayItems;
    const kept: GgufScalar[] = [];
    const fixedBytes = FIXED_VALUE_BYTES[itemType];
    const what = (item: number) => `item ${count(item + 1)} of ${count(items)} of the array in ${named()}`;
    if (keep) {
      for (let item = 0; item < items; item++) kept.push(await this.readValue(itemType, () => what(item)));
    } else if (fixedBytes !== undefined) {
      r.skip(items * fixedBytes, () => `the items of the array in ${named()}`);
    } else {
      await this.skipStrings(items, what);
    }
    return { itemType, length: items, ...(keep ? { items: kept } : {}) };
  }

  private async readValue(type: Exclude<GgufValueType, GgufValueType.Array>, what: () => string): Promise<GgufScalar> {
    const r = this.reader;
    if (type === GgufValueType.String) return this.readString({ what, maxBytes: GGUF_LIMITS.stringBytes, limitReason: "strings", isName: false });
    const size = FIXED_VALUE_BYTES[type]!;
    if (!r.has(size)) await r.need(size, what);
    switch (type) {
      case GgufValueType.Uint8: return r.u8();
      case GgufValueType.Int8: return r.i8();
      case GgufValueType.Uint16: return r.u16();
      case GgufValueType.Int16: return r.i16();
      case GgufValueType.Uint32: return r.u32();
      case GgufValueType.Int32: return r.i32();
      case GgufValueType.Float32: return r.f32();
      case GgufValueType.Bool: return r.u8() !== 0;
      case GgufValueType.Uint64: return r.u64();
      case GgufValueType.Int64: return r.i64();
      case GgufValueType.Float64: return r.f64();
    }
  }

  /** The u64 length of a string, checked against its limit and the rest of the file. Synchronous when buffered. */
  private stringLength(rules: Pick<StringRules, "what" | "maxBytes" | "limitReason">): number | Promise<number> {
    const r = this.reader;
    if (!r.has(8)) return r.need(8, () => `the length of ${rules.what()}`).then(() => this.stringLength(rules));
    const offset = r.position;
    const length = r.u64();
    if (length > BigInt(rules.maxBytes)) {
      throw corrupt(offset, `${rules.what()} is ${bytesOf(length)} long (length at offset ${count(offset)}); ${rules.limitReason} are at most ${bytesOf(rules.maxBytes)}.`);
    }
    if (length > BigInt(r.remaining)) {
      throw pastTheEnd(offset, `${rules.what()} is ${bytesOf(length)} long (length at offset ${count(offset)}), but only ${bytesOf(r.remaining)} of the file follow.`);
    }
    return Number(length);
  }

  /** Skips `items` strings, awaiting only when the window runs out (vocabularies hold hundreds of thousands). */
  private async skipStrings(items: number, what: (item: number) => string): Promise<void> {
    const r = this.reader;
    for (let item = 0; item < items; item++) {
      if (!r.has(8)) await r.need(8, () => `the length of ${what(item)}`);
      const length = r.u64AsNumber();
      if (length > GGUF_LIMITS.stringBytes || length > r.remaining) {
        // Out of bounds: read it again the careful way, which says what is wrong.
        r.position -= 8;
        this.stringLength({ what: () => what(item), maxBytes: GGUF_LIMITS.stringBytes, limitReason: "strings" });
      }
      r.position += length;
    }
  }

  private async readString(rules: StringRules): Promise<string> {
    const r = this.reader;
    const length = await this.stringLength(rules);
    const offset = r.position;
    if (rules.isName && length === 0) throw corrupt(offset - 8, `${rules.what()} is empty (length at offset ${count(offset - 8)}).`);
    if (!r.has(length)) await r.need(length, rules.what);
    const bytes = r.bytes(length);
    // Vocabularies of some converters hold byte fragments that are not valid UTF-8, and llama.cpp loads them; keys and
    // tensor names are identifiers, where such bytes can only be damage.
    if (!rules.isName) return bytes.toString("utf8");
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      throw corrupt(offset, `${rules.what()} (at offset ${count(offset)}) is not valid UTF-8: ${hex(bytes.subarray(0, 16))}${length > 16 ? " …" : ""}.`);
    }
    if (text.includes("\0")) throw corrupt(offset, `${rules.what()} (at offset ${count(offset)}) contains a NUL byte: ${JSON.stringify(text)}.`);
    return text;
  }

  /** `general.alignment`: llama.cpp reads it as a uint32 (aborting on any other type) and needs a power of two. */
  private alignment(): number {
    const entry = this.metadata.get("general.alignment");
    if (!entry) return DEFAULT_ALIGNMENT;
    if (entry.type !== GgufValueType.Uint32) throw corrupt(entry.offset, `general.alignment (at offset ${count(entry.offset)}) is a ${describeType(entry)}; it must be a uint32.`);
    const alignment = entry.value as number;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
      throw corrupt(entry.offset, `general.alignment (at offset ${count(entry.offset)}) is ${count(alignment)}; it must be a power of two.`);
    }
    return alignment;
  }

  /**
   * Keys llama.cpp reads with fixed types and no check of its own: a vocabulary of the wrong type aborts it, and scores
   * or token types shorter than the vocabulary make it read past the end of the array.
   */
  private checkLlamaCppTypes(): void {
    for (const [key, expected] of Object.entries(LLAMA_CPP_KEY_TYPES)) {
      const entry = this.metadata.get(key);
      if (!entry) continue;
      const matches = "arrayOf" in expected ? entry.type === GgufValueType.Array && (entry.value as GgufArray).itemType === expected.arrayOf : entry.type === expected.type;
      if (!matches) {
        const wanted = "arrayOf" in expected ? `an array of ${VALUE_TYPE_NAMES[expected.arrayOf]}` : `a ${VALUE_TYPE_NAMES[expected.type]}`;
        throw corrupt(entry.offset, `${key} (at offset ${count(entry.offset)}) is ${article(describeType(entry))}; llama.cpp reads it as ${wanted}.`);
      }
    }
    const tokens = this.metadata.get("tokenizer.ggml.tokens")?.value as GgufArray | undefined;
    for (const key of ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"]) {
      const entry = this.metadata.get(key);
      const length = (entry?.value as GgufArray | undefined)?.length;
      if (entry && tokens && length !== tokens.length) {
        throw corrupt(entry.offset, `${key} (at offset ${count(entry.offset)}) has ${count(length ?? 0)} items for a vocabulary of ${count(tokens.length)} tokens.`);
      }
    }
  }

  private async readTensorInfo(index: number, tensorCount: number, alignment: number, expectedDataOffset: bigint): Promise<GgufTensorInfo> {
    const r = this.reader;
    const infoOffset = r.position;
    const entry = () => `tensor ${count(index + 1)} of ${count(tensorCount)} (at offset ${count(infoOffset)})`;
    const name = await this.readString({ what: () => `the name of ${entry()}`, maxBytes: GGUF_LIMITS.tensorNameBytes, limitReason: "tensor names", isName: true });
    const named = () => `tensor "${name}" (at offset ${count(infoOffset)})`;
    const twin = this.tensors.find((tensor) => tensor.name === name);
    if (twin) throw corrupt(infoOffset, `${named()} has the same name as the tensor at offset ${count(twin.infoOffset)}.`);

    await r.need(4, () => `the number of dimensions of ${named()}`);
    const dimensionCountOffset = r.position;
    const dimensionCount = r.u32();
    if (dimensionCount > GGUF_LIMITS.tensorDimensions) {
      throw corrupt(dimensionCountOffset, `${named()} has ${count(dimensionCount)} dimensions (at offset ${count(dimensionCountOffset)}); ggml tensors have at most ${GGUF_LIMITS.tensorDimensions}.`);
    }
    await r.need(dimensionCount * 8 + 4 + 8, () => `the shape, type and data offset of ${named()}`);
    const dimensions: bigint[] = [];
    let elements = 1n;
    for (let d = 0; d < dimensionCount; d++) {
      const dimensionOffset = r.position;
      const dimension = r.u64();
      if (dimension === 0n || dimension > INT64_MAX) {
        throw corrupt(dimensionOffset, `dimension ${d + 1} of ${named()} is ${count(dimension)} (at offset ${count(dimensionOffset)}); it must be between 1 and 2^63 − 1.`);
      }
      elements *= dimension;
      if (elements > INT64_MAX) throw corrupt(dimensionOffset, `${named()} has more than 2^63 − 1 elements (shape ${shape([...dimensions, dimension])}).`);
      dimensions.push(dimension);
    }

    const typeOffset = r.position;
    const ggmlType = r.u32();
    const layout = GGML_TYPES.get(ggmlType);
    if (!layout) {
      const removed = REMOVED_GGML_TYPES.get(ggmlType);
      throw corrupt(
        typeOffset,
        removed
          ? `${named()} uses the tensor type ${removed} (${ggmlType}, at offset ${count(typeOffset)}), which llama.cpp no longer reads.`
          : `${named()} has tensor type ${count(ggmlType)} (at offset ${count(typeOffset)}), which ggml does not define.`,
      );
    }
    const rowLength = dimensions[0] ?? 1n;
    if (rowLength % BigInt(layout.blockElements) !== 0n) {
      throw corrupt(typeOffset, `${named()} is ${layout.name} with rows of ${count(rowLength)} elements, not a multiple of its block size ${layout.blockElements}.`);
    }
    const byteSize = (elements / BigInt(layout.blockElements)) * BigInt(layout.blockBytes);
    if (byteSize > BigInt(r.fileSize)) {
      throw corrupt(infoOffset, `${named()} has shape ${shape(dimensions)} of type ${layout.name}: ${bytesOf(byteSize)}, more than the whole file (${bytesOf(r.fileSize)}).`);
    }

    const dataOffsetAt = r.position;
    const dataOffset = r.u64();
    // llama.cpp lays tensors out back to back, each padded to the alignment, and refuses any other offset.
    if (dataOffset !== expectedDataOffset) {
      throw corrupt(
        dataOffsetAt,
        `${named()} says its data starts at byte ${count(dataOffset)} of the data section (at offset ${count(dataOffsetAt)}), ` +
          `but it must start at byte ${count(expectedDataOffset)}, right after the tensor before it (aligned to ${alignment}).`,
      );
    }
    return {
      name,
      dimensions: dimensions.map(Number),
      elements: Number(elements),
      ggmlType,
      typeName: layout.name,
      dataOffset: Number(dataOffset),
      byteSize: Number(byteSize),
      infoOffset,
    };
  }
}

type ExpectedType = { type: GgufValueType } | { arrayOf: GgufValueType };

const LLAMA_CPP_KEY_TYPES: Record<string, ExpectedType> = {
  "general.architecture": { type: GgufValueType.String },
  "tokenizer.ggml.model": { type: GgufValueType.String },
  "tokenizer.ggml.tokens": { arrayOf: GgufValueType.String },
  "tokenizer.ggml.scores": { arrayOf: GgufValueType.Float32 },
  "tokenizer.ggml.token_type": { arrayOf: GgufValueType.Int32 },
  "tokenizer.ggml.merges": { arrayOf: GgufValueType.String },
  "tokenizer.chat_template": { type: GgufValueType.String },
};

function isValueType(type: number): type is GgufValueType {
  return Number.isInteger(type) && type >= GgufValueType.Uint8 && type <= GgufValueType.Float64;
}

function describeType(entry: GgufMetadataEntry): string {
  if (entry.type !== GgufValueType.Array) return VALUE_TYPE_NAMES[entry.type];
  return `array of ${VALUE_TYPE_NAMES[(entry.value as GgufArray).itemType]}`;
}

function article(text: string): string {
  return /^[aeio]/.test(text) ? `an ${text}` : `a ${text}`;
}

function alignUp(value: bigint, alignment: bigint): bigint {
  return ((value + alignment - 1n) / alignment) * alignment;
}

function shape(dimensions: readonly bigint[]): string {
  return `[${dimensions.map(count).join(", ")}]`;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Why llama.cpp cannot read a file of this GGUF version, with what to do; undefined for a version it reads. */
export function ggufVersionProblem(version: number): { message: string; hint: string } | undefined {
  if (SUPPORTED_GGUF_VERSIONS.includes(version)) return undefined;
  const byteSwapped = (((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24)) >>> 0;
  if ([1, 2, 3].includes(byteSwapped)) {
    return {
      message: `is a big-endian GGUF (version ${byteSwapped}, made for machines such as IBM s390x); llama.cpp here reads little-endian files.`,
      hint: "Download the ordinary (little-endian) GGUF of this model.",
    };
  }
  if (version === 1) {
    return {
      message: "uses GGUF version 1, an early format llama.cpp no longer reads.",
      hint: "Download a current GGUF of this model (version 2 or 3), or convert the original weights again.",
    };
  }
  return {
    message: `uses GGUF version ${version}; this build of llama.cpp reads versions ${SUPPORTED_GGUF_VERSIONS.join(" and ")}.`,
    hint: "Update Guardbench, or use a GGUF written by an older converter.",
  };
}
