/**
 * The GGUF header fuzzer (issue #11): every structural field of a real GGUF header (lengths, counts, value types, array
 * item types, tensor names, dimensions, ggml types, data offsets, the alignment, truncation at every field) is damaged
 * in the ways that broke node-llama-cpp, and each damaged file must give a clear error naming the problem and the byte
 * offset of the damaged field — through the reader, `inspectModelFile` and the model library's import, all in this
 * test's own process, which must still be alive at the end (before the fix, the first file aborted it).
 *
 * A second round replaces random header bytes: whatever our reader accepts from it, node-llama-cpp's reader must read
 * without aborting (run in a child process, which is what it would kill).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectModelFile, readGgufHeader, type GgufReadResult } from "../../../electron/gguf/index.ts";
import { ModelLibrary } from "../../../electron/models/library.ts";
import type { ModelFileErrorCode } from "../../../shared/models/modelInfo.ts";
import { TINY_METADATA, writeTinyGguf } from "../../fixtures/gguf/tiny.ts";
import { gguf, GgufValueType, writeGguf, type GgufValue } from "../../fixtures/gguf/writer.ts";
import { REPO_ROOT } from "../../support/paths.ts";

const run = promisify(execFile);

type FieldKind =
  | "version"
  | "tensor-count"
  | "entry-count"
  | "key-length"
  | "key-bytes"
  | "value-type"
  | "item-type"
  | "array-length"
  | "string-length"
  | "alignment-value"
  | "name-length"
  | "name-bytes"
  | "dimension-count"
  | "dimension"
  | "tensor-type"
  | "data-offset";

interface Field {
  kind: FieldKind;
  label: string;
  offset: number;
  /** bytes of the field (for byte runs: the run's length) */
  size: number;
  /** where the metadata entry or tensor info holding the field starts */
  ownerOffset: number;
  /** the tensor's first dimension, for tensor-type fields */
  rowLength?: number;
}

interface Layout {
  fields: Field[];
  entryOffsets: Map<string, number>;
  tensorInfoOffsets: Map<string, number>;
  headerEnd: number;
  dataOffset: number;
}

/** Maps every field of an intact header. Written independently of the reader under test, and run only on the intact file. */
function layoutOf(bytes: Buffer): Layout {
  const fields: Field[] = [];
  const entryOffsets = new Map<string, number>();
  const tensorInfoOffsets = new Map<string, number>();
  let p = 4;
  let owner = 0;
  const field = (kind: FieldKind, label: string, size: number, extra: Partial<Field> = {}) => fields.push({ kind, label, offset: p, size, ownerOffset: owner, ...extra });
  const u32 = () => ((p += 4), bytes.readUInt32LE(p - 4));
  const u64 = () => ((p += 8), Number(bytes.readBigUInt64LE(p - 8)));
  const fixedSize: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  const skipValue = (type: number, label: string) => {
    if (type !== 8) return void (p += fixedSize[type]!);
    field("string-length", `length of ${label}`, 8);
    const length = u64();
    p += length;
  };

  /** The key of a metadata entry or the name of a tensor, which starts the entry: its length field, then its bytes. */
  const nameOf = (what: "key" | "name", owned: string, offsets: Map<string, number>) => {
    owner = p;
    field(`${what}-length`, `${what} length of ${owned}`, 8);
    const length = u64();
    const text = bytes.toString("utf8", p, p + length);
    offsets.set(text, owner);
    field(`${what}-bytes`, `${what} bytes of "${text}"`, length);
    p += length;
    return text;
  };

  field("version", "GGUF version", 4);
  u32();
  field("tensor-count", "tensor count", 8);
  const tensorCount = u64();
  field("entry-count", "metadata entry count", 8);
  const entryCount = u64();
  for (let i = 0; i < entryCount; i++) {
    const key = nameOf("key", `entry ${i + 1}`, entryOffsets);
    field("value-type", `value type of "${key}"`, 4);
    const type = u32();
    if (key === "general.alignment") field("alignment-value", "general.alignment value", 4);
    if (type !== 9) {
      skipValue(type, `"${key}"`);
      continue;
    }
    field("item-type", `item type of "${key}"`, 4);
    const itemType = u32();
    field("array-length", `array length of "${key}"`, 8);
    const length = u64();
    for (let item = 0; item < length; item++) skipValue(itemType, `item ${item + 1} of "${key}"`);
  }
  for (let i = 0; i < tensorCount; i++) {
    const name = nameOf("name", `tensor ${i + 1}`, tensorInfoOffsets);
    field("dimension-count", `dimension count of "${name}"`, 4);
    const dimensionCount = u32();
    const rowLength = Number(bytes.readBigUInt64LE(p));
    for (let d = 0; d < dimensionCount; d++) {
      field("dimension", `dimension ${d + 1} of "${name}"`, 8);
      u64();
    }
    field("tensor-type", `ggml type of "${name}"`, 4, { rowLength });
    u32();
    field("data-offset", `data offset of "${name}"`, 8);
    u64();
  }
  return { fields, entryOffsets, tensorInfoOffsets, headerEnd: p, dataOffset: Math.ceil(p / 32) * 32 };
}

