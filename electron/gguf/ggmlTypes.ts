/**
 * The ggml tensor types and GGUF file types llama.cpp knows, as data. They are copied here (from node-llama-cpp 3.22's
 * `GgmlType` / `GgufFileType` and ggml's type traits) because reading them from node-llama-cpp would load its native
 * addon; test/integration/gguf.test.ts checks every entry against node-llama-cpp and its binding, so an update that
 * changes them fails there rather than here.
 */

export interface GgmlTypeLayout {
  name: string;
  /** elements per quantisation block (1 for plain types) */
  blockElements: number;
  /** bytes per block */
  blockBytes: number;
}

/**
 * Every tensor type this build of llama.cpp reads, by its number. Numbers missing here are either unknown or types that
 * ggml removed (Q4_2, Q4_3, the Q4_0_4_4 … interleaved types); llama.cpp refuses both, and so does the reader.
 */
export const GGML_TYPES: ReadonlyMap<number, GgmlTypeLayout> = new Map(
  (
    [
      [0, "F32", 1, 4],
      [1, "F16", 1, 2],
      [2, "Q4_0", 32, 18],
      [3, "Q4_1", 32, 20],
      [6, "Q5_0", 32, 22],
      [7, "Q5_1", 32, 24],
      [8, "Q8_0", 32, 34],
      [9, "Q8_1", 32, 36],
      [10, "Q2_K", 256, 84],
      [11, "Q3_K", 256, 110],
      [12, "Q4_K", 256, 144],
      [13, "Q5_K", 256, 176],
      [14, "Q6_K", 256, 210],
      [15, "Q8_K", 256, 292],
      [16, "IQ2_XXS", 256, 66],
      [17, "IQ2_XS", 256, 74],
      [18, "IQ3_XXS", 256, 98],
      [19, "IQ1_S", 256, 50],
      [20, "IQ4_NL", 32, 18],
      [21, "IQ3_S", 256, 110],
      [22, "IQ2_S", 256, 82],
      [23, "IQ4_XS", 256, 136],
      [24, "I8", 1, 1],
      [25, "I16", 1, 2],
      [26, "I32", 1, 4],
      [27, "I64", 1, 8],
      [28, "F64", 1, 8],
      [29, "IQ1_M", 256, 56],
      [30, "BF16", 1, 2],
      [34, "TQ1_0", 256, 54],
      [35, "TQ2_0", 256, 66],
      [39, "MXFP4", 32, 17],
      [40, "NVFP4", 64, 36],
      [41, "Q1_0", 128, 18],
      [42, "Q2_0", 64, 18],
    ] as const
  ).map(([type, name, blockElements, blockBytes]) => [type, { name, blockElements, blockBytes }]),
);

/** Types ggml once had and dropped: named in the error so a user learns the file is old, not random bytes. */
export const REMOVED_GGML_TYPES: ReadonlyMap<number, string> = new Map([
  [4, "Q4_2"],
  [5, "Q4_3"],
  [31, "Q4_0_4_4"],
  [32, "Q4_0_4_8"],
  [33, "Q4_0_8_8"],
  [36, "IQ4_NL_4_4"],
  [37, "IQ4_NL_4_8"],
  [38, "IQ4_NL_8_8"],
]);

/** `general.file_type` values (llama.cpp's llama_ftype) by number, as quantizers name them. */
export const GGUF_FILE_TYPES: readonly string[] = [
  "ALL_F32",
  "MOSTLY_F16",
  "MOSTLY_Q4_0",
  "MOSTLY_Q4_1",
  "MOSTLY_Q4_1_SOME_F16",
  "MOSTLY_Q4_2",
  "MOSTLY_Q4_3",
  "MOSTLY_Q8_0",
  "MOSTLY_Q5_0",
  "MOSTLY_Q5_1",
  "MOSTLY_Q2_K",
  "MOSTLY_Q3_K_S",
  "MOSTLY_Q3_K_M",
  "MOSTLY_Q3_K_L",
  "MOSTLY_Q4_K_S",
  "MOSTLY_Q4_K_M",
  "MOSTLY_Q5_K_S",
  "MOSTLY_Q5_K_M",
  "MOSTLY_Q6_K",
  "MOSTLY_IQ2_XXS",
  "MOSTLY_IQ2_XS",
  "MOSTLY_Q2_K_S",
  "MOSTLY_IQ3_XS",
  "MOSTLY_IQ3_XXS",
  "MOSTLY_IQ1_S",
  "MOSTLY_IQ4_NL",
  "MOSTLY_IQ3_S",
  "MOSTLY_IQ3_M",
  "MOSTLY_IQ2_S",
  "MOSTLY_IQ2_M",
  "MOSTLY_IQ4_XS",
  "MOSTLY_IQ1_M",
  "MOSTLY_BF16",
  "MOSTLY_Q4_0_4_4",
  "MOSTLY_Q4_0_4_8",
  "MOSTLY_Q4_0_8_8",
  "MOSTLY_TQ1_0",
  "MOSTLY_TQ2_0",
  "MOSTLY_MXFP4_MOE",
  "MOSTLY_NVFP4",
  "MOSTLY_Q1_0",
  "MOSTLY_Q2_0",
];

/** "Q4_K_M" for MOSTLY_Q4_K_M, "F32" for ALL_F32: the names quantizers put in file names. */
export function fileTypeName(fileType: number | undefined): string | undefined {
  if (fileType === undefined) return undefined;
  return GGUF_FILE_TYPES[fileType]?.replace(/^(MOSTLY|ALL)_/, "");
}
