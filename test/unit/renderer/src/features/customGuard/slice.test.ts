/** The custom guard slice over a fake bridge: what it asks the main side, and what a loaded custom guard changes. */
import { describe, expect, it } from "vitest";
import { ok, err, type CustomGuardReport, type EngineStatus } from "../../../../../../shared/ipc/index.ts";
import { policySelectors } from "../../../../../../renderer/src/features/policy/selectors.ts";
import { customGuardSelectors } from "../../../../../../renderer/src/features/customGuard/selectors.ts";
import { createTestStore, emptyMachineHandlers, settle } from "../../../../../support/renderer/helpers.ts";

const TEMPLATE = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}<|judge|>";
const DEFINITION = { name: "Yes/No judge", variables: {}, decision: { unsafe: "Yes", safe: "No", after: "", matchCase: "any" as const }, verdict: { pattern: "^(?<verdict>\\w+)", flags: "i" } };
const MODEL_ID = "local/judge.gguf";

function loadedAsCustomGuard(): EngineStatus {
  return { state: "ready", model: { id: MODEL_ID, path: "/models/local/judge.gguf", family: "custom-guard", customGuardName: DEFINITION.name }, compute: { device: "cpu" } };
}

function storeWith(engine: EngineStatus, saved: CustomGuardReport["definition"]) {
  let definition = saved;
  const report = (): CustomGuardReport => ({ path: "/models/local/judge.gguf", embeddedTemplate: TEMPLATE, ...(definition && { definition, savedAt: "2026-12-07T10:00:00Z" }) });
  return createTestStore({
    ...emptyMachineHandlers(),
    "engine:status": () => ok(engine),
    "models:custom-guard": () => ok(report()),
    "models:save-custom-guard": (request) => {
      if (request.definition.decision.unsafe === request.definition.decision.safe) return err("invalid-request", "invalid models:save-custom-guard request: decision: decision.unsafe and decision.safe must be different words");
      definition = { ...DEFINITION, ...request.definition } as typeof DEFINITION;
      return ok(report());
    },
    "models:load": () => ok({ jobId: "load-2" }),
  });
}

describe("custom guards in the store", () => {
  it("reads the loaded custom guard's definition when it is ready, and the policy inspector builds its prompt from it", async () => {
    const test = storeWith(loadedAsCustomGuard(), DEFINITION);
    test.store.getState().start();
    await settle();
    expect(test.bridge.calls.some((call) => call.channel === "models:custom-guard")).toBe(true);
    const state = test.store.getState();
    expect(customGuardSelectors.loadedDefinition(state)?.name).toBe("Yes/No judge");
    expect(state.policy.family).toBe("custom-guard");
    // The inspector renders the file's own template (the definition has none) for the conversation.
    const inspected = policySelectors.inspectedPrompt(state);
    expect(inspected.error).toBeUndefined();
    expect(inspected.text).toMatch(/^<\|user\|>.*<\|judge\|>$/s);
  });

  it("keeps a refused save's error for the editor, and loads the loaded guard again after a save", async () => {
    const test = storeWith(loadedAsCustomGuard(), DEFINITION);
    test.store.getState().start();
    await settle();
    const loadsBefore = test.bridge.calls.filter((call) => call.channel === "models:load").length;
    expect(await test.store.getState().saveCustomGuard(MODEL_ID, { ...DEFINITION, decision: { ...DEFINITION.decision, safe: "Yes" } })).toBe(false);
    expect(customGuardSelectors.entryOf(MODEL_ID)(test.store.getState()).error?.message).toMatch(/must be different words/);
    expect(test.bridge.calls.filter((call) => call.channel === "models:load")).toHaveLength(loadsBefore);

    expect(await test.store.getState().saveCustomGuard(MODEL_ID, { ...DEFINITION, name: "Renamed" })).toBe(true);
    const entry = customGuardSelectors.entryOf(MODEL_ID)(test.store.getState());
    expect(entry).toMatchObject({ saving: false, report: { definition: { name: "Renamed" } } });
    expect(entry.error).toBeUndefined();
    const loads = test.bridge.calls.filter((call) => call.channel === "models:load").map((call) => call.request);
    expect(loads.slice(loadsBefore)).toEqual([{ id: MODEL_ID, family: "custom-guard" }]);
  });

  it("a model not loaded is saved without loading anything", async () => {
    const test = storeWith({ state: "idle" }, undefined);
    test.store.getState().start();
    await settle();
    await test.store.getState().openCustomGuard(MODEL_ID);
    expect(customGuardSelectors.savedFor(MODEL_ID)(test.store.getState())).toBe(false);
    expect(await test.store.getState().saveCustomGuard(MODEL_ID, DEFINITION)).toBe(true);
    expect(customGuardSelectors.savedFor(MODEL_ID)(test.store.getState())).toBe(true);
    expect(test.bridge.calls.some((call) => call.channel === "models:load")).toBe(false);
  });
});