interface Expected {
  code: ModelFileErrorCode;
  /** the problem's offset: exactly this, or (truncations) at most this */
  offset: number | { atMost: number };
}

interface Mutation {
  label: string;
  bytes: Buffer;
  expected: Expected;
}

const U64_MAX = (1n << 64n) - 1n;

function withField(base: Buffer, field: Field, value: bigint | number): Buffer {
  const bytes = Buffer.from(base);
  if (field.size === 4) bytes.writeUInt32LE(Number(value), field.offset);
  else bytes.writeBigUInt64LE(BigInt(value), field.offset);
  return bytes;
}

function withBytes(base: Buffer, offset: number, replacement: Buffer): Buffer {
  const bytes = Buffer.from(base);
  replacement.copy(bytes, offset);
  return bytes;
}

function structuralMutations(base: Buffer, layout: Layout): Mutation[] {
  const mutations: Mutation[] = [];
  const corrupt = (offset: number): Expected => ({ code: "corrupt-header", offset });
  const truncated = (offset: number): Expected => ({ code: "truncated", offset });
  const add = (field: Field, values: Array<bigint | number>, expected: (value: bigint | number) => Expected) => {
    for (const value of values) mutations.push({ label: `${field.label} = ${value}`, bytes: withField(base, field, value), expected: expected(value) });
  };
  const after = (field: Field) => base.length - field.offset - field.size;

  for (const field of layout.fields) {
    const at = corrupt(field.offset);
    switch (field.kind) {
      case "version":
        add(field, [0, 1, 4, 0x03000000, 0xffffffff], () => ({ code: "unsupported-gguf-version", offset: field.offset }));
        break;
      case "tensor-count":
        add(field, [U64_MAX, 1n << 63n, 0x7fffffff, 1_000_001], () => at);
        add(field, [Math.floor(after(field) / 25) + 1], () => truncated(field.offset));
        break;
      case "entry-count":
        add(field, [U64_MAX, 0x7fffffff, 1_000_001], () => at);
        add(field, [Math.floor(after(field) / 14) + 1], () => truncated(field.offset));
        break;
      case "key-length":
        add(field, [0, 65_536, 0x7fffffff, U64_MAX], () => at);
        add(field, [after(field) + 1], () => truncated(field.offset));
        break;
      case "string-length":
        add(field, [0x7fffffff, (1n << 28n) + 1n, U64_MAX], () => at);
        add(field, [after(field) + 1], () => truncated(field.offset));
        break;
      case "array-length":
        add(field, [U64_MAX, 0x7fffffff, 100_000_001], () => at);
        add(field, [base.length], () => truncated(field.offset));
        break;
      case "value-type":
        add(field, [13, 255, 0x7fffffff, 0xffffffff], () => at);
        break;
      case "item-type":
        add(field, [9, 13, 0xffffffff], () => at);
        break;
      case "alignment-value":
        add(field, [0, 3, 48], () => corrupt(field.ownerOffset));
        break;
      case "name-length":
        add(field, [0, 64, 0x7fffffff, U64_MAX], () => at);
        break;
      case "dimension-count":
        add(field, [5, 0x7fffffff, 0xffffffff], () => at);
        break;
      case "dimension":
        add(field, [0, 1n << 63n, U64_MAX], () => at);
        // a plausible number, but more data than the whole file
        add(field, [1n << 40n], () => corrupt(field.ownerOffset));
        break;
      case "tensor-type":
        // removed (Q4_2, Q4_0_4_4), undefined, and a block type whose block does not divide the row
        add(field, [4, 31, 43, 0xffffffff, ...(field.rowLength! % 32 === 0 ? [] : [8])], () => at);
        break;
      case "data-offset": {
        const actual = base.readBigUInt64LE(field.offset);
        add(field, [actual + 1n, actual + 32n, U64_MAX], () => at);
        break;
      }
      case "key-bytes":
      case "name-bytes":
        mutations.push(
          { label: `${field.label}: 0xff`, bytes: withBytes(base, field.offset, Buffer.from([0xff])), expected: at },
          { label: `${field.label}: NUL`, bytes: withBytes(base, field.offset + field.size - 1, Buffer.from([0])), expected: at },
        );
        break;
    }
  }

  // the same key twice, the same tensor name twice (the twins have names of one length)
  const tagB = layout.entryOffsets.get("general.tag_b")!;
  mutations.push({ label: "key general.tag_b renamed general.tag_a", bytes: withBytes(base, tagB + 8, Buffer.from("general.tag_a")), expected: corrupt(tagB) });
  const attnK = layout.tensorInfoOffsets.get("blk.0.attn_k.weight")!;
  mutations.push({ label: "tensor attn_k renamed attn_q", bytes: withBytes(base, attnK + 8, Buffer.from("blk.0.attn_q.weight")), expected: corrupt(attnK) });

  // cut short: at (and one byte into) every field, inside every byte run, at the header's end and inside the data
  const cuts = new Set<number>([1, 2, 3]);
  for (const field of layout.fields) {
    if (field.offset > 0) cuts.add(field.offset);
    cuts.add(field.offset + Math.max(1, Math.floor(field.size / 2)));
  }
  cuts.add(layout.headerEnd);
  for (const cut of [layout.dataOffset, Math.floor((layout.dataOffset + base.length) / 2), base.length - 1]) cuts.add(cut);
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    mutations.push({ label: `cut after ${cut} of ${base.length} bytes`, bytes: base.subarray(0, cut), expected: { code: "truncated", offset: { atMost: cut } } });
  }
  return mutations;
}

