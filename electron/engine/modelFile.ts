/**
 * Reads a GGUF file's header and says what the file is, or exactly why it cannot be used. Nothing here loads weights:
 * the header (metadata + tensor table) is enough to check the magic, version, completeness and architecture, so a
 * listing of many multi-gigabyte models stays cheap.
 */
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { GgmlType, GgufFileType, GgufInsights, readGgufFileInfo, type GgufFileInfo, type GgufTensorInfo } from "node-llama-cpp";
import { detectPromptFamily } from "../../shared/models/detectFamily.ts";
import type { ModelFileError, ModelFileErrorCode, ModelFileInfo, ModelFileInspection } from "../../shared/models/modelInfo.ts";

const GGUF_MAGIC = "GGUF";
/** GGUF versions llama.cpp reads; version 1 was dropped long ago. */
const SUPPORTED_GGUF_VERSIONS = [2, 3];
/** Enough of the start of a file to recognise what else it might be. */
const SNIFF_BYTES = 64;

const REDOWNLOAD_HINT = "Download the file again; if it came from the Hub, use its resolve URL (or `guardbench models pull`).";
const TRUNCATED_HINT = `The download or copy was interrupted. ${REDOWNLOAD_HINT}`;

/** A GGUF file that passed every check, with the parsed header for callers that estimate memory from it. */
export interface ValidatedGguf {
  path: string;
  fileSizeBytes: number;
  fileInfo: GgufFileInfo;
  insights: GgufInsights;
  tensorDataBytes: number;
  /** false when some tensor has a type this file's table does not know (its bytes then count as zero) */
  tensorDataBytesExact: boolean;
  /** `split.count`: a part of a split model describes only its own tensors */
  splitCount: number;
}

export type ValidatedGgufResult = { ok: true; gguf: ValidatedGguf } | { ok: false; error: ModelFileError };

/** Never throws: every problem comes back as `{ ok: false, error }` with a message and a hint. */
export async function inspectModelFile(path: string): Promise<ModelFileInspection> {
  const validated = await readValidatedGguf(path);
  return validated.ok ? { ok: true, info: describeModelFile(validated.gguf) } : validated;
}

