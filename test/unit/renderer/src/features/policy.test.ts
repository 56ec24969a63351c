import { describe, expect, it } from "vitest";
import { err, ok, type StoredPolicy } from "../../../../../shared/ipc/index.ts";
import { presetPolicy, setCategoryEnabled, type Policy } from "../../../../../shared/taxonomy/index.ts";
import { policySelectors } from "../../../../../renderer/src/features/policy/selectors.ts";
import { policyFileName } from "../../../../../renderer/src/features/policy/slice.ts";
import { diffLines } from "../../../../../renderer/src/lib/lineDiff.ts";
import { createTestStore, readyEngine, settle } from "../../../../support/renderer/helpers.ts";

const excludeS3 = (policy: Policy) => {
  const edited = setCategoryEnabled(policy, "S3", false);
  if (!edited.ok) throw new Error(edited.error.message);
  return edited.policy;
};

describe("policy slice", () => {
  it("excluding a category changes the inspected prompt and marks the dropped preset line", () => {
    const { store } = createTestStore();
    store.getState().selectFamily("llama-guard-3-1b");
    const before = policySelectors.inspectedPrompt(store.getState());
    expect(before.text).toContain("S3: Sex Crimes.");
    expect(before.changedLines).toBe(0);

    store.getState().editPolicy({ type: "setEnabled", code: "S3", enabled: false });
    const after = policySelectors.inspectedPrompt(store.getState());
    expect(after.text).not.toContain("S3: Sex Crimes.");
    expect(after.lines.filter((line) => line.mark === "removed").map((line) => line.text)).toEqual(["S3: Sex Crimes."]);
    expect(policySelectors.isUnsaved(store.getState())).toBe(true);
  });

  it("refuses an invalid edit with a reason and leaves the draft alone", () => {
    const { store } = createTestStore();
    const draft = policySelectors.draft(store.getState());
    expect(store.getState().editPolicy({ type: "rename", code: "S1", name: "  " })).toBe("name is empty");
    expect(policySelectors.draft(store.getState())).toBe(draft);
  });

  it("keeps one draft per family, so switching family loses nothing", () => {
    const { store } = createTestStore();
    store.getState().selectFamily("llama-guard-2");
    store.getState().editPolicy({ type: "setEnabled", code: "S1", enabled: false });
    store.getState().selectFamily("llama-guard-3-8b");
    store.getState().selectFamily("llama-guard-2");
    expect(policySelectors.draft(store.getState()).categories[0]!.enabled).toBe(false);
  });

  it("saves the draft as a new version, remembers where it came from and refreshes the list", async () => {
    const saved: Policy[] = [];
    const { store, bridge } = createTestStore({
      "policies:save": ({ policy }) => {
        saved.push(policy as Policy);
        return ok({ name: policy.name, version: saved.length, savedAt: "2026-01-01T00:00:00Z" });
      },
      "policies:list": () => ok({ policies: [{ name: "Mine", family: "llama-guard-3-8b", latestVersion: saved.length, versions: [] }] }),
    });
    store.getState().renamePolicy("Mine");
    await store.getState().savePolicy();
    await store.getState().savePolicy();
    expect(bridge.calls.filter((call) => call.channel === "policies:save")).toHaveLength(2);
    expect(policySelectors.origin(store.getState())).toMatchObject({ name: "Mine", version: 2 });
    expect(policySelectors.isUnsaved(store.getState())).toBe(false);
    expect(policySelectors.saved(store.getState())[0]!.latestVersion).toBe(2);
  });

  it("shows why a save failed", async () => {
    const { store } = createTestStore({ "policies:save": () => err("store-failed", "The database is read-only.", "Check the folder's permissions.") });
    await store.getState().savePolicy();
    expect(policySelectors.saveError(store.getState())).toEqual({ code: "store-failed", message: "The database is read-only.", hint: "Check the folder's permissions." });
  });

  it("opens a saved version into its family's draft", async () => {
    const stored: StoredPolicy = { name: "No S3", version: 4, family: "llama-guard-3-1b", savedAt: "", policy: { ...excludeS3(presetPolicy("llama-guard-3-1b")), name: "No S3" } };
    const { store } = createTestStore({ "policies:get": () => ok(stored) });
    await store.getState().openSavedPolicy("No S3", 4);
    expect(policySelectors.family(store.getState())).toBe("llama-guard-3-1b");
    expect(policySelectors.draft(store.getState()).name).toBe("No S3");
    expect(policySelectors.origin(store.getState())).toMatchObject({ name: "No S3", version: 4 });
  });

  it("diffs two saved versions", async () => {
    const v1 = presetPolicy("llama-guard-3-8b");
    const v2 = excludeS3(v1);
    const { store } = createTestStore({ "policies:get": ({ version }) => ok({ name: "P", version: version!, family: "llama-guard-3-8b", savedAt: "", policy: version === 1 ? v1 : v2 }) });
    await store.getState().compareVersions("P", 1, 2);
    expect(policySelectors.versionDiff(store.getState())).toMatchObject({ status: "done", diff: { changes: [{ kind: "enabledChanged", code: "S3", to: false }] } });
  });

  it("imports a policy file, and says what is wrong with a bad one", () => {
    const { store } = createTestStore();
    store.getState().importPolicyJson("{ not json");
    expect(policySelectors.importError(store.getState())).toMatch(/^The file is not JSON/);
    store.getState().importPolicyJson(JSON.stringify({ name: "X", family: "llama-guard-2", categories: [{ code: "S1", name: "A", enabeld: false }] }));
    expect(policySelectors.importError(store.getState())).toMatch(/not a Guardbench policy/);
    store.getState().importPolicyJson(JSON.stringify({ ...presetPolicy("llama-guard-2"), name: "Imported" }));
    expect(policySelectors.family(store.getState())).toBe("llama-guard-2");
    expect(policySelectors.draft(store.getState()).name).toBe("Imported");
  });

  it("exports the draft as a JSON file named after it", () => {
    const { store, savedFiles } = createTestStore();
    store.getState().renamePolicy("Elections: strict (v2)");
    store.getState().exportPolicyJson();
    expect(savedFiles[0]!.fileName).toBe("elections-strict-v2.policy.json");
    expect(JSON.parse(savedFiles[0]!.text)).toEqual(policySelectors.draft(store.getState()));
    expect(policyFileName("***")).toBe("policy.policy.json");
  });
});

