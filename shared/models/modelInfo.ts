/**
 * What Guardbench knows about one GGUF file on disk, read from its header (electron/gguf/modelFile.ts fills it).
 * Plain data so the renderer can show it and the CLI can print it as JSON.
 */
import type { FamilyId } from "../families/ids.ts";
import type { PromptFamily } from "../taxonomy/index.ts";

export interface DetectedFamily {
  family: PromptFamily;
  /** what gave it away, in words a user can check ("chat template lists S14: Code Interpreter Abuse.") */
  reason: string;
}

export interface ModelFileInfo {
  /** absolute path of the file that was inspected */
  path: string;
  fileName: string;
  fileSizeBytes: number;
  ggufVersion: number;
  /** `general.architecture`, e.g. "llama" */
  architecture: string;
  /** `general.name`, when the file has one */
  name?: string;
  /** counted from the tensor shapes, not taken from the name */
  parameterCount: number;
  /**
   * The quantisation a user would recognise: `general.file_type` as "Q4_K_M", "Q8_0", "F32" …, or, when the file does
   * not declare one, the type most of its tensor bytes use.
   */
  quantType: string;
  /** the ggml type that holds most of the tensor data ("Q6_K", "F32" …) */
  dominantTensorType?: string;
  /** `{arch}.context_length`: the context the model was trained for */
  contextLength?: number;
  /** `{arch}.block_count` */
  layers?: number;
  /** `{arch}.embedding_length` */
  embeddingWidth?: number;
  attentionHeads?: number;
  /** `{arch}.attention.head_count_kv`; equal to attentionHeads when the model has no grouped-query attention */
  kvHeads?: number;
  /** bytes of tensor data the header describes (what must be read from disk to load the weights) */
  tensorDataBytes: number;
  /** `tokenizer.chat_template` is present */
  hasChatTemplate: boolean;
  chatTemplate?: string;
  /** undefined when neither the template nor the names identify one of Guardbench's prompt formats */
  promptFamily?: DetectedFamily;
  /**
   * The guard family the file is, among every family Guardbench knows (ShieldGemma, Granite Guardian …), and whether
   * the engine scores it today (then `promptFamily` says the same). A family it cannot score yet is named, never
   * guessed into another prompt format.
   */
  guardFamily?: { family: FamilyId; name: string; reason: string; scorable: boolean };
  /** `split.count` when the file is one part of a split model (it then describes only its own tensors) */
  splitCount?: number;
  /** things that do not stop the file from loading but that a user should know */
  warnings: string[];
}

export type ModelFileErrorCode =
  /** no file at that path */
  | "file-missing"
  /** the path is a folder or something else that is not a regular file */
  | "not-a-file"
  /** the file exists but cannot be read (permissions, I/O error) */
  | "unreadable"
  /** wrong magic bytes: some other kind of file */
  | "not-gguf"
  | "unsupported-gguf-version"
  /** the GGUF header cannot be parsed */
  | "corrupt-header"
  /** shorter than its header says it should be: an interrupted download or copy */
  | "truncated"
  /** a well-formed GGUF whose architecture this build of llama.cpp cannot run */
  | "unsupported-architecture";

export interface ModelFileError {
  code: ModelFileErrorCode;
  message: string;
  /** what to do about it */
  hint: string;
}

export type ModelFileInspection = { ok: true; info: ModelFileInfo } | { ok: false; error: ModelFileError };

/** A GGUF file in the model library, as listed to the CLI and the UI (electron/models/library.ts fills it). */
export interface InstalledModel {
  /** stable library id: the path inside the models folder, "/"-separated (`owner/repo/file.gguf` = the catalog file key; `local/x.gguf` for imports) */
  id: string;
  path: string;
  fileName: string;
  /** hub: downloaded into `<owner>/<repo>/`; imported: copied in under `local/`; other: put into the models folder by hand */
  origin: "hub" | "imported" | "other";
  /** "owner/name" for Hub files */
  repo?: string;
  sizeBytes: number;
  /** the catalog entry this file is, when it is one */
  catalog?: { modelId: string; quant: string };
  /** what the GGUF header says (including the detected prompt family, `info.promptFamily`); absent when the file has a problem */
  info?: ModelFileInfo;
  /** why the file cannot be used (truncated, not a GGUF …); broken files are listed, not hidden */
  problem?: ModelFileError;
}
