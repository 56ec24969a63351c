/**
 * "Re-classify automatically after edits": once the user stops editing for a moment, the conversation is classified
 * again; a run still going for older inputs is cancelled by `classify()` itself. Watches the store rather than each
 * action, so every kind of edit (turns, roles, check mode, policy, model) counts without any of them knowing.
 */
import type { StoreApi } from "zustand/vanilla";
import type { AppState } from "../../store/types.ts";
import { classifyBlocker, currentInputsKey, inputsKey } from "./selectors.ts";

/** Long enough that typing a word does not start a run per letter, short enough to feel live. */
export const AUTO_CLASSIFY_DEBOUNCE_MS = 600;

/** Subscribes for the store's lifetime (the app's); returns the unsubscribe function for tests. */
export function classifyAfterEdits(store: StoreApi<AppState>, debounceMs = AUTO_CLASSIFY_DEBOUNCE_MS): () => void {
  let lastKey = currentInputsKey(store.getState());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = store.subscribe((state) => {
    const key = currentInputsKey(state);
    if (key === lastKey) return;
    lastKey = key;
    clearTimeout(timer);
    if (!state.results.autoClassify) return;
    timer = setTimeout(() => {
      const now = store.getState();
      const shown = now.results.shown;
      // Nothing to do when the inputs went back to what the shown result (or the run going) was made from.
      const current = currentInputsKey(now);
      if (!now.results.autoClassify || classifyBlocker(now) || (shown && inputsKey(shown.inputs) === current) || now.results.runningKey === current) return;
      void now.classify();
    }, debounceMs);
  });
  return () => {
    clearTimeout(timer);
    stop();
  };
}
