/**
 * What this machine offers for inference (RAM, GPU backend, VRAM) and what a model file needs, measured through
 * node-llama-cpp. The judgement (green/yellow/red) is pure and lives in shared/models/fit.ts.
 */
import { availableParallelism, freemem, totalmem } from "node:os";
import { getLlama, GgufInsights, LlamaLogLevel, readGgufFileInfo, type Llama } from "node-llama-cpp";
import type { HardwareProfile, MemoryEstimate } from "../../shared/models/fit.ts";
import { formatBytes } from "../../shared/models/fit.ts";
import type { ModelFileError } from "../../shared/models/modelInfo.ts";
import { inspectModelFile } from "../gguf/index.ts";

/** "auto" tries CUDA, Vulkan or Metal and falls back to the CPU; false goes straight to the CPU. */
export type GpuMode = "auto" | false;

/** `GUARDBENCH_GPU=off` (or cpu/false/0) forces CPU inference, e.g. for a flaky driver or for tests. */
export function gpuModeFromEnv(env: Record<string, string | undefined>): GpuMode {
  const setting = env.GUARDBENCH_GPU?.trim().toLowerCase();
  return setting && ["off", "cpu", "false", "0", "no"].includes(setting) ? false : "auto";
}

export interface AcquiredLlama {
  llama: Llama;
  /** set when inference will run on the CPU, saying why */
  cpuInferenceReason?: string;
}

/**
 * A llama.cpp instance that never builds or downloads anything: a GPU backend when one works, else the CPU, with the
 * reason recorded so the user learns why their GPU is not used.
 */
export async function acquireLlama(gpu: GpuMode): Promise<AcquiredLlama> {
  const quiet = { logLevel: LlamaLogLevel.error, build: "never" as const };
  if (gpu === false) return { llama: await getLlama({ ...quiet, gpu: false }), cpuInferenceReason: "GPU turned off — CPU inference" };
  try {
    const llama = await getLlama({ ...quiet, gpu: "auto" });
    return llama.gpu === false ? { llama, cpuInferenceReason: "no GPU detected — CPU inference" } : { llama };
  } catch (error) {
    return {
      llama: await getLlama({ ...quiet, gpu: false }),
      cpuInferenceReason: `GPU backend failed to initialise (${error instanceof Error ? error.message : String(error)}) — CPU inference`,
    };
  }
}

export async function detectHardware(options: { gpu?: GpuMode } = {}): Promise<HardwareProfile> {
  const ram = { totalRamBytes: totalmem(), freeRamBytes: freemem(), cpuCores: availableParallelism() };
  const { llama, cpuInferenceReason } = await acquireLlama(options.gpu ?? "auto");
  try {
    if (llama.gpu === false) return { ...ram, cpuInferenceReason: cpuInferenceReason ?? "no GPU detected — CPU inference" };
    const [vram, deviceNames] = await Promise.all([llama.getVramState(), llama.getGpuDeviceNames()]);
    return {
      ...ram,
      gpu: {
        backend: llama.gpu,
        deviceNames,
        totalVramBytes: vram.total,
        freeVramBytes: vram.free,
        unifiedMemory: vram.unifiedSize > 0,
      },
    };
  } finally {
    await llama.dispose();
  }
}

export type FileEstimateResult = { ok: true; estimate: MemoryEstimate } | { ok: false; error: ModelFileError };

/**
 * Memory a GGUF file needs at `contextSize` (capped at its trained context), from node-llama-cpp's estimates over the
 * header: weights plus KV cache and compute buffers, once with every layer on the GPU and once on the CPU only.
 * Reads only the header, and hands it to node-llama-cpp only once our own reader has accepted it (node-llama-cpp's
 * reader trusts the lengths in the file). Loads the native addon: call it in a worker (estimateMemoryInWorker).
 * Never throws.
 */
export async function estimateModelFileMemory(path: string, contextSize: number): Promise<FileEstimateResult> {
  const checked = await inspectModelFile(path);
  if (!checked.ok) return checked;
  try {
    const fileInfo = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false, spliceSplitFiles: false });
    const insights = await GgufInsights.from(fileInfo);
    const context = Math.min(contextSize, insights.trainContextSize ?? contextSize);
    const allLayers = insights.totalLayers;
    const onGpuModel = insights.estimateModelResourceRequirements({ gpuLayers: allLayers });
    const onGpuContext = insights.estimateContextResourceRequirements({ contextSize: context, modelGpuLayers: allLayers, sequences: 1 });
    const onCpuModel = insights.estimateModelResourceRequirements({ gpuLayers: 0 });
    const onCpuContext = insights.estimateContextResourceRequirements({ contextSize: context, modelGpuLayers: 0, sequences: 1 });
    const cpuOnlyRamBytes = onCpuModel.cpuRam + onCpuModel.gpuVram + onCpuContext.cpuRam + onCpuContext.gpuVram;
    return {
      ok: true,
      estimate: {
        basis: "gguf-header",
        contextSize: context,
        fullGpu: { vramBytes: onGpuModel.gpuVram + onGpuContext.gpuVram, ramBytes: onGpuModel.cpuRam + onGpuContext.cpuRam },
        cpuOnlyRamBytes,
        explanation:
          `estimate from the GGUF header: ${formatBytes(onCpuModel.cpuRam + onCpuModel.gpuVram)} of weights + ` +
          `${formatBytes(onCpuContext.cpuRam + onCpuContext.gpuVram)} KV cache and buffers for a ${context}-token context`,
      },
    };
  } catch (error) {
    return {
      ok: false,
      error: {
        code: "corrupt-header",
        message: `Cannot estimate the memory ${path} needs: ${error instanceof Error ? error.message : String(error)}.`,
        hint: "The header has values node-llama-cpp cannot use; try another copy of the model.",
      },
    };
  }
}
