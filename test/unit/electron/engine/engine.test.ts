/**
 * The engine interface stands alone (issue #12.4): electron/engine/engine.ts declares what every face uses, the
 * node-llama-cpp implementation in electron/engine/llama/ is reached only by the worker's entry, and no two engine files
 * import each other round in a circle.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = process.cwd();

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Every relative module a file imports or re-exports (type-only imports included), as paths from the repository root. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(root, file), "utf8");
  const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((match) => match[1]!);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => relative(root, resolve(dirname(join(root, file)), s)));
}

const electronFiles = sourceFiles("electron");
const engineFiles = electronFiles.filter((file) => file.startsWith("electron/engine/"));

describe("the engine interface", () => {
  it("reads its own sources (the scan finds the engine's files and their imports)", () => {
    expect(engineFiles).toContain("electron/engine/engine.ts");
    expect(importsOf("electron/engine/llama/scorer.ts")).toContain("electron/engine/llama/classification.ts");
  });

  it("is reached without the llama implementation: only the worker's entry imports electron/engine/llama/", () => {
    const importers = electronFiles.filter((file) => !file.startsWith("electron/engine/llama/") && importsOf(file).some((target) => target.startsWith("electron/engine/llama/")));
    expect(importers).toEqual(["electron/engine/worker.ts"]);
  });

  it("declares no implementation: engine.ts imports neither node-llama-cpp nor llama/ nor remote/", () => {
    const source = readFileSync(join(root, "electron/engine/engine.ts"), "utf8");
    expect(source).not.toMatch(/from\s+"node-llama-cpp"/);
    expect(importsOf("electron/engine/engine.ts").filter((target) => /^electron\/engine\/(llama|remote)\//.test(target))).toEqual([]);
  });

  it("has no import cycle among its files", () => {
    const graph = new Map(engineFiles.map((file) => [file, importsOf(file).filter((target) => engineFiles.includes(target))]));
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of engineFiles) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
