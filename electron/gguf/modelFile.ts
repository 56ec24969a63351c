/**
 * Says what a GGUF file is, or exactly why it cannot be used, from its header alone (no weights are read, and no native
 * code runs): a listing of many multi-gigabyte models stays cheap, and a damaged file is a message, never a crash.
 */
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { detectGuardFamily, detectPromptFamily } from "../../shared/models/detectFamily.ts";
import { isPromptFamily } from "../../shared/families/ids.ts";
import { FAMILY_REGISTRY } from "../../shared/families/registry.ts";
import type { ModelFileError, ModelFileErrorCode, ModelFileInfo, ModelFileInspection } from "../../shared/models/modelInfo.ts";
import { LLAMA_CPP_ARCHITECTURES } from "./architectures.ts";
import { fileTypeName, GGML_TYPES } from "./ggmlTypes.ts";
import { metadataNumber, metadataNumbers, metadataString, readGgufHeader, type GgufHeader, type GgufProblem } from "./reader.ts";

const GGUF_MAGIC = "GGUF";
/** Enough of the start of a file to recognise what else it might be. */
const SNIFF_BYTES = 64;

const REDOWNLOAD_HINT = "Download the file again; if it came from the Hub, use its resolve URL (or `guardbench models pull`).";
const TRUNCATED_HINT = `The download or copy was interrupted. ${REDOWNLOAD_HINT}`;
const DAMAGED_HINT = `The file is damaged. ${REDOWNLOAD_HINT}`;

/** Never throws: every problem comes back as `{ ok: false, error }` with a message and a hint. */
export async function inspectModelFile(path: string): Promise<ModelFileInspection> {
  const fileName = basename(path);
  const fail = (code: ModelFileErrorCode, message: string, hint: string): { ok: false; error: ModelFileError } => ({ ok: false, error: { code, message, hint } });
  try {
    try {
      const stats = await stat(path);
      if (!stats.isFile()) return fail("not-a-file", `${path} is not a file${stats.isDirectory() ? " (it is a folder)" : ""}.`, "Give the path of a .gguf file.");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return fail("file-missing", `No file at ${path}.`, "Check the path; `guardbench models list` shows installed models.");
      return fail("unreadable", `Cannot read ${path}: ${messageOf(error)}.`, "Check the file's permissions.");
    }

    const head = await readHead(path, SNIFF_BYTES);
    if (head.subarray(0, 4).toString("latin1") !== GGUF_MAGIC) {
      if (GGUF_MAGIC.startsWith(head.toString("latin1")) && head.length > 0) return fail("truncated", tooShort(fileName, head.length), TRUNCATED_HINT);
      const foreign = describeForeignContent(head);
      return fail("not-gguf", `"${fileName}" is not a GGUF model file: it ${foreign.looksLike}.`, foreign.hint);
    }
    if (head.length < 8) return fail("truncated", tooShort(fileName, head.length), TRUNCATED_HINT);

    const read = await readGgufHeader(path);
    if (!read.ok) return { ok: false, error: headerProblem(fileName, read.problem) };
    const { header } = read;

    const architecture = metadataString(header, "general.architecture");
    if (!architecture) {
      return fail("corrupt-header", `"${fileName}" does not say which architecture it is (no general.architecture).`, `The file is damaged or was not written by a GGUF converter. ${REDOWNLOAD_HINT}`);
    }
    if (!LLAMA_CPP_ARCHITECTURES.has(architecture)) {
      return fail(
        "unsupported-architecture",
        `"${fileName}" is a "${architecture}" model, an architecture this build of llama.cpp cannot run.`,
        'Use a GGUF of a supported architecture (every Llama Guard model is "llama"), or update Guardbench if the architecture is new.',
      );
    }
    return { ok: true, info: describeModelFile(path, header, architecture) };
  } catch (error) {
    return fail("unreadable", `Cannot inspect ${path}: ${messageOf(error)}.`, "Check that the file is readable and not being written right now.");
  }
}

function tooShort(fileName: string, bytes: number): string {
  return `"${fileName}" is truncated: it has only ${bytes} bytes, not even a whole GGUF header.`;
}

function headerProblem(fileName: string, problem: GgufProblem): ModelFileError {
  switch (problem.kind) {
    case "not-gguf":
      return { code: "not-gguf", message: `"${fileName}" is not a GGUF model file: ${problem.message}`, hint: `Check that this is the model file. ${REDOWNLOAD_HINT}` };
    case "unsupported-version":
      return { code: "unsupported-gguf-version", message: `"${fileName}" ${problem.message}`, hint: problem.hint ?? REDOWNLOAD_HINT };
    case "truncated":
      return { code: "truncated", message: `"${fileName}" is truncated: ${problem.message}`, hint: TRUNCATED_HINT };
    case "corrupt":
      return { code: "corrupt-header", message: `"${fileName}" has a damaged GGUF header: ${problem.message}`, hint: DAMAGED_HINT };
  }
}

