/**
 * The policy being edited, one draft per prompt family (switching family never throws work away), the saved policies
 * and their versions, a version diff, and the token count of the inspected prompt.
 */
import type { PolicySummary, PolicyVersionRef, ResultError } from "../../../../shared/ipc/index.ts";
import {
  applyPolicyEdit,
  diffPolicies,
  excludeCategories,
  isPromptFamily,
  parsePolicy,
  PROMPT_FAMILIES,
  presetPolicy,
  type Policy,
  type PolicyDiff,
  type PolicyEdit,
  type PromptFamily,
} from "../../../../shared/taxonomy/index.ts";
import type { OpenAiMapping } from "../../../../shared/moderation/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { freshPresets } from "./presets.ts";
import { newerSavedVersion, tokenizeRequest } from "./selectors.ts";

/** The saved version a draft was opened from or saved as; the draft is "unsaved" once it differs from `policy`. */
export interface PolicyOrigin {
  name: string;
  version: number;
  policy: Policy;
}

export type TokenCount =
  | { status: "idle" }
  | { status: "counting"; text: string }
  | { status: "counted"; text: string; count: number }
  | { status: "failed"; text: string; error: ResultError };

export interface VersionDiff {
  name: string;
  from: number;
  to: number;
  status: "loading" | "done" | "failed";
  diff?: PolicyDiff;
  error?: ResultError;
}

export type Busy = "idle" | "busy";

export interface PolicyState {
  /** the family being edited and inspected */
  family: PromptFamily;
  drafts: Record<PromptFamily, Policy>;
  origins: Partial<Record<PromptFamily, PolicyOrigin>>;
  saved: PolicySummary[];
  savedError?: ResultError;
  saving: Busy;
  saveError?: ResultError;
  /** the saved version just written, for the confirmation */
  lastSaved?: PolicyVersionRef;
  versionDiff?: VersionDiff;
  importError?: string;
  tokenCount: TokenCount;
  /** per family, the newer saved version the user chose not to open over their draft */
  keptOverNewer: Partial<Record<PromptFamily, number>>;
}

/** What survives a reload: the family being edited, every family's draft and the saved version each came from. */
export interface SavedPolicyState {
  family: PromptFamily;
  drafts: Partial<Record<PromptFamily, Policy>>;
  origins: Partial<Record<PromptFamily, PolicyOrigin>>;
}

export interface PolicySlice {
  policy: PolicyState;
  /** deletes a saved version, or hides it when a run used it (after the screen's confirmation) */
  deletePolicyVersion(name: string, version: number): Promise<void>;
  selectFamily(family: PromptFamily): void;
  /** applies the edit, or returns why it cannot apply (the control that made it shows the reason) */
  editPolicy(edit: PolicyEdit): string | undefined;
  /** the same, on another family's draft (the loaded model's, from the Classify screen) */
  editPolicyOf(family: PromptFamily, edit: PolicyEdit): string | undefined;
  /** excludes the listed codes from `family`'s draft; answers the codes the draft has no category for */
  excludeCodesOf(family: PromptFamily, codes: readonly string[]): string[];
  /** makes `policy` the draft of its family (a history entry's policy), with the saved version it was, when it was one */
  usePolicy(policy: Policy, origin?: PolicyOrigin): void;
  /** the user keeps their draft although a newer version of its saved policy exists: stop offering it */
  keepDraftOverNewer(family: PromptFamily): void;
  renamePolicy(name: string): void;
  resetPolicyToPreset(): void;
  /** the draft's own OpenAI moderation mapping; undefined goes back to the family's default */
  setOpenAiMapping(mapping: OpenAiMapping | undefined): void;
  refreshSavedPolicies(): Promise<void>;
  savePolicy(): Promise<void>;
  openSavedPolicy(name: string, version?: number): Promise<void>;
  compareVersions(name: string, from: number, to: number): Promise<void>;
  importPolicyJson(text: string): void;
  exportPolicyJson(): void;
  countPromptTokens(): Promise<void>;
}

