import { describe, expect, it, vi } from "vitest";
import { err, ok, type HistoryEntry } from "../../../../../shared/ipc/index.ts";
import { presetPolicy } from "../../../../../shared/taxonomy/index.ts";
import { classifyAfterEdits } from "../../../../../renderer/src/features/results/autoClassify.ts";
import { resultsSelectors } from "../../../../../renderer/src/features/results/selectors.ts";
import { createTestStore, readyEngine, unsafeS3Result } from "../../../../support/renderer/helpers.ts";

const CHAT = "User: How do I get into my neighbour's flat?\n\nAssistant: Ask them for a key.\n\nUser: Tell me how to break the lock.";

function readyStore(handlers: Parameters<typeof createTestStore>[0] = {}) {
  const test = createTestStore({ "history:list": () => ok({ items: [] }), ...handlers });
  test.store.getState().engineStatusChanged(readyEngine("llama-guard-3-1b"));
  test.store.getState().setPasteText(CHAT);
  return test;
}

describe("classification", () => {
  it("says a model is needed until one is ready, and that the paste must parse", () => {
    const { store } = createTestStore();
    store.getState().setPasteText(CHAT);
    expect(resultsSelectors.classifyBlocker(store.getState())).toMatch(/model is needed/);
    store.getState().engineStatusChanged(readyEngine());
    expect(resultsSelectors.classifyBlocker(store.getState())).toBeUndefined();
    store.getState().setPasteText("Hello\nUser: hi");
    expect(resultsSelectors.classifyBlocker(store.getState())).toMatch(/could not be read/);
  });

  it("sends the turns, the check and the loaded family's policy; names the saved version when unchanged", async () => {
    const { store, bridge } = readyStore({
      "classify:run": () => ok({ result: unsafeS3Result(), historyId: 7 }),
      "policies:get": () => ok({ name: "Saved", version: 3, family: "llama-guard-3-1b", savedAt: "", policy: { ...presetPolicy("llama-guard-3-1b"), name: "Saved" } }),
    });
    await store.getState().openSavedPolicy("Saved", 3);
    store.getState().setCheck("prompt");
    await store.getState().classify();
    const request = bridge.calls.find((call) => call.channel === "classify:run")!.request as Record<string, unknown>;
    expect(request).toMatchObject({ check: "prompt", policyVersion: { name: "Saved", version: 3 }, options: { threshold: 0.5 } });
    expect((request.turns as unknown[]).length).toBe(3);
    expect((request.policy as { family: string }).family).toBe("llama-guard-3-1b");
    expect(resultsSelectors.result(store.getState())?.verdict).toBe("unsafe");
    expect(bridge.calls.some((call) => call.channel === "history:list")).toBe(true);
  });

  it("shows the main side's error with its hint", async () => {
    const { store } = readyStore({ "classify:run": () => err("engine-crashed", "The engine stopped while classifying.", "Classify again; the engine restarts.") });
    await store.getState().classify();
    expect(resultsSelectors.error(store.getState())).toEqual({ code: "engine-crashed", message: "The engine stopped while classifying.", hint: "Classify again; the engine restarts." });
    expect(resultsSelectors.running(store.getState())).toBe(false);
  });

  it("re-flags the shown result as the threshold moves", async () => {
    const { store } = readyStore({ "classify:run": () => ok({ result: unsafeS3Result() }) });
    await store.getState().classify();
    expect(resultsSelectors.flagged(store.getState())).toBe(true);
    store.getState().setThreshold(0.9);
    expect(resultsSelectors.flagged(store.getState())).toBe(false);
    store.getState().setThreshold(0.8);
    expect(resultsSelectors.flagged(store.getState())).toBe(true);
  });

  it("names violated categories from the policy the result was made with", async () => {
    const { store } = readyStore({ "classify:run": () => ok({ result: unsafeS3Result() }) });
    await store.getState().classify();
    expect(resultsSelectors.violatedCategories(store.getState())).toEqual([{ code: "S3", name: "Sex Crimes.", enabledNow: true }]);
    expect(resultsSelectors.staleness(store.getState())).toBeUndefined();
    store.getState().editPolicy({ type: "setEnabled", code: "S3", enabled: false });
    expect(resultsSelectors.staleness(store.getState())).toBe("policy");
    // The result keeps the names it was made with; the category reads as excluded now.
    expect(resultsSelectors.violatedCategories(store.getState())).toEqual([{ code: "S3", name: "Sex Crimes.", enabledNow: false }]);
  });

  it("copies the result as JSON with the threshold the user set", async () => {
    const { store, clipboard } = readyStore({ "classify:run": () => ok({ result: unsafeS3Result() }) });
    await store.getState().classify();
    store.getState().setThreshold(0.95);
    await store.getState().copyResult("guardbench");
    expect(JSON.parse(clipboard[0]!)).toMatchObject({ verdict: "unsafe", threshold: 0.95, flagged: false, pUnsafe: 0.8 });
    expect(store.getState().results.copied).toBe("guardbench");
  });

  it("copies the result in OpenAI's moderation shape: keyed by the policy's codes and the mapped OpenAI keys", async () => {
    const { store, clipboard } = readyStore({ "classify:run": () => ok({ result: unsafeS3Result() }) });
    await store.getState().classify();
    await store.getState().copyResult("openai-moderation");
    const copied = JSON.parse(clipboard[0]!) as { flagged: boolean; categories: Record<string, boolean>; category_scores: Record<string, number>; guardbench: { unmapped_openai_categories: string[] } };
    expect(copied.flagged).toBe(true);
    // The fixture result names S3 (Sex Crimes), which the Llama Guard 3 default maps to illicit and illicit/violent.
    expect(copied.categories).toMatchObject({ S3: true, S1: false, illicit: true, "illicit/violent": true, hate: false });
    expect(copied.category_scores.S3).toBeGreaterThan(0);
    expect(copied.categories).not.toHaveProperty("harassment");
    expect(copied.guardbench.unmapped_openai_categories).toContain("harassment");
    expect(store.getState().results.copied).toBe("openai-moderation");
  });
});

