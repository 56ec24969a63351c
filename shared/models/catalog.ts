/**
 * The shape of models/catalog.json: which Hub repos and GGUF files Guardbench knows, and how sure it is of each fact.
 *
 * Every fact carries the key of the source it came from (`catalog.sources`), and each source says whether it was
 * verified. A value nobody could establish is the string "unknown" rather than a guess: a wrong byte size or sha256
 * would make a correct download fail verification, and a wrong context length would mislead the fit check.
 */
import { z } from "zod";
import { PROMPT_FAMILIES } from "../taxonomy/index.ts";

export const UNKNOWN = "unknown";
export type Unknown = typeof UNKNOWN;

/**
 * GGUF quantisation names, best quality first (roughly by bits per weight). The fit check uses the order to prefer the
 * highest-quality quant that fits.
 */
export const QUANT_QUALITY_ORDER = [
  "F32",
  "BF16",
  "F16",
  "Q8_0",
  "Q6_K",
  "Q5_K_M",
  "Q5_K_S",
  "Q5_1",
  "Q5_0",
  "Q4_K_M",
  "Q4_K_S",
  "Q4_1",
  "Q4_0",
  "IQ4_XS",
  "IQ4_NL",
  "Q3_K_L",
  "Q3_K_M",
  "Q3_K_S",
  "IQ3_M",
  "IQ3_S",
  "IQ3_XS",
  "IQ3_XXS",
  "Q2_K",
  "Q2_K_S",
  "IQ2_M",
  "IQ2_S",
  "IQ2_XS",
  "IQ2_XXS",
  "IQ1_M",
  "IQ1_S",
] as const;
export type QuantName = (typeof QUANT_QUALITY_ORDER)[number];

/** 0 is best; names outside the list rank last. */
export function quantQualityRank(quant: string): number {
  const rank = (QUANT_QUALITY_ORDER as readonly string[]).indexOf(quant.toUpperCase());
  return rank === -1 ? QUANT_QUALITY_ORDER.length : rank;
}

const sourceKey = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "source keys are lower-case-with-dashes");

function fact<T extends z.ZodType>(value: T) {
  return z.strictObject({ value, source: sourceKey });
}

function factOrUnknown<T extends z.ZodType>(value: T) {
  return z.union([z.literal(UNKNOWN), fact(value)]);
}

const repoId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a Hub repo id looks like "owner/name"');
const ggufFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.gguf$/, "a plain GGUF file name (no folders) ending in .gguf");
const positiveInteger = z.number().int().positive();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "sha256 as 64 lower-case hex digits");

export const catalogSourceSchema = z.strictObject({
  /** false when the fact comes from memory or inference and must be checked against the Hub before being relied on */
  verified: z.boolean(),
  text: z.string().min(1),
});

export const catalogFileSchema = z.strictObject({
  quant: z.enum(QUANT_QUALITY_ORDER),
  repo: fact(repoId),
  file: fact(ggufFileName),
  /** exact bytes (the Hub tree's `size`) */
  sizeBytes: factOrUnknown(positiveInteger),
  /**
   * A rounded size in decimal gigabytes (10^9 bytes) from a README or a typical-size table. Good enough to estimate
   * whether the file fits in memory, never to check a download.
   */
  approxSizeGB: factOrUnknown(z.number().positive()),
  /** the Hub's LFS oid */
  sha256: factOrUnknown(sha256Hex),
  /** whether this (quantizer's) repo is gated; it often is not even when the original is */
  gated: factOrUnknown(z.boolean()),
  note: z.string().min(1).optional(),
});

export const gptqBranchSchema = z.strictObject({
  branch: z.string().regex(/^[A-Za-z0-9_-]+$/),
  bits: positiveInteger,
  /** "none" for per-column quantisation (`--1g` in the branch name) */
  groupSize: z.union([positiveInteger, z.literal("none")]),
  actOrder: z.boolean(),
  approxSizeGB: z.number().positive(),
  source: sourceKey,
});

/** A non-GGUF counterpart kept as documentation of the size/quality trade-off; llama.cpp cannot load it. */
export const relatedRepoSchema = z.strictObject({
  repo: repoId,
  format: z.literal("gptq"),
  loadableByLlamaCpp: z.literal(false),
  note: z.string().min(1),
  branches: z.array(gptqBranchSchema).min(1),
});

