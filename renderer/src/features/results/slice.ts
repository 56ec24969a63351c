/**
 * Classification: the run itself (`classify:run`), the result on screen with what produced it, and the threshold, which
 * the user moves after the fact; whether the result is flagged is recomputed from it live, and whether it is out of
 * date is recomputed from the inputs it was made with (see selectors).
 */
import type { ClassificationResult } from "../../../../shared/classify/result.ts";
import { toOpenAiModerationExport } from "../../../../shared/moderation/index.ts";
import { settingsOfScores } from "../../../../shared/families/decision.ts";
import { familyOf } from "../../../../shared/families/registry.ts";
import type { CheckMode, Turn } from "../../../../shared/conversation/index.ts";
import type { HistoryEntry, ResultError } from "../../../../shared/ipc/index.ts";
import type { Policy, PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { classifyBlocker, classifyingFamily, currentInputs, inputsKey } from "./selectors.ts";

/** What a classification is computed from: when any of it changes, a result made from it is out of date. */
export interface ClassifyInputs {
  turns: Turn[];
  check: CheckMode;
  policy: Policy;
  /** the model file; undefined when none is ready */
  modelPath?: string;
  family?: PromptFamily;
  /** the family's settings, each at its value (shared/families: Qwen3Guard's `controversialIsUnsafe`) */
  familySettings: Record<string, boolean>;
}

/** The policy as it stood when the result was made: a saved version, that version edited, or never saved. */
export interface PolicyProvenance {
  name: string;
  state: "saved" | "edited" | "unsaved";
  /** the saved version (saved), or the version the edited draft came from (edited) */
  version?: number;
}

/** Guardbench's own result JSON, or OpenAI's moderation shape (shared/moderation/convert.ts). */
export type CopyFormat = "guardbench" | "openai-moderation";

export interface ShownResult {
  result: ClassificationResult;
  /** the policy the result was produced with: category names are read from it */
  policy: Policy;
  inputs: ClassifyInputs;
  policyProvenance: PolicyProvenance;
  /** where it came from */
  source: { kind: "run"; historyId?: number } | { kind: "history"; historyId: number; createdAt: string };
}

export type ResultTab = "result" | "prompt";

export interface ResultsState {
  running: boolean;
  /** the running classification's id, which `classify:cancel` names */
  requestId?: string;
  /** inputsKey of the running classification: asking again for the same inputs does not start a second run */
  runningKey?: string;
  shown?: ShownResult;
  error?: ResultError;
  threshold: number;
  /** the format last copied, until the result changes */
  copied?: CopyFormat;
  /** classify again by itself a moment after every edit (the run in flight is cancelled) */
  autoClassify: boolean;
  tab: ResultTab;
  /** family settings the user changed from their defaults, by id */
  familySettings: Readonly<Record<string, boolean>>;
}

/** What survives a reload. */
export interface SavedResultSettings {
  threshold: number;
  autoClassify: boolean;
}

export interface ResultsSlice {
  results: ResultsState;
  /**
   * Classifies the conversation as it is now. A run already going for other inputs is cancelled and replaced (its
   * answer is dropped); one going for the same inputs is left to finish.
   */
  classify(): Promise<void>;
  /** Stops the classification in progress; the result shown before stays. */
  cancelClassify(): Promise<void>;
  setThreshold(threshold: number): void;
  setAutoClassify(on: boolean): void;
  setResultTab(tab: ResultTab): void;
  /** Sets one of the family's settings (Count Controversial as flagged) and classifies again when a result is shown. */
  setFamilySetting(id: string, value: boolean): void;
  /** Quick exclude: includes or excludes a category of the policy the loaded model classifies with, and classifies again. */
  setClassifyingCategory(code: string, enabled: boolean): void;
  /** Quick exclude by typed codes; answers the codes the policy has no category for (they are ignored, as the templates do). */
  excludeClassifyingCodes(codes: readonly string[]): string[];
  /** copies the shown result, at the threshold the user set: Guardbench's JSON, or OpenAI's moderation shape */
  copyResult(format: CopyFormat): Promise<void>;
  showHistoryEntry(entry: HistoryEntry): void;
}

export const DEFAULT_THRESHOLD = 0.5;

let classifications = 0;

export function restoreResultSettings(saved: Partial<SavedResultSettings> | undefined, current: ResultsState): ResultsState {
  const threshold = typeof saved?.threshold === "number" && saved.threshold >= 0 && saved.threshold <= 1 ? saved.threshold : current.threshold;
  return { ...current, threshold, autoClassify: saved?.autoClassify === true };
}

export const createResultsSlice: SliceCreator<ResultsSlice> = (set, get, { bridge, writeClipboard }) => {
  const patch = (changes: Partial<ResultsState>) => patchSlice(set, "results", changes);

  /** After a quick exclude: classify again when a model is there to do it. */
  function classifyAgainIfReady() {
    if (!classifyBlocker(get())) void get().classify();
  }

  return {
    results: { running: false, threshold: DEFAULT_THRESHOLD, autoClassify: false, tab: "result", familySettings: {} },

    async classify() {
      const state = get();
      const blocker = classifyBlocker(state);
      if (blocker) {
        patch({ error: { code: "not-ready", message: blocker } });
        return;
      }
      const inputs = currentInputs(state);
      const key = inputsKey(inputs);
      if (state.results.running && state.results.runningKey === key) return;
      const superseded = state.results.running ? state.results.requestId : undefined;
      const family = inputs.family!;
      const origin = state.policy.origins[family];
      const unchangedSinceSaved = origin !== undefined && JSON.stringify(origin.policy) === JSON.stringify(inputs.policy);
      const policyProvenance: PolicyProvenance = unchangedSinceSaved
        ? { name: origin.name, state: "saved", version: origin.version }
        : origin
          ? { name: inputs.policy.name, state: "edited", version: origin.version }
          : { name: inputs.policy.name, state: "unsaved" };
      const requestId = `classify-${Date.now()}-${++classifications}`;
      patch({ running: true, requestId, runningKey: key, error: undefined, copied: undefined });
      if (superseded) void bridge.invoke("classify:cancel", { requestId: superseded });
      const ran = await bridge.invoke("classify:run", {
        requestId,
        turns: inputs.turns,
        check: inputs.check,
        policy: inputs.policy,
        options: { threshold: state.results.threshold, familySettings: inputs.familySettings },
        ...(unchangedSinceSaved && { policyVersion: { name: origin.name, version: origin.version } }),
      });
      // A newer run replaced this one: its answer (or its cancellation) is not what the user is waiting for.
      if (get().results.requestId !== requestId) return;
      const finished = { running: false, requestId: undefined, runningKey: undefined };
      if (!ran.ok) {
        // Stopped on purpose: nothing went wrong, and the result shown before stays.
        patch({ ...finished, ...(ran.error.code === "cancelled" ? {} : { error: ran.error }) });
        return;
      }
      patch({
        ...finished,
        shown: { result: ran.value.result, policy: inputs.policy, inputs, policyProvenance, source: { kind: "run", historyId: ran.value.historyId } },
      });
      if (ran.value.historyId !== undefined) void get().refreshHistory();
    },

    async cancelClassify() {
      const { running, requestId } = get().results;
      if (!running || !requestId) return;
      await bridge.invoke("classify:cancel", { requestId });
    },

    setThreshold: (threshold) => patch({ threshold: Math.min(1, Math.max(0, threshold)) }),
    setAutoClassify: (autoClassify) => patch({ autoClassify }),
    setResultTab: (tab) => patch({ tab }),
    setFamilySetting(id, value) {
      patch({ familySettings: { ...get().results.familySettings, [id]: value } });
      if (get().results.shown) classifyAgainIfReady();
    },

    setClassifyingCategory(code, enabled) {
      const family = classifyingFamily(get());
      const refused = get().editPolicyOf(family, { type: "setEnabled", code, enabled });
      if (refused === undefined) classifyAgainIfReady();
      else get().notify({ kind: "error", message: refused });
    },

    excludeClassifyingCodes(codes) {
      const unknown = get().excludeCodesOf(classifyingFamily(get()), codes);
      if (unknown.length < codes.length) classifyAgainIfReady();
      return unknown;
    },

    async copyResult(format) {
      const shown = get().results.shown;
      if (!shown) return;
      const threshold = get().results.threshold;
      // The copy reflects what the user sees: the threshold they set and the flag it gives.
      const atThreshold = { ...shown.result, threshold, flagged: shown.result.score >= threshold };
      const version = shown.policyProvenance.state === "saved" ? shown.policyProvenance.version : undefined;
      const exported = format === "guardbench" ? atThreshold : toOpenAiModerationExport(atThreshold, { policy: shown.policy, ...(version === undefined ? {} : { version }) });
      try {
        await writeClipboard(JSON.stringify(exported, null, 2));
        patch({ copied: format });
      } catch (caught) {
        get().notify({ kind: "error", message: "Could not copy to the clipboard.", hint: caught instanceof Error ? caught.message : undefined });
      }
    },

    showHistoryEntry(entry) {
      const family = familyOf(entry.family);
      const familySettings = settingsOfScores(family.decision, family.settings, entry.result.decisionScores);
      const inputs: ClassifyInputs = { turns: entry.turns, check: entry.target, policy: entry.policy, modelPath: entry.modelPath, family: entry.family, familySettings };
      const policyProvenance: PolicyProvenance =
        entry.policyVersion !== undefined ? { name: entry.policyName, state: "saved", version: entry.policyVersion } : { name: entry.policyName, state: "unsaved" };
      patch({
        shown: { result: entry.result, policy: entry.policy, inputs, policyProvenance, source: { kind: "history", historyId: entry.id, createdAt: entry.createdAt } },
        error: undefined,
        copied: undefined,
        tab: "result",
      });
    },
  };
};