/** A clear error: the file's name, what is wrong with the offset (or sizes) that show it, and what to do. */
const CLEAR_MESSAGE = /^"[^"]+\.gguf" (has a damaged GGUF header: .*at offset [\d,]+|is truncated: .*(offset [\d,]+|the file has [\d,]+ bytes|only \d+ bytes)|(uses GGUF version|is a big-endian GGUF).*)/s;

function expectProblemAt(result: GgufReadResult, expected: Expected, label: string): void {
  if (result.ok) throw new Error(`${label}: the reader accepted the damaged file`);
  if (typeof expected.offset === "number") expect(result.problem.offset, `${label}: ${result.problem.message}`).toBe(expected.offset);
  else expect(result.problem.offset, `${label}: ${result.problem.message}`).toBeLessThanOrEqual(expected.offset.atMost);
}

let dir: string;
let base: Buffer;
let layout: Layout;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-gguf-fuzz-"));
  await writeTinyGguf(join(dir, "tiny.gguf"));
  base = await readFile(join(dir, "tiny.gguf"));
  layout = layoutOf(base);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("GGUF header fuzzer", () => {
  it("accepts the intact fixture, so every error below comes from the damage", async () => {
    const inspected = await inspectModelFile(join(dir, "tiny.gguf"));
    expect(inspected).toMatchObject({ ok: true, info: { architecture: "llama", layers: 1, attentionHeads: 2, quantType: "F32", hasChatTemplate: true } });
    expect(layout.fields.length).toBeGreaterThan(100);
  });

  it("gives a clear error at the damaged offset for every mutated header, and the process lives", async () => {
    const mutations = structuralMutations(base, layout);
    const library = new ModelLibrary(join(dir, "home"));
    const codes = new Map<string, number>();
    let clear = 0;
    for (const [index, mutation] of mutations.entries()) {
      const path = join(dir, `mutated-${index}.gguf`);
      await writeFile(path, mutation.bytes);
      expectProblemAt(await readGgufHeader(path), mutation.expected, mutation.label);
      // Vocabulary-sized arrays are skipped rather than kept; the checks must be the same.
      expectProblemAt(await readGgufHeader(path, { keepArrayItems: 0 }), mutation.expected, `${mutation.label} (arrays skipped)`);
      const inspected = await inspectModelFile(path);
      if (inspected.ok) throw new Error(`${mutation.label}: inspectModelFile accepted the damaged file`);
      expect(inspected.error.code, `${mutation.label}: ${inspected.error.message}`).toBe(mutation.expected.code);
      expect(inspected.error.message, mutation.label).toMatch(CLEAR_MESSAGE);
      expect(inspected.error.hint.length, mutation.label).toBeGreaterThan(0);
      const imported = await library.importModel(path);
      expect(imported, mutation.label).toEqual({ ok: false, error: inspected.error });
      codes.set(inspected.error.code, (codes.get(inspected.error.code) ?? 0) + 1);
      clear++;
      await rm(path);
    }
    console.log(`GGUF fuzz: ${mutations.length} files, ${clear} clear errors (${[...codes].map(([code, n]) => `${n} ${code}`).join(", ")})`);
    expect(clear).toBe(mutations.length);
    expect(mutations.length).toBeGreaterThan(300);
    // Nothing damaged was copied into the library, and this process is still here to say so.
    expect(await readdir(join(library.modelsFolder)).catch(() => [])).toEqual([]);
    expect(process.exitCode ?? 0).toBe(0);
  });

  it("lets through random damage only when node-llama-cpp can read the result without aborting", async () => {
    let seed = 0x5eed;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    const files = 300;
    const accepted: string[] = [];
    let clear = 0;
    for (let index = 0; index < files; index++) {
      const bytes = Buffer.from(base);
      for (let flip = 1 + Math.floor(random() * 4); flip > 0; flip--) bytes[8 + Math.floor(random() * (layout.headerEnd - 8))] = Math.floor(random() * 256);
      const path = join(dir, `random-${index}.gguf`);
      await writeFile(path, bytes);
      const inspected = await inspectModelFile(path);
      if (inspected.ok) {
        accepted.push(path);
        continue;
      }
      expect(["corrupt-header", "truncated", "unsupported-gguf-version", "unsupported-architecture"], inspected.error.message).toContain(inspected.error.code);
      // A flipped byte in the key or value of general.architecture leaves a well-formed file of no (known) architecture.
      const aboutArchitecture = /^"[^"]+\.gguf" (does not say which architecture it is|is a ".*" model, an architecture)/s;
      expect(inspected.error.message).toMatch(new RegExp(`${CLEAR_MESSAGE.source}|${aboutArchitecture.source}`, "s"));
      clear++;
    }
    console.log(`GGUF random damage: ${files} files, ${clear} clear errors, ${accepted.length} still readable`);
    expect(clear + accepted.length).toBe(files);

    // Where a run of node-llama-cpp's reader would die, in a child process: it must read every accepted file.
    const script = `
      import { readGgufFileInfo } from "node-llama-cpp";
      let read = 0;
      for (const path of JSON.parse(process.argv[1])) {
        try { await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false, spliceSplitFiles: false }); } catch {}
        read++;
      }
      console.log("read " + read);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(accepted)], { cwd: REPO_ROOT });
    expect(stdout.trim()).toBe(`read ${accepted.length}`);
  });
});

describe("keys llama.cpp reads with a fixed type and no check of its own", () => {
  const u64 = (value: bigint): GgufValue => ({ type: GgufValueType.Uint64, value });
  it.each<[string, Record<string, GgufValue>, RegExp]>([
    ["an alignment that is not a uint32 (llama.cpp asserts on it)", { "general.alignment": u64(32n) }, /general\.alignment \(at offset [\d,]+\) is a uint64; it must be a uint32/],
    ["an architecture that is not a string", { "general.architecture": gguf.u32(7) }, /general\.architecture \(at offset [\d,]+\) is a uint32; llama\.cpp reads it as a string/],
    ["a vocabulary of numbers", { "tokenizer.ggml.tokens": gguf.i32s([1, 2, 3, 4, 5, 6]) }, /tokenizer\.ggml\.tokens \(at offset [\d,]+\) is an array of int32; llama\.cpp reads it as an array of string/],
    ["token types of the wrong width", { "tokenizer.ggml.token_type": { type: GgufValueType.Array, itemType: GgufValueType.Uint8, values: [1, 1, 1, 1, 1, 1] } }, /token_type \(at offset [\d,]+\) is an array of uint8; llama\.cpp reads it as an array of int32/],
    ["scores shorter than the vocabulary (llama.cpp would read past them)", { "tokenizer.ggml.scores": { type: GgufValueType.Array, itemType: GgufValueType.Float32, values: [0, 0] } }, /tokenizer\.ggml\.scores \(at offset [\d,]+\) has 2 items for a vocabulary of 6 tokens/],
  ])("refuses %s", async (_, changed, message) => {
    const path = join(dir, "crafted.gguf");
    await writeTinyGguf(path, { ...TINY_METADATA, ...changed });
    const inspected = await inspectModelFile(path);
    expect(inspected).toMatchObject({ ok: false, error: { code: "corrupt-header", message: expect.stringMatching(message) } });
  });

  it("accepts a file without tensors that ends with its header, as llama.cpp does", async () => {
    const path = join(dir, "vocabulary-only.gguf");
    await writeGguf(path, TINY_METADATA, []);
    const read = await readGgufHeader(path);
    if (!read.ok) throw new Error(read.problem.message);
    await writeFile(path, (await readFile(path)).subarray(0, read.header.headerEndOffset));
    expect(await readGgufHeader(path)).toMatchObject({ ok: true, header: { tensors: [], dataEndOffset: read.header.headerEndOffset } });
  });
});
