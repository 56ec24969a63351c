/**
 * Will this model run on this machine, and how well? Pure logic: hardware and memory estimates come in as data
 * (electron/engine/hardware.ts measures them), so every rule here is unit-tested with made-up machines.
 *
 * - green: the whole model and its context fit in free GPU memory.
 * - yellow: it runs, but slower: split between GPU and RAM, or CPU-only with enough RAM.
 * - red: it does not fit at all.
 * - unknown: the catalog does not know the file's size, so no estimate can be made before downloading it.
 */
import { catalogFileKey, knownValue, quantQualityRank, type Catalog, type CatalogFile, type CatalogModel } from "./catalog.ts";
import { formatBytes } from "../format/bytes.ts";

export { formatBytes };

export interface GpuInfo {
  /** node-llama-cpp's backend name: "cuda", "vulkan", "metal" */
  backend: string;
  deviceNames: string[];
  totalVramBytes: number;
  freeVramBytes: number;
  /** Apple-silicon style: the GPU uses system RAM, so VRAM and RAM are one pool */
  unifiedMemory: boolean;
}

export interface HardwareProfile {
  totalRamBytes: number;
  freeRamBytes: number;
  cpuCores: number;
  /** absent when inference will run on the CPU */
  gpu?: GpuInfo;
  /** why inference runs on the CPU: "no GPU detected — CPU inference", or why the GPU backend failed */
  cpuInferenceReason?: string;
}

export type EstimateBasis =
  /** node-llama-cpp's estimate from the GGUF header of a file on disk */
  | "gguf-header"
  /** catalog file size plus a KV cache computed from the model's shape */
  | "catalog-shape"
  /** catalog file size plus a flat allowance, because the model's shape is unknown */
  | "catalog-size-only";

export interface MemoryEstimate {
  basis: EstimateBasis;
  /** the context size the estimate is for (capped at the model's own context length when that is known) */
  contextSize: number;
  /** with every layer on the GPU */
  fullGpu: { vramBytes: number; ramBytes: number };
  /** with no GPU at all */
  cpuOnlyRamBytes: number;
  /** how the numbers were obtained, for the user */
  explanation: string;
}

export type FitRating = "green" | "yellow" | "red" | "unknown";

export interface FitAssessment {
  rating: FitRating;
  /** the verdict in one sentence; how the memory figure was obtained is in `estimate.explanation` */
  reason: string;
  estimate?: MemoryEstimate;
}

/** Context size the fit check assumes by default: a Llama Guard prompt (taxonomy + a conversation) stays well under it. */
export const DEFAULT_FIT_CONTEXT = 4096;

const GIB = 1024 ** 3;
/** Part of RAM left to the OS, the app and the page cache: a quarter, at most 4 GiB. */
const RAM_RESERVE_FRACTION = 0.25;
const RAM_RESERVE_MAX_BYTES = 4 * GIB;
/** Free VRAM kept back, as node-llama-cpp's own default `vramPadding` does: 8% of the total, at most 1.6 GiB. */
const VRAM_RESERVE_FRACTION = 0.08;
const VRAM_RESERVE_MAX_BYTES = 1.6 * GIB;
/**
 * llama.cpp's compute and output buffers for one context (batch 512, Llama 3 sized vocabulary). A flat allowance for
 * catalog estimates; estimates from a GGUF header compute it instead.
 */
export const RUNTIME_OVERHEAD_BYTES = 512 * 1024 ** 2;
/**
 * Without the model's shape the KV cache cannot be computed. Assume it takes this share of the weights per
 * DEFAULT_FIT_CONTEXT tokens, so that a longer context still costs more: a rough rule, labelled as such wherever it is used.
 */
export const UNKNOWN_SHAPE_KV_FRACTION = 0.2;
/** The KV cache is stored as F16: 2 bytes per value. */
const KV_BYTES_PER_VALUE = 2;

export function usableRamBytes(hardware: HardwareProfile): number {
  return hardware.totalRamBytes - Math.min(hardware.totalRamBytes * RAM_RESERVE_FRACTION, RAM_RESERVE_MAX_BYTES);
}

export function usableVramBytes(gpu: GpuInfo): number {
  return Math.max(0, gpu.freeVramBytes - Math.min(gpu.totalVramBytes * VRAM_RESERVE_FRACTION, VRAM_RESERVE_MAX_BYTES));
}

/** "4.9 GB": decimal units, as the Hub and model cards print sizes. */

const CPU_INFERENCE = "no GPU detected — CPU inference";

