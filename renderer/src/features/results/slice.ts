/**
 * Classification: the run itself (`classify:run`), the result on screen, and the threshold, which the user moves after
 * the fact; whether the result is flagged is recomputed from it live (see selectors).
 */
import type { ClassificationResult } from "../../../../shared/classify/result.ts";
import type { HistoryEntry, ResultError } from "../../../../shared/ipc/index.ts";
import type { Policy } from "../../../../shared/taxonomy/index.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";
import { conversationSelectors } from "../conversation/selectors.ts";
import { classifyBlocker } from "./selectors.ts";

export interface ShownResult {
  result: ClassificationResult;
  /** the policy the result was produced with: category names are read from it */
  policy: Policy;
  /** where it came from */
  source: { kind: "run"; historyId?: number } | { kind: "history"; historyId: number; createdAt: string };
}

export interface ResultsState {
  running: boolean;
  /** the running classification's id, which `classify:cancel` names */
  requestId?: string;
  shown?: ShownResult;
  error?: ResultError;
  threshold: number;
  copied: boolean;
}

export interface ResultsSlice {
  results: ResultsState;
  classify(): Promise<void>;
  /** Stops the classification in progress; the result shown before stays. */
  cancelClassify(): Promise<void>;
  setThreshold(threshold: number): void;
  copyResultAsJson(): Promise<void>;
  showHistoryEntry(entry: HistoryEntry): void;
}

export const DEFAULT_THRESHOLD = 0.5;

let classifications = 0;

export const createResultsSlice: SliceCreator<ResultsSlice> = (set, get, { bridge, writeClipboard }) => {
  const patch = (changes: Partial<ResultsState>) => patchSlice(set, "results", changes);

  return {
    results: { running: false, threshold: DEFAULT_THRESHOLD, copied: false },

    async classify() {
      const state = get();
      if (state.results.running) return;
      const blocker = classifyBlocker(state);
      if (blocker) {
        patch({ error: { code: "not-ready", message: blocker } });
        return;
      }
      const family = state.models.engine.model!.family;
      const policy = state.policy.drafts[family];
      const origin = state.policy.origins[family];
      const unchangedSinceSaved = origin && JSON.stringify(origin.policy) === JSON.stringify(policy);
      const requestId = `classify-${Date.now()}-${++classifications}`;
      patch({ running: true, requestId, error: undefined, copied: false });
      const ran = await bridge.invoke("classify:run", {
        requestId,
        turns: conversationSelectors.plainTurns(state),
        check: state.conversation.check,
        policy,
        options: { threshold: state.results.threshold },
        ...(unchangedSinceSaved && { policyVersion: { name: origin.name, version: origin.version } }),
      });
      if (!ran.ok) {
        // Stopped on purpose: nothing went wrong, and the result shown before stays.
        patch({ running: false, requestId: undefined, ...(ran.error.code === "cancelled" ? {} : { error: ran.error }) });
        return;
      }
      patch({ running: false, requestId: undefined, shown: { result: ran.value.result, policy, source: { kind: "run", historyId: ran.value.historyId } } });
      if (ran.value.historyId !== undefined) void get().refreshHistory();
    },

    async cancelClassify() {
      const { running, requestId } = get().results;
      if (!running || !requestId) return;
      await bridge.invoke("classify:cancel", { requestId });
    },

    setThreshold: (threshold) => patch({ threshold: Math.min(1, Math.max(0, threshold)) }),

    async copyResultAsJson() {
      const shown = get().results.shown;
      if (!shown) return;
      const threshold = get().results.threshold;
      // The copy reflects what the user sees: the threshold they set and the flag it gives.
      const exported = { ...shown.result, threshold, flagged: shown.result.score >= threshold };
      try {
        await writeClipboard(JSON.stringify(exported, null, 2));
        patch({ copied: true });
      } catch (caught) {
        get().notify({ kind: "error", message: "Could not copy to the clipboard.", hint: caught instanceof Error ? caught.message : undefined });
      }
    },

    showHistoryEntry(entry) {
      patch({ shown: { result: entry.result, policy: entry.policy, source: { kind: "history", historyId: entry.id, createdAt: entry.createdAt } }, error: undefined, copied: false });
    },
  };
};
