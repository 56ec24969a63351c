/**
 * Hardware detection and memory estimates on this machine, through real node-llama-cpp (CPU only: tests never let it
 * probe a GPU backend, build or download), plus `guardbench models fit` in a child process.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectHardware, estimateModelFileMemory, gpuModeFromEnv } from "../../../../electron/engine/hardware.ts";
import { detectHardwareInWorker, EngineProcess, estimateMemoryInWorker, forkWorker, type WorkerSpawner } from "../../../../electron/engine/engineProcess.ts";
import { assessFit, ModelLibrary } from "../../../../electron/models/library.ts";
import { rateFit, type FitReport, type HardwareProfile } from "../../../../shared/models/fit.ts";
import { writeProgrammedModel } from "../../../fixtures/models.ts";
import { GUARDBENCH_CLI, REPO_ROOT } from "../../../support/paths.ts";

const run = promisify(execFile);

let dir: string;
let fixturePath: string;
let hardware: HardwareProfile;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-hardware-"));
  fixturePath = (await writeProgrammedModel(join(dir, "fixture.gguf"), { transitions: [] })).path;
  hardware = await detectHardware({ gpu: false });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("detectHardware in a worker of its own (what the app and serve use)", () => {
  it("reports what detection in this process reports, and stops the worker it started", async () => {
    const spawned: Array<{ exited: boolean }> = [];
    const countingSpawner: WorkerSpawner = () => {
      const handle = forkWorker();
      const record = { exited: false };
      spawned.push(record);
      handle.onExit(() => (record.exited = true));
      return handle;
    };
    const inWorker = await detectHardwareInWorker(countingSpawner, false);
    const { freeRamBytes: _free, ...stable } = hardware;
    expect(inWorker).toMatchObject(stable);
    expect(spawned).toHaveLength(1);
    await expect.poll(() => spawned[0]!.exited).toBe(true);
  });

  it("is refused by a worker that has a model loaded, whose llama.cpp instance detection would dispose", async () => {
    const engine = new EngineProcess();
    try {
      await engine.load({ modelPath: fixturePath, family: "llama-guard-3-1b", gpu: false, threads: 1, contextSize: 512 });
      await expect(engine.detectHardware(false)).rejects.toMatchObject({ code: "engine-busy" });
    } finally {
      engine.dispose();
    }
  });
});

describe("detectHardware", () => {
  it("reports RAM and CPU cores, and CPU inference with its reason", () => {
    expect(hardware.totalRamBytes).toBeGreaterThan(0);
    expect(hardware.freeRamBytes).toBeGreaterThan(0);
    expect(hardware.freeRamBytes).toBeLessThanOrEqual(hardware.totalRamBytes);
    expect(hardware.cpuCores).toBeGreaterThanOrEqual(1);
    expect(hardware.gpu).toBeUndefined();
    expect(hardware.cpuInferenceReason).toMatch(/— CPU inference$/);
  });

  it("reads GUARDBENCH_GPU", () => {
    expect(gpuModeFromEnv({})).toBe("auto");
    expect(gpuModeFromEnv({ GUARDBENCH_GPU: "off" })).toBe(false);
    expect(gpuModeFromEnv({ GUARDBENCH_GPU: " CPU " })).toBe(false);
    expect(gpuModeFromEnv({ GUARDBENCH_GPU: "auto" })).toBe("auto");
  });
});

describe("estimateModelFileMemory", () => {
  it("estimates the fixture from its GGUF header: weights plus a context-dependent KV cache", async () => {
    const at4096 = await estimateModelFileMemory(fixturePath, 4096);
    const at1024 = await estimateModelFileMemory(fixturePath, 1024);
    expect(at4096.ok && at1024.ok).toBe(true);
    if (!at4096.ok || !at1024.ok) return;
    const weights = 65_831_680; // every tensor of the fixture, F32
    expect(at4096.estimate).toMatchObject({ basis: "gguf-header", contextSize: 4096 });
    expect(at4096.estimate.cpuOnlyRamBytes).toBeGreaterThan(weights);
    expect(at4096.estimate.cpuOnlyRamBytes).toBeGreaterThan(at1024.estimate.cpuOnlyRamBytes);
    expect(at4096.estimate.explanation).toMatch(/^estimate from the GGUF header: 65\.8 MB of weights \+ \d+\.\d MB KV cache and buffers for a 4096-token context$/);
  });

  it("caps the context at what the model was trained for", async () => {
    const result = await estimateModelFileMemory(fixturePath, 1_000_000);
    expect(result.ok && result.estimate.contextSize).toBe(4096);
  });

  it("returns the file's problem instead of an estimate for a broken file", async () => {
    const html = join(dir, "page.gguf");
    await writeFile(html, "<html></html>");
    expect(await estimateModelFileMemory(html, 4096)).toMatchObject({ ok: false, error: { code: "not-gguf" } });
  });

  it("rates the fixture yellow on this CPU-only machine, saying why", async () => {
    const result = await estimateModelFileMemory(fixturePath, 4096);
    if (!result.ok) throw new Error(result.error.message);
    const assessment = rateFit(result.estimate, hardware);
    expect(assessment.rating).toBe("yellow");
    expect(assessment.reason.startsWith(`${hardware.cpuInferenceReason}: needs`)).toBe(true);
  });
});

describe("assessFit", () => {
  it("rates an installed catalog file from its header and an import separately", async () => {
    const home = await mkdtemp(join(dir, "home-"));
    const library = new ModelLibrary(home);
    const catalogKey = "QuantFactory/Llama-Guard-3-1B-GGUF/Llama-Guard-3-1B.Q4_K_M.gguf";
    await mkdir(dirname(library.hubFilePath(catalogKey)), { recursive: true });
    await copyFile(fixturePath, library.hubFilePath(catalogKey));
    await library.importModel(fixturePath);

    const report = await assessFit(library, { hardware, contextSize: 2048, estimateMemory: (paths, context) => estimateMemoryInWorker(forkWorker, paths, context) });
    const installed = report.candidates.find((c) => c.fileKey === catalogKey);
    expect(installed).toMatchObject({ installed: true, assessment: { rating: "yellow", estimate: { basis: "gguf-header", contextSize: 2048 } } });
    expect(report.candidates.filter((c) => c.installed)).toHaveLength(1);
    expect(report.otherInstalled).toMatchObject([{ id: "local/fixture.gguf", assessment: { rating: "yellow", estimate: { basis: "gguf-header" } } }]);
  });
});

describe("guardbench models fit (child process)", () => {
  const fit = (home: string, ...args: string[]) =>
    run(process.execPath, [GUARDBENCH_CLI, "models", "fit", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, GUARDBENCH_HOME: home, GUARDBENCH_GPU: "off", NODE_LLAMA_CPP_LOG_LEVEL: "error" },
    });

  it("prints one JSON report rating every catalog file for CPU inference", async () => {
    const home = await mkdtemp(join(dir, "cli-"));
    const { stdout } = await fit(home, "--context", "2048", "--json");
    const report = JSON.parse(stdout) as FitReport;
    expect(report.contextSize).toBe(2048);
    expect(report.hardware.gpu).toBeUndefined();
    expect(report.hardware.cpuInferenceReason).toMatch(/CPU inference/);
    expect(report.hardware.totalRamBytes).toBeGreaterThan(0);
    expect(report.candidates.length).toBeGreaterThan(20);
    for (const candidate of report.candidates) {
      expect(["yellow", "red", "unknown"]).toContain(candidate.assessment.rating);
      if (candidate.assessment.rating !== "unknown") {
        expect(candidate.assessment.reason).toMatch(/CPU inference: needs/);
        expect(candidate.assessment.estimate?.explanation).toMatch(/estimate/);
      }
    }
    if (report.recommendation) expect(report.recommendation.candidate.assessment.rating).toBe("yellow");
  });

  it("prints a readable table and refuses a bad --context", async () => {
    const home = await mkdtemp(join(dir, "cli-"));
    const { stdout } = await fit(home);
    expect(stdout).toMatch(/^This machine: .* RAM .*CPU inference$/m);
    expect(stdout).toMatch(/^MODEL\s+QUANT\s+FILE\s+FIT\s+BASIS\s+WHY$/m);
    await expect(fit(home, "--context", "lots")).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--context must be a positive whole number/) });
  });
});
