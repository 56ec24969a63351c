/**
 * Tokens, gated and private repos, the Hub's 404s, HF_ENDPOINT, and file names that must never leave the
 * models folder. The token must never appear in an error, a hint, an event, or an inspected client.
 */
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { startDownload, type DownloadProgress } from "../../../../electron/models/download.ts";
import type { DownloadError } from "../../../../electron/models/downloadError.ts";
import { HubClient } from "../../../../electron/models/hubClient.ts";
import { hubEndpoint, parseModelReference } from "../../../../electron/models/hubUrls.ts";
import { guardbenchHome, installedModelPath } from "../../../../electron/models/paths.ts";
import { FileTokenStore, resolveHubToken, tokenFilePath, type TokenStore } from "../../../../electron/models/tokenStore.ts";
import { startHub, type HubDouble, type HubOptions } from "../../../fixtures/hub/hubServer.ts";
import { downloadErrorOf, downloadErrorThrownBy, fastHubClient, filesUnder, modelFile, sha256, temporaryFolder } from "../../../support/download.ts";

const gatedRepo = "meta-llama/Llama-Guard-3-1B";
const grantedToken = "hf_GrantedTokenAbCdEf0123456789";
const ungrantedToken = "hf_UngrantedTokenZyXw9876543210";
const model = modelFile("Llama-Guard-3-1B.Q4_K_M.gguf", 300_000);

let hub: HubDouble;
afterEach(async () => hub?.close());

async function startGatedHub(options: Partial<HubOptions> = {}): Promise<HubDouble> {
  hub = await startHub({
    repos: [
      { id: gatedRepo, gated: "manual", grantedTokens: [grantedToken], files: [model] },
      { id: "acme/private-guard", private: true, grantedTokens: [grantedToken], files: [model] },
      { id: "acme/public-guard", files: [model] },
    ],
    tokens: [grantedToken, ungrantedToken],
    ...options,
  });
  return hub;
}

async function failedPull(request: { repo: string; file?: string; revision?: string }, token?: string): Promise<DownloadError> {
  const progress: DownloadProgress[] = [];
  const job = startDownload(
    { file: model.path, ...request },
    { modelsDir: await temporaryFolder(), hub: fastHubClient(hub.url, token ? { token } : {}) },
  );
  job.on("progress", (event) => progress.push(event));
  const error = await downloadErrorOf(job.result);
  expect(JSON.stringify(progress)).not.toContain("hf_");
  return error;
}

/** Everything a user or a log could ever see of an error. */
function everythingShown(error: DownloadError): string {
  return [error.message, error.hint, JSON.stringify(error.toJSON()), error.stack, String(error), inspect(error)].join("\n");
}

