/** models/catalog.json is data a download is verified against: these invariants keep a typo from shipping. */
import { describe, expect, it } from "vitest";
import catalogData from "../../../models/catalog.json" with { type: "json" };
import { UNKNOWN, catalogFileKey, knownValue, parseCatalog, referencedSourceKeys, type Catalog } from "../../../shared/models/catalog.ts";

const REAL_PROMPT_FAMILIES = ["llama-guard-1", "llama-guard-2", "llama-guard-3-8b", "llama-guard-3-1b", "chat-judge"];

function loadCatalog(): Catalog {
  const parsed = parseCatalog(catalogData);
  if (!parsed.ok) throw new Error(`catalog.json is invalid:\n${parsed.problems.join("\n")}`);
  return parsed.catalog;
}

/** A deep copy to break on purpose. */
function mutable(): { models: Array<Record<string, unknown> & { files: Array<Record<string, unknown>> }>; sources: Record<string, unknown> } {
  return structuredClone(catalogData) as never;
}

describe("models/catalog.json", () => {
  const catalog = loadCatalog();
  const files = catalog.models.flatMap((model) => model.files.map((file) => ({ model, file })));

  it("matches the schema, with unique ids and defined sources", () => {
    expect(parseCatalog(catalogData)).toMatchObject({ ok: true });
  });

  it("has the required model families, each with at least one GGUF file", () => {
    const ids = catalog.models.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["llama-guard-3-1b", "llama-guard-3-8b", "llama-guard-2-8b", "llama-guard-1-7b", "llama-2-13b-chat"]));
    for (const model of catalog.models) expect(model.files.length, model.id).toBeGreaterThan(0);
  });

  it("uses unique model ids and unique files", () => {
    const ids = catalog.models.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const keys = files.map(({ file }) => catalogFileKey(file));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("names only real prompt families", () => {
    for (const model of catalog.models) expect(REAL_PROMPT_FAMILIES, model.id).toContain(model.promptFamily);
  });

  it("gives sizes as positive integers, sha256 as 64 hex digits, file names ending in .gguf — or says unknown", () => {
    for (const { model, file } of files) {
      const where = `${model.id} ${catalogFileKey(file)}`;
      if (file.sizeBytes !== UNKNOWN) expect(Number.isInteger(file.sizeBytes.value) && file.sizeBytes.value > 0, where).toBe(true);
      if (file.approxSizeGB !== UNKNOWN) expect(file.approxSizeGB.value, where).toBeGreaterThan(0);
      if (file.sha256 !== UNKNOWN) expect(file.sha256.value, where).toMatch(/^[0-9a-f]{64}$/);
      expect(file.file.value, where).toMatch(/\.gguf$/);
      expect(file.repo.value, where).toMatch(/^[^/]+\/[^/]+$/);
    }
  });

  it("agrees with itself where both an exact and a rounded size are known (within 1%)", () => {
    for (const { file } of files) {
      const exact = knownValue(file.sizeBytes);
      const approx = knownValue(file.approxSizeGB);
      if (exact !== undefined && approx !== undefined) expect(Math.abs(exact / (approx * 1e9) - 1)).toBeLessThan(0.01);
    }
  });

  it("defines every source it uses, and uses every source it defines", () => {
    const used = referencedSourceKeys(catalog);
    expect([...used].filter((key) => !(key in catalog.sources))).toEqual([]);
    expect(Object.keys(catalog.sources).filter((key) => !used.has(key))).toEqual([]);
  });

  it("records the one verified checksum from the facts: QuantFactory Llama-Guard-3-8B Q4_K_M, pinned by LocalAI", () => {
    const withSha = files.filter(({ file }) => file.sha256 !== UNKNOWN);
    expect(withSha.map(({ file }) => catalogFileKey(file))).toEqual(["QuantFactory/Llama-Guard-3-8B-GGUF/Llama-Guard-3-8B.Q4_K_M.gguf"]);
    const sha = withSha[0]!.file.sha256;
    expect(sha).toEqual({ value: "c5ea8760a1e544eea66a8915fcc3fbd2c67357ea2ee6871a9e6a6c33b64d4981", source: "localai-gallery" });
    expect(catalog.sources["localai-gallery"]?.verified).toBe(true);
  });

  it("marks sizes from typical-size tables as unverified, never as exact bytes", () => {
    for (const { file } of files) {
      if (file.approxSizeGB !== UNKNOWN) expect(catalog.sources[file.approxSizeGB.source]?.verified, catalogFileKey(file)).toBe(false);
    }
  });

  it("documents the Llama-2-13B-chat GPTQ branches as non-GGUF, with the verified main branch", () => {
    const chat = catalog.models.find((m) => m.id === "llama-2-13b-chat")!;
    const gptq = chat.related?.[0];
    expect(gptq).toMatchObject({ repo: "TheBloke/Llama-2-13B-chat-GPTQ", format: "gptq", loadableByLlamaCpp: false });
    expect(gptq?.branches[0]).toEqual({ branch: "main", bits: 4, groupSize: 128, actOrder: false, approxSizeGB: 7.26, source: "thebloke-13b-gptq-main-branch" });
    expect(gptq?.branches.map((b) => b.branch)).toContain("gptq-8bit--1g-actorder_True");
  });

  it("leaves Llama Guard 4 out, saying why", () => {
    expect(catalog.models.some((m) => /guard-4/i.test(m.id))).toBe(false);
    expect(catalog.notInCatalog.map((n) => n.name)).toContain("Llama Guard 4 12B");
  });

  it("says of every other guard family that only its GGUFs are unsourced: Guardbench scores them all", () => {
    for (const name of ["Llama Guard 4 12B", "IBM Granite Guardian 3.x (2B, 3B-A800M, 5B, 8B)", "ShieldGemma 2B / 9B / 27B", "WildGuard 7B", "Qwen3Guard (Gen 0.6B / 4B / 8B, Stream)", "gpt-oss-safeguard 20B / 120B"]) {
      const entry = catalog.notInCatalog.find((n) => n.name === name);
      expect(entry?.reason, name).toMatch(/Guardbench scores/);
      expect(entry?.reason, name).not.toMatch(/not one of Guardbench's families|does not have yet/);
    }
  });
});

describe("parseCatalog rejects", () => {
  const problemsOf = (data: unknown) => {
    const parsed = parseCatalog(data);
    return parsed.ok ? [] : parsed.problems;
  };

  it("a duplicated model id", () => {
    const data = mutable();
    data.models.push(structuredClone(data.models[0]!));
    expect(problemsOf(data).join("\n")).toMatch(/model id "llama-guard-3-8b" appears more than once/);
  });

  it("a fact whose source is not defined", () => {
    const data = mutable();
    (data.models[0]!.files[0]!.file as { source: string }).source = "no-such-source";
    expect(problemsOf(data).join("\n")).toMatch(/source "no-such-source" is used but not defined/);
  });

  it("an invented prompt family", () => {
    const data = mutable();
    data.models[0]!.promptFamily = "llama-guard-9";
    expect(problemsOf(data).join("\n")).toMatch(/promptFamily/);
  });

  it("a malformed sha256, a non-GGUF file name and a fractional byte size", () => {
    const data = mutable();
    const file = data.models[0]!.files[0]!;
    file.sha256 = { value: "C5EA", source: "localai-gallery" };
    file.file = { value: "model.safetensors", source: "localai-gallery" };
    file.sizeBytes = { value: 12.5, source: "localai-gallery" };
    const problems = problemsOf(data).join("\n");
    expect(problems).toMatch(/sha256/);
    expect(problems).toMatch(/\.gguf/);
    expect(problems).toMatch(/sizeBytes/);
  });

  it("a guessed value written as something other than \"unknown\"", () => {
    const data = mutable();
    data.models[0]!.files[0]!.sizeBytes = "about 5 GB";
    expect(problemsOf(data).join("\n")).toMatch(/sizeBytes/);
  });
});