export function rateFit(estimate: MemoryEstimate, hardware: HardwareProfile): FitAssessment {
  const ram = usableRamBytes(hardware);
  const rated = (rating: FitRating, reason: string): FitAssessment => ({ rating, reason, estimate });
  const gpu = hardware.gpu;
  if (!gpu) {
    const why = hardware.cpuInferenceReason ?? CPU_INFERENCE;
    return estimate.cpuOnlyRamBytes <= ram
      ? rated("yellow", `${why}: needs ${formatBytes(estimate.cpuOnlyRamBytes)} of ${formatBytes(ram)} usable RAM`)
      : rated("red", `${why}: needs ${formatBytes(estimate.cpuOnlyRamBytes)} but only ${formatBytes(ram)} of RAM is usable`);
  }
  const vram = usableVramBytes(gpu);
  const device = gpu.deviceNames[0] ?? gpu.backend;
  if (estimate.fullGpu.vramBytes <= vram && estimate.fullGpu.ramBytes <= ram) {
    return rated("green", `fits entirely on the GPU (${device}): needs ${formatBytes(estimate.fullGpu.vramBytes)} of ${formatBytes(vram)} free VRAM`);
  }
  // With unified memory the GPU's share comes out of the same RAM, so splitting gains nothing.
  const combined = gpu.unifiedMemory ? ram : ram + vram;
  if (estimate.cpuOnlyRamBytes <= combined) {
    return rated(
      "yellow",
      `partial GPU offload: needs ${formatBytes(estimate.cpuOnlyRamBytes)}, more than the ${formatBytes(vram)} of free VRAM on ${device}; ` +
        "the remaining layers run from RAM, which is slower",
    );
  }
  return rated(
    "red",
    `needs ${formatBytes(estimate.cpuOnlyRamBytes)} but only ${formatBytes(vram)} of free VRAM` +
      `${gpu.unifiedMemory ? " (shared with RAM)" : ` and ${formatBytes(ram)} of usable RAM`} are available`,
  );
}

export type CatalogEstimate = { ok: true; estimate: MemoryEstimate } | { ok: false; reason: string };

/** Memory for a catalog file that is not on disk: its size plus the KV cache for `contextSize` tokens. */
export function estimateFromCatalog(model: CatalogModel, file: CatalogFile, contextSize: number): CatalogEstimate {
  const exactBytes = knownValue(file.sizeBytes);
  const approxGB = knownValue(file.approxSizeGB);
  const weightsBytes = exactBytes ?? (approxGB === undefined ? undefined : approxGB * 1e9);
  if (weightsBytes === undefined) {
    return { ok: false, reason: "file size unknown in the catalog: no estimate before it is downloaded (`guardbench models list` rates installed files)" };
  }
  const sizeText = exactBytes === undefined ? `~${formatBytes(weightsBytes)} file (approximate size)` : `${formatBytes(weightsBytes)} file`;
  const modelContext = knownValue(model.contextLength);
  const context = modelContext === undefined ? contextSize : Math.min(contextSize, modelContext);
  const contextText = context < contextSize ? `${context}-token context (the model's maximum)` : `${context}-token context`;

  const layers = knownValue(model.shape.layers);
  const width = knownValue(model.shape.embeddingWidth);
  const heads = knownValue(model.shape.attentionHeads);
  const kvHeads = knownValue(model.shape.kvHeads);
  let total: number;
  let basis: EstimateBasis;
  let explanation: string;
  if (layers !== undefined && width !== undefined && heads !== undefined && kvHeads !== undefined) {
    const kvWidth = (width / heads) * kvHeads;
    const kvCacheBytes = 2 * layers * context * kvWidth * KV_BYTES_PER_VALUE;
    total = weightsBytes + kvCacheBytes + RUNTIME_OVERHEAD_BYTES;
    basis = "catalog-shape";
    explanation =
      `estimate: ${sizeText} + ${formatBytes(kvCacheBytes)} KV cache for a ${contextText} ` +
      `(K and V × ${layers} layers × ${kvWidth} wide × 2 bytes) + ${formatBytes(RUNTIME_OVERHEAD_BYTES)} compute buffers`;
  } else {
    const kvAllowance = weightsBytes * UNKNOWN_SHAPE_KV_FRACTION * (context / DEFAULT_FIT_CONTEXT);
    total = weightsBytes + kvAllowance + RUNTIME_OVERHEAD_BYTES;
    basis = "catalog-size-only";
    explanation =
      `rough estimate: ${sizeText} + ${formatBytes(kvAllowance)} assumed for the KV cache of a ${contextText} ` +
      `(${UNKNOWN_SHAPE_KV_FRACTION * 100}% of the file per ${DEFAULT_FIT_CONTEXT} tokens, since the model's shape is not in the catalog) ` +
      `+ ${formatBytes(RUNTIME_OVERHEAD_BYTES)} compute buffers; exact once the file is downloaded`;
  }
  return { ok: true, estimate: { basis, contextSize: context, fullGpu: { vramBytes: total, ramBytes: 0 }, cpuOnlyRamBytes: total, explanation } };
}

