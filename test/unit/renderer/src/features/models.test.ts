import { describe, expect, it } from "vitest";
import { err, ok, type CatalogReport, type DownloadJobProgress, type ModelSummary } from "../../../../../shared/ipc/index.ts";
import { appSelectors } from "../../../../../renderer/src/features/app/selectors.ts";
import { modelsSelectors } from "../../../../../renderer/src/features/models/selectors.ts";
import { policySelectors } from "../../../../../renderer/src/features/policy/selectors.ts";
import { createTestStore, readyEngine } from "../../../../support/renderer/helpers.ts";

const REPO = "bartowski/Llama-Guard-3-1B-GGUF";
const FILE = "Llama-Guard-3-1B-Q4_K_M.gguf";

const installed: ModelSummary = { id: `${REPO}/${FILE}`, path: `/models/${REPO}/${FILE}`, fileName: FILE, origin: "hub", repo: REPO, sizeBytes: 1e9 };

function progress(bytesDone: number, state: DownloadJobProgress["state"] = "running"): DownloadJobProgress {
  return { jobId: "job-1", kind: "download", state, repo: REPO, file: FILE, phase: "downloading", bytesDone, bytesTotal: 1e9, bytesPerSecond: 5e7, etaSeconds: 12 };
}

describe("models slice", () => {
  it("follows a download from start through progress to the library", async () => {
    let library: ModelSummary[] = [];
    const { store, bridge } = createTestStore({
      "models:download": () => ok({ jobId: "job-1" }),
      "models:list": () => ok({ modelsDir: "/models", models: library }),
      "models:catalog": () => err("no-catalog", "not in this test"),
    });
    store.getState().start();
    await store.getState().downloadModel(REPO, FILE);
    expect(modelsSelectors.downloadJobFor(`${REPO}/${FILE}`)(store.getState())).toMatchObject({ state: "queued" });

    bridge.emit("job:progress", progress(4e8));
    expect(modelsSelectors.downloadJobFor(`${REPO}/${FILE}`)(store.getState())).toMatchObject({ bytesDone: 4e8 });

    library = [installed];
    bridge.emit("job:done", { jobId: "job-1", kind: "download", result: ok({ ...installed, verified: { sha256: "b".repeat(64), commit: "c".repeat(40), alreadyInstalled: false } }) });
    await Promise.resolve();
    await Promise.resolve();
    expect(appSelectors.jobs(store.getState())).toEqual([]);
    expect(modelsSelectors.installed(store.getState())).toEqual([installed]);
    expect(store.getState().app.notice?.message).toBe(`Downloaded ${FILE}.`);
  });

  it("keeps a failed download's error next to its file, and asks for a token when the Hub wants one", async () => {
    const { store, bridge } = createTestStore({ "models:download": () => ok({ jobId: "job-1" }) });
    store.getState().start();
    await store.getState().downloadModel(REPO, FILE);
    bridge.emit("job:done", { jobId: "job-1", kind: "download", result: err("auth-required", "this model needs a Hugging Face token", "Accept the licence …") });
    expect(modelsSelectors.downloadFailureFor(`${REPO}/${FILE}`)(store.getState())?.error.code).toBe("auth-required");
    expect(modelsSelectors.needsToken(store.getState())).toBe(true);
  });

  it("does not report a cancelled download as a failure", async () => {
    const { store, bridge } = createTestStore({ "models:download": () => ok({ jobId: "job-1" }) });
    store.getState().start();
    await store.getState().downloadModel(REPO, FILE);
    bridge.emit("job:done", { jobId: "job-1", kind: "download", result: err("cancelled", "cancelled") });
    expect(modelsSelectors.downloadFailureFor(`${REPO}/${FILE}`)(store.getState())).toBeUndefined();
  });

  it("switches the policy editor to the family of a model that just became ready", () => {
    const { store, bridge } = createTestStore();
    store.getState().start();
    expect(policySelectors.family(store.getState())).toBe("llama-guard-3-8b");
    bridge.emit("engine:status", readyEngine("llama-guard-3-1b"));
    expect(policySelectors.family(store.getState())).toBe("llama-guard-3-1b");
    expect(modelsSelectors.readyFamily(store.getState())).toBe("llama-guard-3-1b");
    expect(modelsSelectors.computeSummary(store.getState())).toBe("CPU: no GPU detected");
  });

  it("shows why a load could not start", async () => {
    const { store } = createTestStore({ "models:load": () => err("model-load-failed", "The file is truncated.", "Download it again.") });
    await store.getState().loadModel("local/x.gguf", "llama-guard-3-1b");
    expect(modelsSelectors.actionError(store.getState())).toMatchObject({ message: "The file is truncated.", hint: "Download it again." });
  });

  it("never keeps the token it sends", async () => {
    const { store, bridge } = createTestStore({ "hf:token-set": () => ok({ present: true, source: "stored" }) });
    expect(await store.getState().setHfToken("hf_secret")).toBe(true);
    expect(JSON.stringify(store.getState())).not.toContain("hf_secret");
    expect(bridge.calls[0]).toEqual({ channel: "hf:token-set", request: { token: "hf_secret" } });
  });

  it("loads the model used last at start when it fits, and says why not when it does not (issue #14)", async () => {
    const local: ModelSummary = { id: "local/guard.gguf", path: "/models/local/guard.gguf", fileName: "guard.gguf", origin: "imported", sizeBytes: 5e8 };
    const startWith = async (rating: "green" | "red", autoLoad = true) => {
      const test = createTestStore({
        "models:list": () => ok({ modelsDir: "/models", models: [local] }),
        "models:catalog": () => ok({ catalog: { version: 1, models: [] }, fit: { candidates: [], otherInstalled: [{ id: local.id, assessment: { rating, reason: rating === "red" ? "needs 9 GB of 4 GB usable RAM" : "fits" } }] } } as unknown as CatalogReport),
        "models:load": () => ok({ jobId: "load-1" }),
      });
      test.store.setState((state) => ({ models: { ...state.models, lastModel: { id: local.id, family: "llama-guard-3-1b" } } }));
      test.store.getState().setAutoLoadLastModel(autoLoad);
      await test.store.getState().refreshLibrary();
      await test.store.getState().refreshCatalog();
      await test.store.getState().autoLoadLastModelIfWanted();
      return test;
    };
    const fits = await startWith("green");
    expect(fits.bridge.calls.filter((call) => call.channel === "models:load").map((call) => call.request)).toEqual([expect.objectContaining({ id: local.id, family: "llama-guard-3-1b" })]);
    // Once per start: a second call (another refresh) does not load again.
    await fits.store.getState().autoLoadLastModelIfWanted();
    expect(fits.bridge.calls.filter((call) => call.channel === "models:load")).toHaveLength(1);

    const tooBig = await startWith("red");
    expect(tooBig.bridge.calls.some((call) => call.channel === "models:load")).toBe(false);
    expect(tooBig.store.getState().app.notice?.message).toBe("guard.gguf was not loaded at start: needs 9 GB of 4 GB usable RAM.");

    // The picker's setting turns it off.
    const off = await startWith("green", false);
    expect(off.bridge.calls.some((call) => call.channel === "models:load")).toBe(false);
  });
});