/** The checks of `inspectModelFile`, returning the parsed header itself (for resource estimates). Never throws. */
export async function readValidatedGguf(path: string): Promise<ValidatedGgufResult> {
  const fileName = basename(path);
  const fail = (code: ModelFileErrorCode, message: string, hint: string): ValidatedGgufResult => ({ ok: false, error: { code, message, hint } });
  const failTooShort = (bytes: number) => fail("truncated", `"${fileName}" is truncated: it has only ${bytes} bytes, not even a whole GGUF header.`, TRUNCATED_HINT);
  try {
    let fileSizeBytes: number;
    try {
      const stats = await stat(path);
      if (!stats.isFile()) return fail("not-a-file", `${path} is not a file${stats.isDirectory() ? " (it is a folder)" : ""}.`, "Give the path of a .gguf file.");
      fileSizeBytes = stats.size;
    } catch (error) {
      if (errorCode(error) === "ENOENT") return fail("file-missing", `No file at ${path}.`, "Check the path; `guardbench models list` shows installed models.");
      return fail("unreadable", `Cannot read ${path}: ${messageOf(error)}.`, "Check the file's permissions.");
    }

    const head = await readHead(path, SNIFF_BYTES);
    if (head.subarray(0, 4).toString("latin1") !== GGUF_MAGIC) {
      if (GGUF_MAGIC.startsWith(head.toString("latin1")) && head.length > 0) return failTooShort(head.length);
      const foreign = describeForeignContent(head);
      return fail("not-gguf", `"${fileName}" is not a GGUF model file: it ${foreign.looksLike}.`, foreign.hint);
    }
    if (head.length < 8) return failTooShort(head.length);
    const versionProblem = ggufVersionProblem(head.readUInt32LE(4));
    if (versionProblem) return fail("unsupported-gguf-version", `"${fileName}" ${versionProblem.message}`, versionProblem.hint);

    let fileInfo: GgufFileInfo;
    try {
      // One file at a time: a part of a split model is described as itself (its split count becomes a warning).
      fileInfo = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false, spliceSplitFiles: false });
    } catch (error) {
      return fail("corrupt-header", `"${fileName}" has a GGUF header that cannot be read: ${messageOf(error)}.`, `The file is damaged. ${REDOWNLOAD_HINT}`);
    }

    // Past the end of the file the reader sees zeros, so a header cut short can still "parse"; where it ends gives it away.
    const headerEnd = fileInfo.infoEndOffset ?? 0;
    if (fileSizeBytes < headerEnd) {
      return fail("truncated", `"${fileName}" is truncated: the file ends inside its GGUF header, after only ${formatCount(fileSizeBytes)} bytes.`, TRUNCATED_HINT);
    }
    const layout = tensorDataLayout(fileInfo);
    if (fileSizeBytes < layout.endOffset) {
      const percent = Math.floor((fileSizeBytes / layout.endOffset) * 100);
      return fail(
        "truncated",
        `"${fileName}" is truncated: its header describes ${formatCount(layout.endOffset)} bytes${layout.exact ? "" : " or more"} ` +
          `but the file has ${formatCount(fileSizeBytes)} bytes (${percent}% present).`,
        TRUNCATED_HINT,
      );
    }

    const architecture = fileInfo.metadata?.general?.architecture as string | undefined;
    if (!architecture) {
      return fail("corrupt-header", `"${fileName}" does not say which architecture it is (no general.architecture).`, `The file is damaged or was not written by a GGUF converter. ${REDOWNLOAD_HINT}`);
    }
    const insights = await GgufInsights.from(fileInfo);
    if (!insights.isSupportedByLlamaCpp) {
      return fail(
        "unsupported-architecture",
        `"${fileName}" is a "${architecture}" model, an architecture this build of llama.cpp cannot run.`,
        'Use a GGUF of a supported architecture (every Llama Guard model is "llama"), or update Guardbench if the architecture is new.',
      );
    }
    const splitCount = Number((fileInfo.metadata as { split?: { count?: unknown } }).split?.count ?? 1);
    return { ok: true, gguf: { path, fileSizeBytes, fileInfo, insights, tensorDataBytes: layout.dataBytes, tensorDataBytesExact: layout.exact, splitCount } };
  } catch (error) {
    return fail("unreadable", `Cannot inspect ${path}: ${messageOf(error)}.`, "Check that the file is readable and not being written right now.");
  }
}

export function describeModelFile({ path, fileSizeBytes, fileInfo, insights, tensorDataBytes, splitCount }: ValidatedGguf): ModelFileInfo {
  const general = fileInfo.metadata.general;
  const arch = fileInfo.architectureMetadata;
  const chatTemplate = fileInfo.metadata.tokenizer?.chat_template;
  const dominantType = insights.dominantTensorType;
  const dominantTensorType = dominantType === undefined ? undefined : GgmlType[dominantType];
  const fileName = basename(path);
  const architecture = String(general.architecture);
  const warnings = [...insights.getWarnings(path)];
  if (splitCount > 1) {
    warnings.push(`This is one part of a model split into ${splitCount} files; all parts must sit side by side to load it.`);
  }
  return {
    path,
    fileName,
    fileSizeBytes,
    ggufVersion: fileInfo.version,
    architecture,
    ...(general.name ? { name: general.name } : {}),
    parameterCount: insights.totalParameters,
    quantType: fileTypeName(general.file_type) ?? dominantTensorType ?? "unknown",
    ...(dominantTensorType ? { dominantTensorType } : {}),
    ...definedNumber("contextLength", arch.context_length),
    ...definedNumber("layers", arch.block_count),
    ...definedNumber("embeddingWidth", arch.embedding_length),
    ...definedNumber("attentionHeads", arch.attention?.head_count),
    ...definedNumber("kvHeads", arch.attention?.head_count_kv ?? arch.attention?.head_count),
    tensorDataBytes,
    hasChatTemplate: typeof chatTemplate === "string" && chatTemplate.length > 0,
    ...(chatTemplate ? { chatTemplate } : {}),
    ...optional("promptFamily", detectPromptFamily({ chatTemplate, name: general.name, fileName, architecture })),
    warnings,
  };
}