export interface FitCandidate {
  modelId: string;
  modelName: string;
  /** `<owner>/<repo>/<file>`: the catalog file key, which is also its library id once installed */
  fileKey: string;
  quant: string;
  installed: boolean;
  /** a download can be verified against a known sha256 */
  hasSha256: boolean;
  assessment: FitAssessment;
}

export interface Recommendation {
  candidate: FitCandidate;
  reason: string;
}

/**
 * The best file to use: the highest-quality quant of the most preferred model that rates green, else the best that
 * rates yellow, else the same for the next model in `modelPreference`. Among equal quants, an installed file wins,
 * then one with a known sha256.
 */
export function recommend(candidates: readonly FitCandidate[], modelPreference: readonly string[]): Recommendation | undefined {
  for (const [index, modelId] of modelPreference.entries()) {
    const ofModel = candidates.filter((c) => c.modelId === modelId);
    for (const rating of ["green", "yellow"] as const) {
      const best = [...ofModel.filter((c) => c.assessment.rating === rating)].sort(byPreference)[0];
      if (!best) continue;
      const where =
        rating === "green"
          ? "fits entirely on the GPU"
          : "runs on this machine, though not entirely on a GPU (a smaller quant runs faster if this one is too slow)";
      const fallback = index === 0 ? "" : ` (no quant of ${describeModels(candidates, modelPreference.slice(0, index))} fits)`;
      return { candidate: best, reason: `${best.modelName} ${best.quant}: the highest-quality quant of it that ${where}${fallback}` };
    }
  }
  return undefined;
}

function byPreference(a: FitCandidate, b: FitCandidate): number {
  return (
    quantQualityRank(a.quant) - quantQualityRank(b.quant) ||
    Number(b.installed) - Number(a.installed) ||
    Number(b.hasSha256) - Number(a.hasSha256)
  );
}

function describeModels(candidates: readonly FitCandidate[], modelIds: readonly string[]): string {
  return modelIds.map((id) => candidates.find((c) => c.modelId === id)?.modelName ?? id).join(" or ");
}

/**
 * Without a GPU every token is computed on the CPU, so the recommendation leads with models small enough to classify a
 * chat in seconds (under CPU_FRIENDLY_PARAMETERS), then the catalog's order. A user can still pick a larger one.
 */
const CPU_FRIENDLY_PARAMETERS = 3e9;

function cpuFirstOrder(catalog: Catalog): string[] {
  const small = (model: CatalogModel) => (knownValue(model.parameterCount) ?? Infinity) < CPU_FRIENDLY_PARAMETERS;
  return [...catalog.models.filter(small), ...catalog.models.filter((m) => !small(m))].map((model) => model.id);
}

/** F16/F32 weights on a CPU are twice the bytes of Q8_0 to read per token, for no measurable gain in verdicts. */
function isUnquantised(quant: string): boolean {
  return quantQualityRank(quant) < quantQualityRank("Q8_0");
}

export interface FitReport {
  contextSize: number;
  hardware: HardwareProfile;
  /** every catalog file, in catalog order */
  candidates: FitCandidate[];
  /** absent when nothing in the catalog fits */
  recommendation?: Recommendation;
}

export interface AssessCatalogInput {
  catalog: Catalog;
  hardware: HardwareProfile;
  contextSize: number;
  /** estimates read from the GGUF headers of installed, readable catalog files, by file key */
  headerEstimates: ReadonlyMap<string, MemoryEstimate>;
  /** the model to recommend first; the catalog's own order decides the rest */
  preferredModelId?: string;
}

/** Rates every catalog file for this machine: from its GGUF header when it is installed, else from catalog data. */
export function assessCatalog({ catalog, hardware, contextSize, headerEstimates, preferredModelId }: AssessCatalogInput): FitReport {
  const candidates = catalog.models.flatMap((model) =>
    model.files.map((file): FitCandidate => {
      const fileKey = catalogFileKey(file);
      const headerEstimate = headerEstimates.get(fileKey);
      const estimate: CatalogEstimate = headerEstimate ? { ok: true, estimate: headerEstimate } : estimateFromCatalog(model, file, contextSize);
      return {
        modelId: model.id,
        modelName: model.name,
        fileKey,
        quant: file.quant,
        installed: headerEstimate !== undefined,
        hasSha256: knownValue(file.sha256) !== undefined,
        assessment: estimate.ok ? rateFit(estimate.estimate, hardware) : { rating: "unknown", reason: estimate.reason },
      };
    }),
  );
  const catalogOrder = hardware.gpu ? catalog.models.map((model) => model.id) : cpuFirstOrder(catalog);
  const preference = preferredModelId ? [preferredModelId, ...catalogOrder.filter((id) => id !== preferredModelId)] : catalogOrder;
  const recommendation = recommend(hardware.gpu ? candidates : candidates.filter((c) => !isUnquantised(c.quant)), preference);
  return { contextSize, hardware, candidates, ...(recommendation ? { recommendation } : {}) };
}
