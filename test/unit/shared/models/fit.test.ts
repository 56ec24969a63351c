/** The fit rules with made-up machines: no GPU, an 8 GB GPU, a 4 GB laptop, unified memory, a failed GPU backend. */
import { describe, expect, it } from "vitest";
import catalogData from "../../../../models/catalog.json" with { type: "json" };
import { parseCatalog, type Catalog, type CatalogFile, type CatalogModel } from "../../../../shared/models/catalog.ts";
import {
  RUNTIME_OVERHEAD_BYTES,
  assessCatalog,
  estimateFromCatalog,
  rateFit,
  recommend,
  type FitCandidate,
  type HardwareProfile,
  type MemoryEstimate,
} from "../../../../shared/models/fit.ts";

const GB = 1e9;
const GIB = 1024 ** 3;

const parsed = parseCatalog(catalogData);
if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
const catalog: Catalog = parsed.catalog;

const noGpu = (ramGB: number): HardwareProfile => ({ totalRamBytes: ramGB * GB, freeRamBytes: ramGB * GB * 0.8, cpuCores: 8, cpuInferenceReason: "no GPU detected — CPU inference" });
const withGpu = (ramGB: number, vramGB: number, unifiedMemory = false): HardwareProfile => ({
  totalRamBytes: ramGB * GB,
  freeRamBytes: ramGB * GB * 0.8,
  cpuCores: 8,
  gpu: { backend: "cuda", deviceNames: ["Test GPU"], totalVramBytes: vramGB * GB, freeVramBytes: vramGB * GB, unifiedMemory },
});

/** The same memory need on every path: what a catalog estimate looks like. */
function need(bytes: number): MemoryEstimate {
  return { basis: "catalog-size-only", contextSize: 4096, fullGpu: { vramBytes: bytes, ramBytes: 0 }, cpuOnlyRamBytes: bytes, explanation: "test" };
}

function model(id: string): CatalogModel {
  return catalog.models.find((m) => m.id === id)!;
}

function file(modelId: string, key: string): CatalogFile {
  return model(modelId).files.find((f) => `${f.repo.value}/${f.file.value}` === key)!;
}

describe("rateFit", () => {
  it("on a machine without a GPU: yellow when RAM suffices, red when not, and says it is CPU inference", () => {
    const fits = rateFit(need(6 * GB), noGpu(16));
    expect(fits.rating).toBe("yellow");
    expect(fits.reason).toMatch(/^no GPU detected — CPU inference: needs 6\.0 GB of 12\.0 GB usable RAM/);
    const tooBig = rateFit(need(13 * GB), noGpu(16));
    expect(tooBig.rating).toBe("red");
    expect(tooBig.reason).toMatch(/no GPU detected — CPU inference: needs 13\.0 GB but only 12\.0 GB of RAM is usable/);
  });

  it("keeps a quarter of RAM (at most 4 GiB) for everything else", () => {
    // 4 GB laptop: 1 GB reserved, 3 GB usable.
    expect(rateFit(need(2.9 * GB), noGpu(4)).rating).toBe("yellow");
    expect(rateFit(need(3.1 * GB), noGpu(4)).rating).toBe("red");
    // 64 GB workstation: only 4 GiB reserved.
    expect(rateFit(need(64 * GB - 4 * GIB - 1), noGpu(64)).rating).toBe("yellow");
  });

  it("passes on why a GPU backend failed", () => {
    const hardware = { ...noGpu(16), cpuInferenceReason: "GPU backend failed to initialise (CUDA driver too old) — CPU inference" };
    expect(rateFit(need(1 * GB), hardware).reason).toMatch(/^GPU backend failed to initialise \(CUDA driver too old\) — CPU inference: /);
  });

  it("with an 8 GB GPU: green when it fits in VRAM less padding, yellow when split with RAM, red beyond both", () => {
    const machine = withGpu(16, 8); // VRAM usable: 8 GB − 8% = 7.36 GB; RAM usable: 12 GB
    const green = rateFit(need(7 * GB), machine);
    expect(green.rating).toBe("green");
    expect(green.reason).toMatch(/fits entirely on the GPU \(Test GPU\): needs 7\.0 GB of 7\.4 GB free VRAM/);
    const split = rateFit(need(7.5 * GB), machine);
    expect(split.rating).toBe("yellow");
    expect(split.reason).toMatch(/partial GPU offload/);
    expect(rateFit(need(19 * GB), machine).rating).toBe("yellow");
    expect(rateFit(need(20 * GB), machine).rating).toBe("red");
  });

  it("uses free VRAM, not total: a GPU another program fills is not free", () => {
    const machine = withGpu(16, 8);
    machine.gpu!.freeVramBytes = 2 * GB;
    expect(rateFit(need(4 * GB), machine).rating).toBe("yellow");
  });

  it("does not count unified memory twice", () => {
    const mac = withGpu(16, 16, true); // VRAM usable 14.72 GB, RAM usable 12 GB, but they are one pool
    expect(rateFit(need(13 * GB), mac).rating).toBe("green");
    expect(rateFit(need(15 * GB), mac).rating).toBe("red");
  });
});

