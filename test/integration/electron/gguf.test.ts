/**
 * electron/gguf against node-llama-cpp: our reader must see in a real fixture exactly what node-llama-cpp's reader sees,
 * and the llama.cpp facts it carries as data (architectures, ggml types, file types) must match what node-llama-cpp and
 * its native binding say, so that an update of node-llama-cpp that changes them fails here.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nodeLlamaCpp from "node-llama-cpp";
import { getLlama, GgmlType, GgufFileType, GgufInsights, readGgufFileInfo, type GgufFileInfo, type Llama } from "node-llama-cpp";
import { GGML_TYPES, GGUF_FILE_TYPES, inspectModelFile, LLAMA_CPP_ARCHITECTURES, metadataNumber, readGgufHeader, REMOVED_GGML_TYPES, type GgufHeader } from "../../../electron/gguf/index.ts";
import { llamaGuard3UnsafeAnswer } from "../../fixtures/guardAnswers.ts";
import { writeProgrammedModel } from "../../fixtures/models.ts";

interface Bindings {
  getIsArchSupported(architecture: string): boolean;
  getBlockSizeForGgmlType(type: number): number | undefined;
  getTypeSizeForGgmlType(type: number): number | undefined;
}

let dir: string;
let fixturePath: string;
let ours: GgufHeader;
let theirs: GgufFileInfo;
let llama: Llama;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-gguf-"));
  fixturePath = join(dir, "guard.gguf");
  await writeProgrammedModel(fixturePath, { transitions: llamaGuard3UnsafeAnswer("3"), chatTemplate: "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}" });
  const read = await readGgufHeader(fixturePath);
  if (!read.ok) throw new Error(read.problem.message);
  ours = read.header;
  theirs = await readGgufFileInfo(fixturePath, { sourceType: "filesystem", logWarnings: false, spliceSplitFiles: false });
  llama = await getLlama({ gpu: false, build: "never" });
});

afterAll(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("readGgufHeader on a real fixture", () => {
  it("reads the metadata node-llama-cpp reads", () => {
    const flat = new Map<string, unknown>();
    const flatten = (prefix: string, value: unknown) => {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v);
      else flat.set(prefix, value);
    };
    flatten("", theirs.metadata);
    expect([...ours.metadata.keys()].sort()).toEqual([...flat.keys()].sort());
    for (const [key, entry] of ours.metadata) {
      const value = entry.value;
      if (typeof value === "object") {
        expect((flat.get(key) as unknown[]).length, key).toBe(value.length);
        if (value.items) expect(value.items, key).toEqual(flat.get(key));
      } else {
        expect(value, key).toEqual(flat.get(key));
      }
    }
    expect(ours.version).toBe(theirs.version);
    // node-llama-cpp's infoEndOffset is where the (aligned) data section starts
    expect(ours.dataOffset).toBe(Number(theirs.infoEndOffset));
  });

  it("reads the tensor table node-llama-cpp reads, with the sizes and offsets llama.cpp computes", async () => {
    const tensors = theirs.fullTensorInfo ?? [];
    expect(ours.tensors.map((t) => [t.name, t.dimensions, t.ggmlType, ours.dataOffset + t.dataOffset])).toEqual(
      tensors.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType, Number(t.fileOffset)]),
    );
    const insights = await GgufInsights.from(theirs, llama);
    const inspected = await inspectModelFile(fixturePath);
    if (!inspected.ok) throw new Error(inspected.error.message);
    expect(inspected.info.parameterCount).toBe(insights.totalParameters);
    expect(inspected.info.dominantTensorType).toBe(GgmlType[insights.dominantTensorType!]);
    expect(ours.dataEndOffset).toBe(inspected.info.fileSizeBytes);
    expect(metadataNumber(ours, "llama.context_length")).toBe(insights.trainContextSize);
  });
});

describe("llama.cpp facts kept as data", () => {
  const bindings = () => (llama as unknown as { _bindings: Bindings })._bindings;

  it("knows exactly the architectures node-llama-cpp lists, each of which its binding runs", () => {
    // A const enum in node-llama-cpp's types, a plain object at run time.
    const architectures = (nodeLlamaCpp as unknown as { GgufArchitectureType: Record<string, string> }).GgufArchitectureType;
    const listed = Object.values(architectures).filter((name) => name !== "(unknown)");
    expect([...LLAMA_CPP_ARCHITECTURES].sort()).toEqual([...listed].sort());
    for (const architecture of LLAMA_CPP_ARCHITECTURES) expect(bindings().getIsArchSupported(architecture), architecture).toBe(true);
    expect(bindings().getIsArchSupported("nonexistent-arch")).toBe(false);
  });

  it("has ggml's block layout for every tensor type the binding reads, and marks the rest removed", () => {
    const numbered = Object.entries(GgmlType).filter(([, value]) => typeof value === "number") as Array<[string, number]>;
    for (const [name, type] of numbered) {
      const blockElements = bindings().getBlockSizeForGgmlType(type);
      const blockBytes = bindings().getTypeSizeForGgmlType(type);
      if (blockBytes) expect(GGML_TYPES.get(type), name).toEqual({ name, blockElements, blockBytes });
      else expect(REMOVED_GGML_TYPES.get(type), name).toBe(name);
    }
    expect(GGML_TYPES.size + REMOVED_GGML_TYPES.size).toBe(numbered.length);
  });

  it("names every file type as node-llama-cpp does", () => {
    const numbered = Object.entries(GgufFileType).filter(([, value]) => typeof value === "number") as Array<[string, number]>;
    expect(GGUF_FILE_TYPES).toEqual(numbered.sort(([, a], [, b]) => a - b).map(([name]) => name));
  });
});
