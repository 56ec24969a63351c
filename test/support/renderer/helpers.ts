/** Builders shared by the renderer tests: a store on a fake bridge, and results shaped like the engine's. */
import { act } from "@testing-library/react";
import type { ClassificationResult } from "../../../shared/classify/result.ts";
import { ok, type EngineStatus, type RunSummary } from "../../../shared/ipc/index.ts";
import type { PromptFamily } from "../../../shared/taxonomy/index.ts";
import { createFakeBridge, type FakeBridge, type FakeHandlers } from "../../../renderer/src/bridge/index.ts";
import { createAppStore, type AppStore } from "../../../renderer/src/store/index.ts";
import type { SelectionStorage } from "../../../renderer/src/features/app/rememberedSelection.ts";

export interface TestStore {
  store: AppStore;
  bridge: FakeBridge;
  clipboard: string[];
  savedFiles: Array<{ fileName: string; text: string }>;
  savedBlobs: Array<{ fileName: string; blob: Blob }>;
}

/** `storage`: where Review and Evaluation remember their selection (none: nothing is kept, as before). */
export function createTestStore(handlers: FakeHandlers = {}, storage?: SelectionStorage): TestStore {
  const bridge = createFakeBridge(handlers);
  const clipboard: string[] = [];
  const savedFiles: TestStore["savedFiles"] = [];
  const savedBlobs: TestStore["savedBlobs"] = [];
  const store = createAppStore(
    bridge,
    {
      writeClipboard: async (text) => void clipboard.push(text),
      saveTextFile: (fileName, text) => void savedFiles.push({ fileName, text }),
      saveBlob: (fileName, blob) => void savedBlobs.push({ fileName, blob }),
    },
    storage ? { storage } : {},
  );
  return { store, bridge, clipboard, savedFiles, savedBlobs };
}

export function readyEngine(family: PromptFamily = "llama-guard-3-1b"): EngineStatus {
  return { state: "ready", model: { id: "local/model.gguf", path: "/models/local/model.gguf", family, contextSize: 4096 }, compute: { device: "cpu", reason: "no GPU detected — CPU inference" } };
}

/** A result like the programmed fixture model's: `\n\nunsafe\nS3`, P(unsafe) = 0.8. */
export function unsafeS3Result(overrides: Partial<ClassificationResult> = {}): ClassificationResult {
  return {
    verdict: "unsafe",
    categories: ["S3"],
    pUnsafe: 0.8,
    pSafe: 0.2,
    pUnsafeNormalized: 0.8,
    score: 0.8,
    threshold: 0.5,
    flagged: true,
    categoryScores: [
      { code: "S1", name: "Violent Crimes.", p: 0.18 },
      { code: "S3", name: "Sex Crimes.", p: 0.82 },
    ],
    categoryScoresMethod: "forced-prefix",
    tokens: [
      { id: 271, text: "\n\n", p: 1, top: [{ id: 271, text: "\n\n", p: 1 }] },
      { id: 39257, text: "unsafe", p: 0.8, top: [{ id: 39257, text: "unsafe", p: 0.8 }, { id: 19193, text: "safe", p: 0.2 }] },
      { id: 198, text: "\n", p: 1, top: [] },
      { id: 50, text: "S", p: 1, top: [] },
      { id: 18, text: "3", p: 0.8176, top: [{ id: 18, text: "3", p: 0.8176 }, { id: 16, text: "1", p: 0.1824 }] },
    ],
    decisionTokenIndex: 1,
    outputText: "\n\nunsafe\nS3",
    target: "prompt",
    prompt: { text: "…", tokenCount: 226 },
    model: { path: "/models/local/model.gguf", family: "llama-guard-3-1b" },
    timingsMs: { prompt: 250, generation: 1000, categories: 40, total: 1290 },
    ...overrides,
  };
}

/** Handlers for everything `refreshAll` asks, answering an empty machine; spread and override per test. */
export function emptyMachineHandlers(): FakeHandlers {
  return {
    "engine:status": () => ok({ state: "idle" }),
    "job:list": () => ok({ jobs: [] }),
    "models:list": () => ok({ modelsDir: "/models", models: [] }),
    "models:hardware": () => ok({ totalRamBytes: 16e9, freeRamBytes: 8e9, cpuCores: 8, cpuInferenceReason: "no GPU detected — CPU inference" }),
    "hf:token-status": () => ok({ present: false, source: "none" }),
    "policies:list": () => ok({ policies: [] }),
    "history:list": () => ok({ items: [] }),
    "datasets:list": () => ok({ datasets: [], demos: [], failedImports: [] }),
    "runs:list": () => ok({ runs: [] }),
  };
}

/**
 * Lets pending promise callbacks (fake bridge answers) run, inside act() so React commits what they set before the
 * test looks: outside act, a commit waits for React's scheduler, which a loaded machine can run after the timer here.
 */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

/** A finished run of the Llama Guard 3 1B fixture in the app, as `runs:list` lists it; tests override what they vary. */
export function runSummary(overrides: Partial<RunSummary> & Pick<RunSummary, "id" | "datasetId">): RunSummary {
  return {
    datasetName: "dataset",
    model: { path: "/models/guard.gguf", sha256: "a".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" },
    policyName: "Acme",
    settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1 },
    state: "done",
    counts: { items: 3, scored: 3, failed: 0, pending: 0 },
    origin: "app",
    createdAt: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}