describe("token count", () => {
  it("asks for a model until one of the policy's family is loaded", () => {
    const { store } = createTestStore();
    expect(policySelectors.tokenCountView(store.getState())).toEqual({ kind: "needs-model" });
    store.getState().engineStatusChanged(readyEngine("llama-guard-2"));
    store.getState().selectFamily("llama-guard-3-1b");
    expect(policySelectors.tokenCountView(store.getState())).toEqual({ kind: "other-family", modelFamily: "llama-guard-2" });
  });

  it("counts the inspected prompt with the loaded tokenizer and drops answers for a prompt no longer shown", async () => {
    let release: (() => void) | undefined;
    const { store } = createTestStore({
      "prompt:tokenize": async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return ok({ text: "", tokenCount: 321, pieces: [] });
      },
    });
    store.getState().engineStatusChanged(readyEngine("llama-guard-3-1b"));
    expect(policySelectors.tokenCountView(store.getState())).toEqual({ kind: "counting" });
    const counting = store.getState().countPromptTokens();
    await settle();
    store.getState().editPolicy({ type: "setEnabled", code: "S1", enabled: false });
    release!();
    await counting;
    // The prompt changed while counting: the old count is not shown as the new prompt's.
    expect(policySelectors.tokenCountView(store.getState())).toEqual({ kind: "counting" });
    const again = store.getState().countPromptTokens();
    await settle();
    release!();
    await again;
    expect(policySelectors.tokenCountView(store.getState())).toEqual({ kind: "counted", count: 321 });
  });
});

describe("line diff", () => {
  it("marks rewritten lines as removed then added, and keeps the common ends", () => {
    expect(diffLines("a\nb\nc\nd", "a\nB\nc\nd")).toEqual([
      { text: "a", mark: "same" },
      { text: "b", mark: "removed" },
      { text: "B", mark: "added" },
      { text: "c", mark: "same" },
      { text: "d", mark: "same" },
    ]);
    expect(diffLines("x\ny", "x\ny").every((line) => line.mark === "same")).toBe(true);
    expect(diffLines("a\nc", "a\nb\nc").map((line) => line.mark)).toEqual(["same", "added", "same"]);
  });
});