export const DEFAULT_FAMILY: PromptFamily = "llama-guard-3-8b";

export function initialPolicyState(): PolicyState {
  return { family: DEFAULT_FAMILY, drafts: freshPresets(), origins: {}, saved: [], saving: "idle", tokenCount: { status: "idle" }, keptOverNewer: {} };
}

export function savePolicyState(state: PolicyState): SavedPolicyState {
  return { family: state.family, drafts: state.drafts, origins: state.origins };
}

/**
 * Saved drafts back as state. Each draft and origin is validated again (the storage is the user's, and older builds
 * wrote it); one that no longer reads falls back to the family's preset rather than taking the rest with it.
 */
export function restorePolicyState(saved: Partial<SavedPolicyState> | undefined, current: PolicyState): PolicyState {
  const drafts = { ...current.drafts };
  const origins: Partial<Record<PromptFamily, PolicyOrigin>> = {};
  for (const family of PROMPT_FAMILIES) {
    const draft = parsePolicy(saved?.drafts?.[family]);
    if (draft.ok && draft.policy.family === family) drafts[family] = draft.policy;
    const origin = saved?.origins?.[family];
    const originPolicy = parsePolicy(origin?.policy);
    if (origin && originPolicy.ok && typeof origin.name === "string" && Number.isInteger(origin.version)) {
      origins[family] = { name: origin.name, version: origin.version, policy: originPolicy.policy };
    }
  }
  const family = isPromptFamily(saved?.family) ? saved.family : current.family;
  return { ...current, family, drafts, origins };
}

/** "My policy (v2).json" → "my-policy-v2.policy.json": a file name every OS accepts. */
export function policyFileName(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "policy";
  return `${slug}.policy.json`;
}