describe("estimateFromCatalog", () => {
  const lg3 = model("llama-guard-3-8b");
  const q4 = file("llama-guard-3-8b", "QuantFactory/Llama-Guard-3-8B-GGUF/Llama-Guard-3-8B.Q4_K_M.gguf");

  it("without the model's shape: approximate size + 20% per 4096 tokens + compute buffers, labelled a rough estimate", () => {
    const result = estimateFromCatalog(lg3, q4, 4096);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.estimate.basis).toBe("catalog-size-only");
    expect(result.estimate.cpuOnlyRamBytes).toBeCloseTo(4.92 * GB * 1.2 + RUNTIME_OVERHEAD_BYTES, -3);
    expect(result.estimate.explanation).toMatch(/^rough estimate: ~4\.9 GB file \(approximate size\) \+ 98\d\.\d MB assumed for the KV cache of a 4096-token context/);
    const longer = estimateFromCatalog(lg3, q4, 8192);
    expect(longer.ok && longer.estimate.cpuOnlyRamBytes).toBeCloseTo(4.92 * GB * 1.4 + RUNTIME_OVERHEAD_BYTES, -3);
  });

  it("with the model's shape: exact KV cache arithmetic", () => {
    const shaped: CatalogModel = {
      ...lg3,
      shape: {
        layers: { value: 32, source: "test" },
        embeddingWidth: { value: 4096, source: "test" },
        attentionHeads: { value: 32, source: "test" },
        kvHeads: { value: 8, source: "test" },
      },
    };
    const result = estimateFromCatalog(shaped, q4, 4096);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const kvCache = 2 * 32 * 4096 * 1024 * 2; // K and V × layers × tokens × (4096 / 32 × 8) wide × F16
    expect(kvCache).toBe(536_870_912);
    expect(result.estimate.basis).toBe("catalog-shape");
    expect(result.estimate.cpuOnlyRamBytes).toBe(4.92 * GB + kvCache + RUNTIME_OVERHEAD_BYTES);
    expect(result.estimate.explanation).toMatch(/536\.9 MB KV cache for a 4096-token context \(K and V × 32 layers × 1024 wide × 2 bytes\)/);
  });

  it("prefers the exact byte size to the rounded one", () => {
    const chat = model("llama-2-13b-chat");
    const q4km = file("llama-2-13b-chat", "TheBloke/Llama-2-13B-chat-GGUF/llama-2-13b-chat.Q4_K_M.gguf");
    const result = estimateFromCatalog(chat, q4km, 4096);
    expect(result.ok && result.estimate.explanation).toMatch(/^rough estimate: 7\.9 GB file \+/);
    expect(result.ok && result.estimate.cpuOnlyRamBytes).toBeCloseTo(7_865_956_224 * 1.2 + RUNTIME_OVERHEAD_BYTES, -3);
  });

  it("caps the context at the model's own maximum", () => {
    const chat = model("llama-2-13b-chat");
    const result = estimateFromCatalog(chat, chat.files[0]!, 32_768);
    expect(result.ok && result.estimate.contextSize).toBe(4096);
    expect(result.ok && result.estimate.explanation).toMatch(/4096-token context \(the model's maximum\)/);
  });

  it("cannot estimate a file whose size the catalog does not know", () => {
    const q6 = file("llama-guard-3-1b", "bartowski/Llama-Guard-3-1B-GGUF/Llama-Guard-3-1B-Q6_K.gguf");
    expect(estimateFromCatalog(model("llama-guard-3-1b"), q6, 4096)).toMatchObject({ ok: false, reason: expect.stringMatching(/file size unknown/) });
  });
});

describe("assessCatalog and its recommendation", () => {
  const assess = (hardware: HardwareProfile, extra: Partial<Parameters<typeof assessCatalog>[0]> = {}) =>
    assessCatalog({ catalog, hardware, contextSize: 4096, headerEstimates: new Map(), ...extra });

  it("with an 8 GB GPU recommends the best Llama Guard 3 8B quant that fits entirely on it, preferring the one with a known sha256", () => {
    const report = assess(withGpu(16, 8));
    expect(report.recommendation?.candidate.fileKey).toBe("QuantFactory/Llama-Guard-3-8B-GGUF/Llama-Guard-3-8B.Q4_K_M.gguf");
    expect(report.recommendation?.reason).toMatch(/Llama Guard 3 8B Q4_K_M: the highest-quality quant of it that fits entirely on the GPU/);
    const q5 = report.candidates.find((c) => c.fileKey.endsWith("Llama-Guard-3-8B.Q5_K_M.gguf"));
    expect(q5?.assessment.rating).toBe("yellow");
  });

  it("on a 4 GB machine without a GPU falls back to Llama Guard 3 1B on the CPU, and says why", () => {
    const report = assess(noGpu(4));
    expect(report.candidates.filter((c) => c.modelId === "llama-guard-3-8b").every((c) => c.assessment.rating === "red")).toBe(true);
    expect(report.recommendation?.candidate.fileKey).toBe("bartowski/Llama-Guard-3-1B-GGUF/Llama-Guard-3-1B-Q8_0.gguf");
    expect(report.recommendation?.reason).toMatch(/^Llama Guard 3 1B Q8_0: the highest-quality quant of it that runs on this machine, though not entirely on a GPU/);
  });

  it("without a GPU leads with a model small enough for the CPU, quantised rather than F16", () => {
    const report = assess(noGpu(24));
    // The 8B runs here too, and the F16 of the 1B would fit: the choice is about speed, not fit.
    expect(report.candidates.find((c) => c.fileKey.endsWith("Llama-Guard-3-8B-Q8_0.gguf"))?.assessment.rating).toBe("yellow");
    expect(report.candidates.find((c) => c.fileKey.endsWith("Llama-Guard-3-1B-f16.gguf"))?.assessment.rating).toBe("yellow");
    expect(report.recommendation?.candidate.fileKey).toBe("bartowski/Llama-Guard-3-1B-GGUF/Llama-Guard-3-1B-Q8_0.gguf");
    expect(assess(noGpu(24), { preferredModelId: "llama-guard-3-8b" }).recommendation?.candidate.quant).toBe("Q8_0");
  });

  it("honours a preferred model", () => {
    const report = assess(withGpu(32, 24), { preferredModelId: "llama-guard-1-7b" });
    expect(report.recommendation?.candidate.fileKey).toBe("TheBloke/LlamaGuard-7B-GGUF/llamaguard-7b.Q8_0.gguf");
  });

  it("rates files of unknown size as unknown and never recommends them", () => {
    const report = assess(withGpu(64, 80));
    const unknown = report.candidates.filter((c) => c.assessment.rating === "unknown").map((c) => c.fileKey);
    expect(unknown).toEqual(["bartowski/Llama-Guard-3-1B-GGUF/Llama-Guard-3-1B-Q5_K_M.gguf", "bartowski/Llama-Guard-3-1B-GGUF/Llama-Guard-3-1B-Q6_K.gguf"]);
    expect(report.recommendation?.candidate.fileKey).toBe("bartowski/Llama-Guard-3-8B-GGUF/Llama-Guard-3-8B-f16.gguf");
  });

  it("uses the GGUF header's estimate for an installed file and prefers it among equal quants", () => {
    const installedKey = "bartowski/Llama-Guard-3-8B-GGUF/Llama-Guard-3-8B-Q4_K_M.gguf";
    const header: MemoryEstimate = { ...need(5.5 * GB), basis: "gguf-header" };
    const report = assess(withGpu(16, 6.5), { headerEstimates: new Map([[installedKey, header]]) });
    const installed = report.candidates.find((c) => c.fileKey === installedKey)!;
    expect(installed).toMatchObject({ installed: true, assessment: { rating: "green", estimate: { basis: "gguf-header" } } });
    // Catalog says ~6.4 GB for the same quant: too much for 6.5 GB − 8% of VRAM, so only the installed copy is green.
    expect(report.candidates.find((c) => c.fileKey.endsWith("Llama-Guard-3-8B.Q4_K_M.gguf"))?.assessment.rating).toBe("yellow");
    expect(report.recommendation?.candidate.fileKey).toBe(installedKey);
  });

  it("recommends nothing when nothing fits", () => {
    expect(assess(noGpu(1)).recommendation).toBeUndefined();
  });
});

describe("recommend", () => {
  const candidate = (modelId: string, quant: string, rating: FitCandidate["assessment"]["rating"], extra: Partial<FitCandidate> = {}): FitCandidate => ({
    modelId,
    modelName: modelId,
    fileKey: `${modelId}/${quant}`,
    quant,
    installed: false,
    hasSha256: false,
    assessment: { rating, reason: "" },
    ...extra,
  });

  it("takes green over a higher-quality yellow of the same model", () => {
    const picked = recommend([candidate("a", "Q8_0", "yellow"), candidate("a", "Q4_K_M", "green")], ["a"]);
    expect(picked?.candidate.quant).toBe("Q4_K_M");
  });

  it("takes the preferred model's yellow over the next model's green", () => {
    const picked = recommend([candidate("a", "Q4_K_M", "yellow"), candidate("b", "Q8_0", "green")], ["a", "b"]);
    expect(picked?.candidate.modelId).toBe("a");
  });

  it("breaks ties between equal quants by installed, then known sha256", () => {
    const tie = [candidate("a", "Q4_K_M", "green", { fileKey: "plain" }), candidate("a", "Q4_K_M", "green", { fileKey: "sha", hasSha256: true }), candidate("a", "Q4_K_M", "green", { fileKey: "installed", installed: true })];
    expect(recommend(tie, ["a"])?.candidate.fileKey).toBe("installed");
    expect(recommend(tie.slice(0, 2), ["a"])?.candidate.fileKey).toBe("sha");
  });
});
