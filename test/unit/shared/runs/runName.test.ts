/** Runs named by what produced them (#13.4) and category names compared by code (#13.11). */
import { describe, expect, it } from "vitest";
import { modelShortName, runFileStem, runName } from "../../../../shared/runs/runName.ts";
import { mlcommonsCategoryNames, nameCategories, sameCategoryName } from "../../../../shared/metrics/index.ts";
import type { RunSummary } from "../../../../shared/ipc/index.ts";

const run = (changes: Partial<RunSummary> = {}): RunSummary => ({
  id: 3,
  datasetId: 1,
  datasetName: "xstest",
  model: { path: "/models/Llama-Guard-3-1B-Q8_0.gguf", sha256: "a".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" },
  policyName: "Acme",
  policyVersion: 2,
  settings: { threshold: 0.85, topK: 5, check: "prompt", sequences: 2 },
  state: "done",
  counts: { items: 1, scored: 1, failed: 0, pending: 0 },
  origin: "app",
  createdAt: "2026-12-02T10:00:00.000Z",
  ...changes,
});
const options = { locale: "en-GB", timeZone: "UTC", now: new Date("2026-12-03T00:00:00Z") };

describe("runName", () => {
  it("says what produced the run", () => {
    expect(runName(run(), options)).toBe("Run 3 · xstest · LG3-1B Q8_0 · Acme v2 · prompt · @0.85 · 2 Dec");
    expect(modelShortName("C:\\models\\Meta-Llama-Guard-2-8B.Q4_K_M.gguf")).toBe("LG2-8B Q4_K_M");
  });

  it("tells apart runs that differ only by policy version, threshold or check", () => {
    const names = [run(), run({ policyVersion: 3 }), run({ settings: { ...run().settings, threshold: 0.5 } }), run({ settings: { ...run().settings, check: "response" } })].map((r) => runName(r, options));
    expect(new Set(names).size).toBe(4);
  });

  it("names a custom guard's run by its guard, so one file's runs as two guards read differently", () => {
    const customGuard = { name: "Yes/No judge", variables: {}, decision: { unsafe: "Yes", safe: "No", after: "", matchCase: "any" as const }, verdict: { pattern: "(?<verdict>\\w+)", flags: "i" } };
    const model = { ...run().model, path: "/models/judge.gguf", family: "custom-guard" as const };
    expect(runName(run({ model, settings: { ...run().settings, customGuard } }), options)).toBe("Run 3 · xstest · judge · “Yes/No judge” · Acme v2 · prompt · @0.85 · 2 Dec");
  });

  it("keeps Run N before a user's name, shows the year of another year's run, and makes a file stem", () => {
    expect(runName(run({ name: "Baseline" }), options)).toBe("Run 3 · Baseline");
    expect(runName(run({ createdAt: "2025-01-05T10:00:00Z" }), options)).toMatch(/5 Jan 2025$/);
    expect(runFileStem(run({ name: "My baseline!" }))).toBe("run-3-my-baseline");
    expect(runFileStem(run())).toBe("run-3-xstest-lg3-1b-q8_0-acme-v2-prompt-0.85");
  });
});

describe("category names", () => {
  it("warns when the dataset's S14 is another hazard than the policy's", () => {
    const naming = nameCategories([{ code: "S14", name: "Harassment" }, { code: "S1", name: "Violent Crimes" }], mlcommonsCategoryNames(["S14", "S1"]));
    expect(naming.mismatches).toEqual([expect.objectContaining({ code: "S14", policyName: "Harassment", datasetName: "Code Interpreter Abuse" })]);
    expect(sameCategoryName("Violent crimes", "violent  Crimes")).toBe(true);
  });
});
