/**
 * GGUF files without native code: a bounds-checked reader of the header (metadata, arrays, tensor table), what a model
 * file is (`inspectModelFile`: architecture, quantisation, shape, prompt family, or why it cannot be used), and the
 * llama.cpp facts that needs (architectures, ggml types) as data.
 *
 * Every path that hands a file to node-llama-cpp or llama.cpp passes `inspectModelFile` first: their own GGUF readers
 * trust the lengths in the file, and one damaged length aborts the process (issue #11).
 *
 * Who may import it: engine/, models/, host/ and cli/ (eslint-layers.mjs), through this file only. It imports only
 * Node and shared/: never node-llama-cpp or another native addon, never another electron/ folder (eslint.config.js
 * enforces both), so the model library, the CLI and `guardbench serve` can read any file in their own process safely.
 */
export { inspectModelFile } from "./modelFile.ts";
export {
  GGUF_LIMITS,
  GgufValueType,
  ggufVersionProblem,
  metadataNumber,
  metadataNumbers,
  metadataString,
  readGgufHeader,
  SUPPORTED_GGUF_VERSIONS,
  type GgufArray,
  type GgufHeader,
  type GgufMetadataEntry,
  type GgufProblem,
  type GgufProblemKind,
  type GgufReadOptions,
  type GgufReadResult,
  type GgufScalar,
  type GgufTensorInfo,
} from "./reader.ts";
export { fileTypeName, GGML_TYPES, GGUF_FILE_TYPES, REMOVED_GGML_TYPES, type GgmlTypeLayout } from "./ggmlTypes.ts";
export { LLAMA_CPP_ARCHITECTURES } from "./architectures.ts";
