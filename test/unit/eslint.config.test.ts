/** The import map in eslint.config.js is the layer rule of ARCHITECTURE.md; these cases prove each entry bites. */
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { ESLint } from "eslint";
import { ELECTRON_IMPORTS } from "../../eslint-layers.mjs";

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const forbidden: Array<[file: string, source: string, why: RegExp]> = [
  ["shared/prompts/x.ts", `import { readFileSync } from "node:fs";\nexport const a = readFileSync;`, /no Node built-ins/],
  ["shared/prompts/x.ts", `import path from "path";\nexport const a = path;`, /no Node built-ins/],
  ["shared/verdict/x.ts", `import { app } from "electron";\nexport const a = app;`, /electron/],
  ["shared/verdict/x.ts", `import React from "react";\nexport const a = React;`, /React/],
  ["shared/verdict/x.ts", `import { LlamaScorer } from "../../electron/engine/llama/scorer.ts";\nexport const a = LlamaScorer;`, /main-side|shared\/ imports only shared/],
  ["electron/core/x.ts", `import Database from "better-sqlite3";\nexport const a = Database;`, /electron\/core is the plumbing/],
  ["electron/core/x.ts", `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;`, /electron\/core is the plumbing/],
  ["electron/core/x.ts", `import { app } from "electron";\nexport const a = app;`, /only electron\/main and electron\/preload/],
  ["electron/engine/x.ts", `import { app } from "electron";\nexport const a = app;`, /only electron\/main and electron\/preload/],
  ["electron/models/x.ts", `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;`, /only electron\/engine imports node-llama-cpp/],
  ["electron/models/x.ts", `import { estimateModelFileMemory } from "../engine/hardware.ts";\nexport const a = estimateModelFileMemory;`, /models\/ never imports engine\//],
  ["electron/endpoints/x.ts", `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;`, /only electron\/engine imports node-llama-cpp/],
  ["electron/endpoints/x.ts", `import { App } from "../../renderer/src/App.tsx";\nexport const a = App;`, /never imports renderer/],
  ["electron/review/x.ts", `import { app } from "electron";\nexport const a = app;`, /only electron\/main and electron\/preload/],
  ["electron/review/x.ts", `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;`, /only electron\/engine imports node-llama-cpp/],
  ["electron/evaluation/x.ts", `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;`, /only electron\/engine imports node-llama-cpp/],
  ["electron/evaluation/x.ts", `import { App } from "../../renderer/src/App.tsx";\nexport const a = App;`, /never imports renderer/],
  ["electron/moderation/x.ts", `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;`, /only electron\/engine imports node-llama-cpp/],
  ["electron/gguf/x.ts", `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;`, /only electron\/engine imports node-llama-cpp/],
  ["electron/gguf/x.ts", `import { ModelLibrary } from "../models/library.ts";\nexport const a = ModelLibrary;`, /electron\/gguf is a leaf/],
  ["electron/gguf/x.ts", `import { app } from "electron";\nexport const a = app;`, /only electron\/main and electron\/preload/],
  ["electron/host/x.ts", `import { readGgufHeader } from "../gguf/reader.ts";\nexport const a = readGgufHeader;`, /through its entry/],
  ["electron/host/x.ts", `import { BrowserWindow } from "electron";\nexport const a = BrowserWindow;`, /only electron\/main/],
  ["electron/cli/x.ts", `import { App } from "../../renderer/src/App.tsx";\nexport const a = App;`, /never imports renderer/],
  ["electron/main/x.ts", `import { App } from "../../renderer/src/App.tsx";\nexport const a = App;`, /never imports renderer/],
  ["electron/main/window.ts", `import { ipcMain } from "electron";\nexport const a = ipcMain;`, /only electron\/main\/ipc.ts touches ipcMain/],
  ["renderer/src/x.ts", `import { readFileSync } from "node:fs";\nexport const a = readFileSync;`, /no Node built-ins/],
  ["renderer/src/x.ts", `import { ipcRenderer } from "electron";\nexport const a = ipcRenderer;`, /electron/],
  ["renderer/src/x.ts", `import { EngineProcess } from "../../electron/engine/engineProcess.ts";\nexport const a = EngineProcess;`, /imports only shared/],
];

describe("transport rule", () => {
  it.each([
    ["renderer/src/features/x.ts", "export const socket = new WebSocket('ws://localhost');", /only renderer\/src\/bridge\/ opens transports/],
    ["renderer/src/features/x.ts", "export const api = window.guardbench;", /only renderer\/src\/bridge\/ uses window.guardbench/],
  ])("%s may not: %s", async (filePath, source, why) => {
    const [result] = await eslint.lintText(source, { filePath });
    expect((result?.messages ?? []).map((m) => m.message).join("\n")).toMatch(why);
  });

  it("lets the bridge open a WebSocket", async () => {
    const [result] = await eslint.lintText("export const socket = new WebSocket('ws://localhost');", { filePath: "renderer/src/bridge/x.ts" });
    expect(result?.messages ?? []).toEqual([]);
  });
});

describe("layer rules", () => {
  it.each(forbidden)("%s may not: %s", async (file, source, why) => {
    const errors = await importErrors(file, source);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join("\n")).toMatch(why);
  });

  it.each([
    ["shared/prompts/x.ts", `import type { Turn } from "../conversation/types.ts";\nexport type A = Turn;`],
    ["electron/engine/x.ts", `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;`],
    ["electron/models/x.ts", `import { inspectModelFile } from "../gguf/index.ts";\nexport const a = inspectModelFile;`],
    ["electron/gguf/x.ts", `import { readFile } from "node:fs/promises";\nimport type { ModelFileInfo } from "../../shared/models/modelInfo.ts";\nimport { GGML_TYPES } from "./ggmlTypes.ts";\nexport type A = ModelFileInfo;\nexport const a = [readFile, GGML_TYPES];`],
    ["electron/main/x.ts", `import { app } from "electron";\nexport const a = app;`],
    ["electron/main/ipc.ts", `import { ipcMain } from "electron";\nexport const a = ipcMain;`],
    ["renderer/src/x.ts", `import type { Turn } from "../../shared/conversation/types.ts";\nexport type A = Turn;`],
  ])("%s may: %s", async (file, source) => {
    expect(await importErrors(file, source)).toEqual([]);
  });
});