describe("gated models", () => {
  it("without a token: says the model needs one, and how to give it", async () => {
    await startGatedHub();
    const error = await failedPull({ repo: gatedRepo });

    expect(error.code).toBe("auth-required");
    expect(error.message).toContain("this model needs a Hugging Face token");
    expect(error.hint).toContain("--token");
    expect(error.hint).toContain("HF_TOKEN");
    expect(error.hint).toContain("token field");
    expect(error.details.licenceUrl).toBe(`${hub.url}/${gatedRepo}`);
    const resolve = hub.requests.find((request) => request.stage === "resolve");
    expect(resolve).toMatchObject({ status: 401, authorization: undefined });
  });

  it("with a token whose account has not accepted the licence: points at the licence page, never at the token", async () => {
    await startGatedHub();
    const error = await failedPull({ repo: gatedRepo }, ungrantedToken);

    expect(error.code).toBe("licence-not-accepted");
    expect(error.message).toContain(`accept the licence at ${hub.url}/${gatedRepo}`);
    expect(error.details.licenceUrl).toBe(`${hub.url}/${gatedRepo}`);
    expect(hub.requests.find((request) => request.stage === "resolve")?.status).toBe(403);
    expect(everythingShown(error)).not.toContain(ungrantedToken);
  });

  it("a token the Hub does not know is reported as rejected, not as a missing licence", async () => {
    await startGatedHub();
    const error = await failedPull({ repo: gatedRepo }, "hf_RevokedToken000000000000000");
    expect(error.code).toBe("auth-invalid");
    expect(error.hint).toContain("HF_TOKEN");
    expect(everythingShown(error)).not.toContain("hf_RevokedToken");
  });

  it("HF_ENDPOINT and HF_TOKEN are honoured, and the token goes to the Hub host only, not to a CDN on another host", async () => {
    await startGatedHub({ separateCdn: true });
    const client = await HubClient.fromEnvironment({ env: { HF_ENDPOINT: `${hub.url}/`, HF_TOKEN: grantedToken } });
    expect(client.urls.endpoint).toBe(hub.url);
    expect(inspect(client, { depth: 5 })).not.toContain(grantedToken);

    const modelsDir = await temporaryFolder();
    const result = await startDownload({ repo: gatedRepo, file: model.path }, { modelsDir, hub: client }).result;
    expect(result.sha256).toBe(sha256(model.content));

    const hubRequests = hub.requests.filter((request) => request.server === "hub");
    const cdnRequests = hub.requests.filter((request) => request.server === "cdn");
    expect(hubRequests.length).toBeGreaterThanOrEqual(3);
    expect(hubRequests.map((request) => request.authorization)).toEqual(hubRequests.map(() => `Bearer ${grantedToken}`));
    expect(cdnRequests).toHaveLength(1);
    expect(cdnRequests[0]?.authorization).toBeUndefined();
    expect(hub.cdnUrl).not.toBe(hub.url);
  });

  it("keeps the token on a redirect that stays on the Hub's host", async () => {
    await startGatedHub();
    const modelsDir = await temporaryFolder();
    await startDownload({ repo: gatedRepo, file: model.path }, { modelsDir, hub: fastHubClient(hub.url, { token: grantedToken }) }).result;
    const [content] = hub.contentRequests(model.path);
    expect(content).toMatchObject({ server: "hub", authorization: `Bearer ${grantedToken}` });
    expect(content?.url).toMatch(/^\/cdn\//);
  });
});

describe("what is missing", () => {
  it("a repo that does not exist (anonymous: the Hub answers 401 RepoNotFound)", async () => {
    await startGatedHub();
    const error = await failedPull({ repo: "acme/no-such-model" });
    expect(error.code).toBe("repo-not-found");
    expect(error.message).toBe(`model repo acme/no-such-model was not found on ${hub.url}`);
    expect(error.hint).toContain("private");
    expect(hub.requests[0]?.status).toBe(401);
  });

  it("a repo that does not exist (with a token: 404 RepoNotFound)", async () => {
    await startGatedHub();
    const error = await failedPull({ repo: "acme/no-such-model" }, ungrantedToken);
    expect(error.code).toBe("repo-not-found");
    expect(hub.requests[0]?.status).toBe(404);
  });

  it("a private repo without access looks missing, as on the Hub", async () => {
    await startGatedHub();
    expect((await failedPull({ repo: "acme/private-guard" })).code).toBe("repo-not-found");
  });

  it("a revision that does not exist", async () => {
    await startGatedHub();
    const error = await failedPull({ repo: "acme/public-guard", revision: "no-such-branch" });
    expect(error.code).toBe("revision-not-found");
    expect(error.message).toBe('revision "no-such-branch" does not exist in acme/public-guard');
  });

  it("a file that does not exist at that revision", async () => {
    await startGatedHub();
    const error = await failedPull({ repo: "acme/public-guard", file: "model.Q8_0.gguf" });
    expect(error.code).toBe("file-not-found");
    expect(error.message).toBe('acme/public-guard has no file "model.Q8_0.gguf" at revision "main"');
    expect(error.hint).toContain(`${hub.url}/acme/public-guard/tree/main`);
  });

  it("a file in a folder that does not exist", async () => {
    await startGatedHub();
    const error = await failedPull({ repo: "acme/public-guard", file: "quants/model.gguf" });
    expect(error.code).toBe("file-not-found");
    expect(hub.requests.at(-1)).toMatchObject({ status: 404 });
  });
});

describe("file names from the Hub", () => {
  it.each([
    ["../../../.bashrc", '".." segment'],
    ["gguf/../../escape.gguf", '".." segment'],
    ["/etc/passwd", "absolute path"],
    ["C:/Windows/evil.gguf", "absolute path"],
    ["sub\\..\\..\\evil.gguf", "backslash"],
    ["evil\u0000.gguf", "control characters"],
    ["evil\n.gguf", "control characters"],
    ["a//b.gguf", "empty"],
    ["./a.gguf", "empty or \".\""],
    ["", "empty"],
  ])("refuses %j before contacting the Hub", async (file, reason) => {
    await startGatedHub();
    const modelsDir = await temporaryFolder();
    const error = downloadErrorThrownBy(() => startDownload({ repo: "acme/public-guard", file }, { modelsDir, hub: fastHubClient(hub.url) }));
    expect(error.code).toBe("invalid-file-name");
    expect(error.message).toContain(reason);
    expect(hub.requests).toEqual([]);
    expect(await filesUnder(modelsDir)).toEqual([]);
  });

  it.each(["../models", "acme/../../x", "acme", "a/b/c", "acme/na me"])("refuses the repo id %j", (repo) => {
    expect(downloadErrorThrownBy(() => installedModelPath("/models", repo, "m.gguf")).code).toBe("invalid-repo");
  });

  it("installs plain names, sub-folders included, inside <modelsDir>/<owner>/<repo>", () => {
    expect(installedModelPath("/data/models", "acme/guard", "gguf/m q4.gguf")).toBe(join("/data/models", "acme", "guard", "gguf", "m q4.gguf"));
  });
});

describe("tokens and settings", () => {
  it("stores the token in a file only its owner can read, and clears it", async () => {
    const home = await temporaryFolder();
    const store = new FileTokenStore(tokenFilePath(join(home, "nested")));
    expect(await store.get()).toBeUndefined();

    await store.set(` ${grantedToken}\n`);
    expect(await store.get()).toBe(grantedToken);
    expect((await stat(store.filePath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, "nested"))).mode & 0o777).toBe(0o700);

    await store.clear();
    expect(await store.get()).toBeUndefined();
  });

  it("refuses to store something that cannot be a token, without echoing it", async () => {
    const store = new FileTokenStore(tokenFilePath(await temporaryFolder()));
    const error = await downloadErrorOf(store.set("hf_secret part\nsecond line"));
    expect(error.code).toBe("auth-invalid");
    expect(everythingShown(error)).not.toContain("hf_secret");
  });

  it("takes the token from --token, else HF_TOKEN, else the stored token", async () => {
    const store: TokenStore = { get: async () => "hf_stored", set: async () => {}, clear: async () => {} };
    expect(await resolveHubToken({ explicit: "hf_flag", env: { HF_TOKEN: "hf_env" }, store })).toBe("hf_flag");
    expect(await resolveHubToken({ env: { HF_TOKEN: "hf_env" }, store })).toBe("hf_env");
    expect(await resolveHubToken({ explicit: " ", env: { HF_TOKEN: "" }, store })).toBe("hf_stored");
    expect(await resolveHubToken({ env: {} })).toBeUndefined();
  });

  it("reads HF_ENDPOINT and GUARDBENCH_HOME, with the documented defaults", () => {
    expect(hubEndpoint({})).toBe("https://huggingface.co");
    expect(hubEndpoint({ HF_ENDPOINT: "https://hf-mirror.com//" })).toBe("https://hf-mirror.com");
    expect(guardbenchHome({})).toBe(join(homedir(), ".guardbench"));
    expect(guardbenchHome({ GUARDBENCH_HOME: "/srv/guardbench" })).toBe("/srv/guardbench");
  });

  it("parses owner/name[@revision], revisions with slashes included", () => {
    expect(parseModelReference("acme/guard")).toEqual({ repo: "acme/guard", revision: "main" });
    expect(parseModelReference("acme/guard@refs/pr/1")).toEqual({ repo: "acme/guard", revision: "refs/pr/1" });
    expect(downloadErrorThrownBy(() => parseModelReference("acme/guard@")).code).toBe("invalid-repo");
  });
});