export const catalogModelSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: z.string().min(1),
  promptFamily: z.enum(PROMPT_FAMILIES),
  whenToChoose: z.string().min(1),
  original: z.strictObject({
    repo: fact(repoId),
    gated: factOrUnknown(z.boolean()),
    licence: factOrUnknown(z.string().min(1)),
  }),
  /** the GGUF `general.architecture` */
  architecture: factOrUnknown(z.string().min(1)),
  /** the context the model was trained for (`{arch}.context_length`) */
  contextLength: factOrUnknown(positiveInteger),
  parameterCount: factOrUnknown(positiveInteger),
  /** what the KV-cache estimate needs; filled from a GGUF header once one has been read */
  shape: z.strictObject({
    layers: factOrUnknown(positiveInteger),
    embeddingWidth: factOrUnknown(positiveInteger),
    attentionHeads: factOrUnknown(positiveInteger),
    kvHeads: factOrUnknown(positiveInteger),
  }),
  files: z.array(catalogFileSchema).min(1),
  related: z.array(relatedRepoSchema).optional(),
  notes: z.array(z.strictObject({ text: z.string().min(1), sources: z.array(sourceKey) })),
});

export const notInCatalogSchema = z.strictObject({
  name: z.string().min(1),
  repos: z.array(z.string().min(1)),
  reason: z.string().min(1),
  sources: z.array(sourceKey).min(1),
});

export const catalogSchema = z.strictObject({
  schemaVersion: z.literal(1),
  about: z.string().min(1),
  sources: z.record(sourceKey, catalogSourceSchema),
  models: z.array(catalogModelSchema).min(1),
  /** guard models that were considered and left out, with why: so nobody re-adds them without new facts */
  notInCatalog: z.array(notInCatalogSchema),
});

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogModel = z.infer<typeof catalogModelSchema>;
export type CatalogFile = z.infer<typeof catalogFileSchema>;
export type CatalogSource = z.infer<typeof catalogSourceSchema>;
export type Fact<T> = { value: T; source: string };

/** The value of a fact, or undefined when it is "unknown". */
export function knownValue<T>(fact: Fact<T> | Unknown): T | undefined {
  return fact === UNKNOWN ? undefined : fact.value;
}

/** The identity of a catalog file, equal to its id in the model library once installed (`<owner>/<repo>/<file>`). */
export function catalogFileKey(file: Pick<CatalogFile, "repo" | "file">): string {
  return `${file.repo.value}/${file.file.value}`;
}

export type ParseCatalogResult = { ok: true; catalog: Catalog } | { ok: false; problems: string[] };

/** Schema check plus the cross-references a schema cannot express: unique ids, known source keys. */
export function parseCatalog(data: unknown): ParseCatalogResult {
  const parsed = catalogSchema.safeParse(data);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`) };
  }
  const problems = [...duplicates(parsed.data.models.map((m) => m.id), "model id")];
  problems.push(...duplicates(parsed.data.models.flatMap((m) => m.files.map(catalogFileKey)), "file"));
  for (const key of referencedSourceKeys(parsed.data)) {
    if (!(key in parsed.data.sources)) problems.push(`source "${key}" is used but not defined in "sources"`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, catalog: parsed.data };
}

function duplicates(values: readonly string[], what: string): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const value of values) {
    if (seen.has(value)) problems.push(`${what} "${value}" appears more than once`);
    seen.add(value);
  }
  return problems;
}

/** Every `source` key anywhere in the catalog, found structurally so that new fact fields are covered too. */
export function referencedSourceKeys(catalog: Catalog): Set<string> {
  const keys = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    for (const [field, value] of Object.entries(node)) {
      if (field === "source" && typeof value === "string") keys.add(value);
      else if (field === "sources" && Array.isArray(value)) value.forEach((key) => typeof key === "string" && keys.add(key));
      else if (field !== "sources") visit(value);
    }
  };
  visit({ models: catalog.models, notInCatalog: catalog.notInCatalog });
  return keys;
}