function definedNumber<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  // Per-layer arrays (some architectures vary heads by layer) are summarised by their largest entry.
  const number = Array.isArray(value) ? Math.max(...value.map(Number)) : Number(value);
  return value === undefined || value === null || !Number.isFinite(number) ? {} : ({ [key]: number } as Record<K, number>);
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** "Q4_K_M" for MOSTLY_Q4_K_M, "F32" for ALL_F32: the names quantizers put in file names. */
function fileTypeName(fileType: number | undefined): string | undefined {
  if (fileType === undefined) return undefined;
  const enumName = GgufFileType[fileType] as string | undefined;
  return enumName?.replace(/^(MOSTLY|ALL)_/, "");
}

/**
 * Elements per block and bytes per block of each ggml tensor type, as ggml's type traits define them (checked against
 * node-llama-cpp 3.22.1's `getBlockSizeForGgmlType` / `getTypeSizeForGgmlType`). Kept here because the binding is
 * internal to node-llama-cpp; a type missing from this table only makes the truncation check a lower bound.
 */
const GGML_BLOCK_LAYOUT: Partial<Record<GgmlType, readonly [elementsPerBlock: number, bytesPerBlock: number]>> = {
  [GgmlType.F32]: [1, 4],
  [GgmlType.F16]: [1, 2],
  [GgmlType.Q4_0]: [32, 18],
  [GgmlType.Q4_1]: [32, 20],
  [GgmlType.Q5_0]: [32, 22],
  [GgmlType.Q5_1]: [32, 24],
  [GgmlType.Q8_0]: [32, 34],
  [GgmlType.Q8_1]: [32, 36],
  [GgmlType.Q2_K]: [256, 84],
  [GgmlType.Q3_K]: [256, 110],
  [GgmlType.Q4_K]: [256, 144],
  [GgmlType.Q5_K]: [256, 176],
  [GgmlType.Q6_K]: [256, 210],
  [GgmlType.Q8_K]: [256, 292],
  [GgmlType.IQ2_XXS]: [256, 66],
  [GgmlType.IQ2_XS]: [256, 74],
  [GgmlType.IQ3_XXS]: [256, 98],
  [GgmlType.IQ1_S]: [256, 50],
  [GgmlType.IQ4_NL]: [32, 18],
  [GgmlType.IQ3_S]: [256, 110],
  [GgmlType.IQ2_S]: [256, 82],
  [GgmlType.IQ4_XS]: [256, 136],
  [GgmlType.I8]: [1, 1],
  [GgmlType.I16]: [1, 2],
  [GgmlType.I32]: [1, 4],
  [GgmlType.I64]: [1, 8],
  [GgmlType.F64]: [1, 8],
  [GgmlType.IQ1_M]: [256, 56],
  [GgmlType.BF16]: [1, 2],
  [GgmlType.TQ1_0]: [256, 54],
  [GgmlType.TQ2_0]: [256, 66],
  [GgmlType.MXFP4]: [32, 17],
  [GgmlType.NVFP4]: [64, 36],
  [GgmlType.Q1_0]: [128, 18],
  [GgmlType.Q2_0]: [64, 18],
};

function tensorBytes(tensor: GgufTensorInfo): number | undefined {
  const layout = GGML_BLOCK_LAYOUT[tensor.ggmlType];
  if (!layout) return undefined;
  const elements = tensor.dimensions.reduce<number>((product, dim) => product * Number(dim), 1);
  return Math.ceil(elements / layout[0]) * layout[1];
}

/**
 * Where the tensor data the header describes ends (absolute file offset) and how many bytes of it there are.
 * `exact` is false when some tensor has a type this table does not know; its size then counts as zero.
 */
function tensorDataLayout(fileInfo: GgufFileInfo): { endOffset: number; dataBytes: number; exact: boolean } {
  let endOffset = 0;
  let dataBytes = 0;
  let exact = true;
  for (const tensor of fileInfo.fullTensorInfo ?? []) {
    const bytes = tensorBytes(tensor);
    if (bytes === undefined) exact = false;
    dataBytes += bytes ?? 0;
    endOffset = Math.max(endOffset, Number(tensor.fileOffset) + (bytes ?? 0));
  }
  return { endOffset, dataBytes, exact };
}

