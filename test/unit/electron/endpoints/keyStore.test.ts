/** Endpoint API keys in a 0600 file: one key per name, never the wrong one, and a damaged file never echoed. */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileSecretStore, secretsFilePath } from "../../../../electron/endpoints/keyStore.ts";
import { FileTokenStore } from "../../../../electron/models/tokenStore.ts";
import { parseRequest } from "../../../../shared/ipc/contract.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-secrets-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FileSecretStore", () => {
  it("keeps one key per name in a 0600 file, with concurrent writes all kept", async () => {
    const store = new FileSecretStore(secretsFilePath(join(dir, "home")));
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.set(`endpoint-${i}`, `key-${i}`)));
    for (let i = 0; i < 8; i++) expect(await store.get(`endpoint-${i}`)).toBe(`key-${i}`);
    expect((await store.names()).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `endpoint-${i}`).sort());
    expect((await stat(store.filePath)).mode & 0o777).toBe(0o600);
    await store.delete("endpoint-3");
    expect(await store.get("endpoint-3")).toBeUndefined();
    for (let i = 0; i < 8; i++) if (i !== 3) await store.delete(`endpoint-${i}`);
    await expect(stat(store.filePath)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a key an Authorization header cannot carry, and never repeats a damaged file's content", async () => {
    const store = new FileSecretStore(join(dir, "keys.json"));
    await expect(store.set("a", "two words")).rejects.toThrow(/spaces, line breaks/);
    await writeFile(store.filePath, "sk-live-secret-not-json", { mode: 0o600 });
    const failure = await store.get("a").catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).not.toContain("sk-live-secret");
  });

  it("shares the atomic 0600 writer with the Hugging Face token file", async () => {
    const tokens = new FileTokenStore(join(dir, "hf-token"));
    await tokens.set("hf_abcdef");
    expect(await readFile(tokens.filePath, "utf8")).toBe("hf_abcdef\n");
    expect((await stat(tokens.filePath)).mode & 0o777).toBe(0o600);
  });
});

describe("endpoints contract", () => {
  it("accepts a well-formed endpoint and a run across endpoints", () => {
    expect(parseRequest("endpoints:save", { name: "gpu-box", baseUrl: "http://gpu-box:8000", kind: "openai-completions", model: "meta-llama/Llama-Guard-3-8B", apiKey: "sk-1", concurrency: 8 }).ok).toBe(true);
    expect(parseRequest("endpoints:save", { name: "lab 2", baseUrl: "https://10.0.0.2:8080/v1", kind: "llama-server", model: "default" }).ok).toBe(true);
    expect(parseRequest("runs:start", { datasetId: 1, endpoints: ["gpu-box", "lab 2"], includeLocal: true }).ok).toBe(true);
  });

  it("never repeats a rejected key in its message", () => {
    const parsed = parseRequest("endpoints:save", { name: "x", baseUrl: "http://h:1", kind: "openai-completions", model: "m", apiKey: "sk secret\n" });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).not.toContain("sk secret");
  });
});