describe("electron/ folder allowlist (eslint-layers.mjs)", () => {
  const folders = Object.keys(ELECTRON_IMPORTS);
  const layerErrors = async (from: string, to: string, depth: 1 | 2) => {
    const file = depth === 1 ? `electron/${from}/x.ts` : `electron/${from}/nested/x.ts`;
    const up = depth === 1 ? "../" : "../../";
    const [result] = await eslint.lintText(`import { thing } from "${up}${to}/thing.ts";\nexport const a = thing;`, { filePath: file });
    return (result?.messages ?? []).filter((m) => m.ruleId === "layers/allowed-imports").map((m) => m.message);
  };
  const pairs = folders.flatMap((from) => folders.filter((to) => to !== from).map((to) => [from, to] as const));

  it.each(pairs.filter(([from, to]) => !ELECTRON_IMPORTS[from]!.includes(to)))("electron/%s may not import electron/%s", async (from, to) => {
    for (const depth of [1, 2] as const) expect(await layerErrors(from, to, depth)).toEqual([expect.stringContaining(`electron/${from} may not import electron/${to}`)]);
  });

  it.each(pairs.filter(([from, to]) => ELECTRON_IMPORTS[from]!.includes(to)))("electron/%s may import electron/%s", async (from, to) => {
    expect(await layerErrors(from, to, 1)).toEqual([]);
  });

  it("resolves the path, so shared/ folders named like electron/ ones are not taken for them", async () => {
    const [result] = await eslint.lintText(`import { thing } from "../../shared/models/thing.ts";\nexport const a = thing;`, { filePath: "electron/store/x.ts" });
    expect((result?.messages ?? []).filter((m) => m.ruleId === "layers/allowed-imports")).toEqual([]);
  });

  it("gives every electron/ folder a ban list in eslint.config.js", async () => {
    for (const folder of folders) {
      const config = (await eslint.calculateConfigForFile(`electron/${folder}/x.ts`)) as { rules?: Record<string, unknown> };
      expect(config.rules?.["no-restricted-imports"], `electron/${folder}`).toBeDefined();
    }
  });

  it("lists every electron/ folder", () => {
    expect([...folders].sort()).toEqual(readdirSync("electron", { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort());
  });
});