function describeModelFile(path: string, header: GgufHeader, architecture: string): ModelFileInfo {
  const fileName = basename(path);
  const name = metadataString(header, "general.name");
  const chatTemplate = metadataString(header, "tokenizer.chat_template");
  const dominantTensorType = dominantTypeOf(header);
  const archNumber = (key: string) => largestOf(header, `${architecture}.${key}`);
  const headCount = archNumber("attention.head_count");
  return {
    path,
    fileName,
    fileSizeBytes: header.fileSizeBytes,
    ggufVersion: header.version,
    architecture,
    ...(name ? { name } : {}),
    parameterCount: header.tensors.reduce((sum, tensor) => sum + tensor.elements, 0),
    quantType: fileTypeName(metadataNumber(header, "general.file_type")) ?? dominantTensorType ?? "unknown",
    ...(dominantTensorType ? { dominantTensorType } : {}),
    ...optional("contextLength", archNumber("context_length")),
    ...optional("layers", archNumber("block_count")),
    ...optional("embeddingWidth", archNumber("embedding_length")),
    ...optional("attentionHeads", headCount),
    ...optional("kvHeads", archNumber("attention.head_count_kv") ?? headCount),
    tensorDataBytes: header.tensors.reduce((sum, tensor) => sum + tensor.byteSize, 0),
    hasChatTemplate: chatTemplate !== undefined && chatTemplate.length > 0,
    ...(chatTemplate ? { chatTemplate } : {}),
    ...optional("promptFamily", detectPromptFamily({ chatTemplate, name, fileName, architecture })),
    ...optional("guardFamily", guardFamilyOf(detectGuardFamily({ chatTemplate, name, fileName, architecture }))),
    ...optional("splitCount", splitCountOf(header)),
    warnings: warningsFor(header),
  };
}

function guardFamilyOf(detected: ReturnType<typeof detectGuardFamily>): ModelFileInfo["guardFamily"] {
  return detected && { ...detected, name: FAMILY_REGISTRY[detected.family].displayName, scorable: isPromptFamily(detected.family) };
}

/** A number, or the largest of a per-layer array (some architectures vary heads by layer). */
function largestOf(header: GgufHeader, key: string): number | undefined {
  const single = metadataNumber(header, key);
  if (single !== undefined) return Number.isFinite(single) ? single : undefined;
  const perLayer = metadataNumbers(header, key);
  // Folded, not spread into Math.max: a hostile file's array can be longer than a call's argument list may be.
  return perLayer && perLayer.length > 0 ? perLayer.reduce((largest, entry) => Math.max(largest, entry), -Infinity) : undefined;
}

/** The ggml type that holds the most elements (node-llama-cpp's rule for a file that declares no file type). */
function dominantTypeOf(header: GgufHeader): string | undefined {
  const elementsByType = new Map<number, number>();
  for (const tensor of header.tensors) elementsByType.set(tensor.ggmlType, (elementsByType.get(tensor.ggmlType) ?? 0) + tensor.elements);
  let dominant: number | undefined;
  for (const [type, elements] of [...elementsByType].sort(([a], [b]) => a - b)) {
    if (dominant === undefined || elements > elementsByType.get(dominant)!) dominant = type;
  }
  return dominant === undefined ? undefined : GGML_TYPES.get(dominant)?.name;
}

function warningsFor(header: GgufHeader): string[] {
  const warnings: string[] = [];
  if (metadataString(header, "tokenizer.ggml.model") === "gpt2" && !header.metadata.has("tokenizer.ggml.pre")) {
    // llama.cpp then falls back to its default pre-tokenizer and logs "missing pre-tokenizer type".
    warnings.push("The file has no pre-tokenizer setting (tokenizer.ggml.pre), so llama.cpp uses its default; tokens, and so scores, may differ from the original model's.");
  }
  const splitCount = splitCountOf(header);
  if (splitCount !== undefined) warnings.push(`This is one part of a model split into ${splitCount} files; all parts must sit side by side to load it.`);
  return warnings;
}

/** `split.count` when above 1: the file is one part of a split model */
function splitCountOf(header: GgufHeader): number | undefined {
  const count = metadataNumber(header, "split.count");
  return count !== undefined && count > 1 ? count : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
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