function ggufVersionProblem(version: number): { message: string; hint: string } | undefined {
  if (SUPPORTED_GGUF_VERSIONS.includes(version)) return undefined;
  const byteSwapped = ((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24);
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

interface ForeignContent {
  looksLike: string;
  hint: string;
}

const WEB_PAGE_HINT =
  "A web page or error response was saved instead of the model: usually a login, licence or error page from a gated repo or a wrong URL. " +
  "Download the file again from its resolve URL, with a Hugging Face token if the repo is gated.";

/** What a file that is not GGUF most likely is, judged from its first bytes, so the user knows what went wrong. */
function describeForeignContent(head: Buffer): ForeignContent {
  if (head.length === 0) return { looksLike: "is empty (0 bytes)", hint: REDOWNLOAD_HINT };
  const text = head.toString("latin1").replace(/^\uFEFF|^\xEF\xBB\xBF/, "").trimStart();
  const lower = text.toLowerCase();
  if (lower.startsWith("<!doctype html") || lower.startsWith("<html") || lower.startsWith("<head") || lower.startsWith("<body")) {
    return { looksLike: `looks like an HTML page (starts with ${quote(text)})`, hint: WEB_PAGE_HINT };
  }
  if (lower.startsWith("<?xml")) return { looksLike: `looks like an XML document (starts with ${quote(text)})`, hint: WEB_PAGE_HINT };
  if (text.startsWith("version https://git-lfs")) {
    return {
      looksLike: "is a Git LFS pointer file, not the model itself",
      hint: "Run `git lfs pull` in the cloned repo, or download the file through its resolve URL instead of cloning.",
    };
  }
  if (head.length >= 9 && head[8] === 0x7b /* { */ && head.readBigUInt64LE(0) < 100_000_000n) {
    return {
      looksLike: "looks like a safetensors file (an 8-byte length followed by a JSON header)",
      hint: "llama.cpp needs GGUF. Download the GGUF version of the model (often a separate repo ending in -GGUF), or convert it with llama.cpp's convert_hf_to_gguf.py.",
    };
  }
  if (text.startsWith("{") || text.startsWith("[")) return { looksLike: `looks like JSON (starts with ${quote(text)})`, hint: WEB_PAGE_HINT };
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    return {
      looksLike: "is a ZIP archive (PyTorch .bin/.pt checkpoints are ZIP files)",
      hint: "If it is a PyTorch checkpoint, download the GGUF version of the model instead; if it is an archive, extract the .gguf from it.",
    };
  }
  if (head[0] === 0x80 && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) {
    return { looksLike: "looks like a Python pickle (an old PyTorch checkpoint)", hint: "Download the GGUF version of the model instead." };
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return { looksLike: "is gzip-compressed", hint: "Decompress it first and import the .gguf inside." };
  const oldGgmlMagic = ["lmgg", "fmgg", "tjgg", "algg"].find((magic) => head.subarray(0, 4).toString("latin1") === magic);
  if (oldGgmlMagic) {
    return {
      looksLike: "is an old GGML/GGJT model (the format before GGUF, e.g. *.ggmlv3.*.bin)",
      hint: "Current llama.cpp reads only GGUF. Download the GGUF version of this model.",
    };
  }
  const printable = /^[\x20-\x7e\t\r\n]+$/.test(head.toString("latin1"));
  return printable
    ? { looksLike: `is a text file (starts with ${quote(text)})`, hint: "Check that you picked the model file and not a README or a list of links." }
    : {
        looksLike: `starts with the bytes ${[...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ")} instead of "GGUF"`,
        hint: `Check that this is the model file. ${REDOWNLOAD_HINT}`,
      };
}

function formatCount(bytes: number): string {
  return bytes.toLocaleString("en-US");
}

function quote(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  return JSON.stringify(firstLine.length > 24 ? `${firstLine.slice(0, 24)}…` : firstLine);
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");
}
