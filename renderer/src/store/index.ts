/**
 * ONE store made of feature slices (STYLE.md §6). `createAppStore(bridge)` makes a vanilla store, so tests drive it
 * without React; components read it through `useAppStore(selector)` with the named selectors of `features/*\/selectors.ts`
 * (wrap a selector that builds an object or array in `useShallow`).
 */
import { createContext, createElement, useContext, type ReactNode } from "react";
import { useStore } from "zustand";
import type { StateStorage } from "zustand/middleware";
import { createStore, type StateCreator, type StoreApi } from "zustand/vanilla";
import type { Bridge } from "../bridge/index.ts";
import { createAppShellSlice } from "../features/app/slice.ts";
import { createConversationSlice } from "../features/conversation/slice.ts";
import { createHistorySlice } from "../features/history/slice.ts";
import { createModelsSlice } from "../features/models/slice.ts";
import { createPolicySlice } from "../features/policy/slice.ts";
import { createResultsSlice } from "../features/results/slice.ts";
import { createDatasetsSlice } from "../features/datasets/slice.ts";
import { createEvaluationSlice } from "../features/evaluation/slice.ts";
import { createReviewSlice } from "../features/review/slice.ts";
import { createRunsSlice } from "../features/runs/slice.ts";
import { createEndpointsSlice } from "../features/endpoints/slice.ts";
import { createCustomGuardsSlice } from "../features/customGuard/slice.ts";
import { classifyAfterEdits } from "../features/results/autoClassify.ts";
import { persistWorkspace } from "./persistence.ts";
import { keepSelectionAcrossReloads } from "../features/app/rememberedSelection.ts";
import type { AppState, StoreDeps } from "./types.ts";

export type { AppState, StoreDeps } from "./types.ts";
export type AppStore = StoreApi<AppState>;

/** Browser side effects that actions need; tests pass their own. */
export function browserEffects(): Omit<StoreDeps, "bridge"> {
  function saveBlob(fileName: string, blob: Blob) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    link.click();
    // The click has started the download synchronously; the URL can go once this task ends.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
  return {
    saveBlob,
    writeClipboard: (text) => navigator.clipboard.writeText(text),
    saveTextFile: (fileName, text) => saveBlob(fileName, new Blob([text], { type: "application/json" })),
  };
}

export interface StoreOptions {
  /** where the workspace (persistence.ts) and the Review/Evaluation selection (rememberedSelection.ts) survive reloads; none: nothing is kept (tests) */
  storage?: StateStorage;
}

export function createAppStore(bridge: Bridge, effects: Omit<StoreDeps, "bridge"> = browserEffects(), options: StoreOptions = {}): AppStore {
  const deps: StoreDeps = { bridge, ...effects };
  const slices: StateCreator<AppState> = (set, get) =>
    mergeSlices(
      createAppShellSlice(set, get, deps),
      createConversationSlice(set, get, deps),
      createPolicySlice(set, get, deps),
      createModelsSlice(set, get, deps),
      createResultsSlice(set, get, deps),
      createHistorySlice(set, get, deps),
      createDatasetsSlice(set, get, deps),
      createRunsSlice(set, get, deps),
      createReviewSlice(set, get, deps),
      createEvaluationSlice(set, get, deps),
      createEndpointsSlice(set, get, deps),
      createCustomGuardsSlice(set, get, deps),
    ) as AppState;
  const store = createStore<AppState>()(options.storage ? persistWorkspace(slices, options.storage) : slices);
  classifyAfterEdits(store);
  if (options.storage) keepSelectionAcrossReloads(store, options.storage);
  return store;
}

/**
 * The slices as one state object. Two slices naming the same action would silently leave only the later one (the
 * type of the merged state cannot tell when both have the same signature), so a repeated key is refused.
 */
export function mergeSlices(...slices: object[]): object {
  const merged: Record<string, unknown> = {};
  for (const slice of slices) {
    for (const [key, value] of Object.entries(slice)) {
      if (key in merged) throw new Error(`two store slices define "${key}"; give one of them another name`);
      merged[key] = value;
    }
  }
  return merged;
}

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return createElement(StoreContext.Provider, { value: store }, children);
}

/** The store itself, for handlers that read it at the moment they run (global shortcuts); never for rendering. */
export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useAppStoreApi needs a <StoreProvider> above it");
  return store;
}

/** Subscribes to one selected value. There is deliberately no way to subscribe to the whole state. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useAppStore needs a <StoreProvider> above it");
  return useStore(store, selector);
}