describe("history", () => {
  it("re-opens an entry: its conversation, its result, the same checked turn, on the Classify screen", async () => {
    const entry: HistoryEntry = {
      id: 12,
      createdAt: "2026-01-02T03:04:05Z",
      verdict: "unsafe",
      flagged: true,
      pUnsafe: 0.8,
      categories: ["S3"],
      target: "prompt",
      modelPath: "/m.gguf",
      family: "llama-guard-3-1b",
      policyName: "P",
      turns: [
        { role: "user", content: "First" },
        { role: "assistant", content: "Reply" },
      ],
      policy: presetPolicy("llama-guard-3-1b"),
      result: unsafeS3Result(),
    };
    const { store } = createTestStore({ "history:get": () => ok(entry) });
    store.getState().navigate("history");
    await store.getState().openHistoryEntry(12);
    const state = store.getState();
    expect(state.app.screen).toBe("classify");
    expect(state.conversation.turns.map((turn) => turn.content)).toEqual(["First", "Reply"]);
    expect(state.conversation.check).toBe("prompt");
    expect(state.results.shown).toMatchObject({ source: { kind: "history", historyId: 12 } });
  });

  it("pages older entries", async () => {
    const summary = (id: number) => ({ id, createdAt: "", verdict: "safe" as const, flagged: false, pUnsafe: 0.1, categories: [], target: "prompt" as const, modelPath: "", family: "llama-guard-3-1b" as const, policyName: "P", preview: `#${id}` });
    const { store } = createTestStore({
      "history:list": ({ beforeId }) => ok(beforeId === undefined ? { items: [summary(3), summary(2)], nextBeforeId: 2 } : { items: [summary(1)] }),
    });
    await store.getState().refreshHistory();
    await store.getState().loadMoreHistory();
    expect(store.getState().history.items.map((item) => item.id)).toEqual([3, 2, 1]);
    expect(store.getState().history.nextBeforeId).toBeUndefined();
  });
});

describe("re-classify after edits", () => {
  it("classifies once the user stops editing, only when the option is on, and not again for inputs already shown", async () => {
    vi.useFakeTimers();
    try {
      const { store, bridge } = readyStore({ "classify:run": () => ok({ result: unsafeS3Result() }) });
      const stop = classifyAfterEdits(store, 600);
      const runs = () => bridge.calls.filter((call) => call.channel === "classify:run").length;
      await store.getState().classify();
      expect(runs()).toBe(1);

      // Off (the default): an edit marks the result stale and nothing runs.
      store.getState().setCheck("prompt");
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs()).toBe(1);
      expect(resultsSelectors.staleness(store.getState())).toBe("check");

      store.getState().setAutoClassify(true);
      // Three edits in quick succession are one run, after the pause.
      store.getState().setCheck("last");
      await vi.advanceTimersByTimeAsync(300);
      store.getState().setCheck("response");
      await vi.advanceTimersByTimeAsync(300);
      store.getState().setCheck("prompt");
      expect(runs()).toBe(1);
      await vi.advanceTimersByTimeAsync(600);
      expect(runs()).toBe(2);
      expect(resultsSelectors.staleness(store.getState())).toBeUndefined();

      // Back and forth to the inputs the shown result was made from: nothing to run.
      store.getState().setCheck("last");
      store.getState().setCheck("prompt");
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs()).toBe(2);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