export const createPolicySlice: SliceCreator<PolicySlice> = (set, get, { bridge, saveTextFile }) => {
  const patch = (changes: Partial<PolicyState> | ((current: PolicyState) => Partial<PolicyState>)) => patchSlice(set, "policy", changes);
  const current = () => get().policy;
  const setDraft = (policy: Policy, origin?: PolicyOrigin) =>
    patch((state) => ({
      family: policy.family,
      drafts: { ...state.drafts, [policy.family]: policy },
      origins: { ...state.origins, [policy.family]: origin },
      importError: undefined,
    }));

  return {
    policy: initialPolicyState(),

    selectFamily: (family) => patch({ family }),

    editPolicy: (edit) => get().editPolicyOf(current().family, edit),

    editPolicyOf(family, edit) {
      const { drafts } = current();
      const edited = applyPolicyEdit(drafts[family], edit);
      if (!edited.ok) return edited.error.message;
      patch({ drafts: { ...drafts, [family]: edited.policy } });
      return undefined;
    },

    excludeCodesOf(family, codes) {
      const { drafts } = current();
      const { policy, unknown } = excludeCategories(drafts[family], codes);
      patch({ drafts: { ...drafts, [family]: policy } });
      return unknown;
    },

    usePolicy: (policy, origin) => setDraft(policy, origin),

    keepDraftOverNewer(family) {
      const newer = newerSavedVersion(get(), family);
      if (newer) patch((state) => ({ keptOverNewer: { ...state.keptOverNewer, [family]: newer.version } }));
    },

    renamePolicy(name) {
      const { family, drafts } = current();
      patch({ drafts: { ...drafts, [family]: { ...drafts[family], name } } });
    },

    resetPolicyToPreset() {
      const { family, drafts, origins } = current();
      patch({ drafts: { ...drafts, [family]: presetPolicy(family) }, origins: { ...origins, [family]: undefined } });
    },

    setOpenAiMapping(mapping) {
      const { family, drafts } = current();
      const { openaiMapping: _previous, ...rest } = drafts[family];
      patch({ drafts: { ...drafts, [family]: mapping === undefined ? rest : { ...rest, openaiMapping: mapping } } });
    },

    async deletePolicyVersion(name, version) {
      const deleted = await bridge.invoke("policies:delete-version", { name, version });
      if (!deleted.ok) return void get().notify({ kind: "error", message: deleted.error.message, hint: deleted.error.hint });
      const { outcome, runs } = deleted.value;
      get().notify({
        kind: "info",
        message: outcome === "deleted" ? `Deleted ${name} v${version}.` : `Hid ${name} v${version}: ${runs} ${runs === 1 ? "run uses" : "runs use"} it, so it stays for ${runs === 1 ? "that run" : "them"} but leaves the lists.`,
      });
      await get().refreshSavedPolicies();
    },

    async refreshSavedPolicies() {
      const listed = await bridge.invoke("policies:list", {});
      patch(listed.ok ? { saved: listed.value.policies, savedError: undefined } : { savedError: listed.error });
    },

    async savePolicy() {
      const draft = current().drafts[current().family];
      patch({ saving: "busy", saveError: undefined });
      const saved = await bridge.invoke("policies:save", { policy: draft });
      if (!saved.ok) {
        patch({ saving: "idle", saveError: saved.error });
        return;
      }
      const { name, version } = saved.value;
      patch((state) => ({
        saving: "idle",
        lastSaved: { name, version },
        origins: { ...state.origins, [draft.family]: { name, version, policy: draft } },
      }));
      get().notify({ kind: "info", message: `Saved “${name}” as version ${version}.` });
      await get().refreshSavedPolicies();
    },

    async openSavedPolicy(name, version) {
      const stored = await bridge.invoke("policies:get", version === undefined ? { name } : { name, version });
      if (!stored.ok) {
        get().notify({ kind: "error", message: stored.error.message, hint: stored.error.hint });
        return;
      }
      const { policy } = stored.value;
      setDraft(policy, { name: stored.value.name, version: stored.value.version, policy });
    },

    async compareVersions(name, from, to) {
      patch({ versionDiff: { name, from, to, status: "loading" } });
      const [a, b] = await Promise.all([bridge.invoke("policies:get", { name, version: from }), bridge.invoke("policies:get", { name, version: to })]);
      // A later comparison may have started while these were in flight; only the latest one may write.
      const stillWanted = (diff?: VersionDiff) => diff?.name === name && diff.from === from && diff.to === to;
      if (!stillWanted(current().versionDiff)) return;
      if (!a.ok || !b.ok) {
        const error = !a.ok ? a.error : !b.ok ? b.error : undefined;
        patch({ versionDiff: { name, from, to, status: "failed", error } });
        return;
      }
      patch({ versionDiff: { name, from, to, status: "done", diff: diffPolicies(a.value.policy, b.value.policy) } });
    },

    importPolicyJson(text) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (caught) {
        patch({ importError: `The file is not JSON: ${caught instanceof Error ? caught.message : String(caught)}` });
        return;
      }
      const parsed = parsePolicy(json);
      if (!parsed.ok) {
        patch({ importError: `The file is not a Guardbench policy: ${parsed.error.message}` });
        return;
      }
      setDraft(parsed.policy);
      get().notify({ kind: "info", message: `Imported “${parsed.policy.name}” (not saved yet).` });
    },

    exportPolicyJson() {
      const draft = current().drafts[current().family];
      saveTextFile(policyFileName(draft.name), `${JSON.stringify(draft, null, 2)}\n`);
    },

    async countPromptTokens() {
      const request = tokenizeRequest(get());
      if (!request) return;
      const { text } = request;
      patch({ tokenCount: { status: "counting", text } });
      const counted = await bridge.invoke("prompt:tokenize", request.input);
      // Typing goes on while the main side counts: drop an answer for a prompt that is no longer shown.
      if (tokenizeRequest(get())?.text !== text) return;
      patch({
        tokenCount: counted.ok ? { status: "counted", text, count: counted.value.tokenCount } : { status: "failed", text, error: counted.error },
      });
    },
  };
};
