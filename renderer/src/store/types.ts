/**
 * Types every slice shares. A slice creator gets zustand's `set`/`get` for the WHOLE store (cross-slice actions use
 * `get()`, STYLE.md §6) plus the store's dependencies: the bridge and the few browser side effects the actions need,
 * injected so tests can replace them.
 */
import type { StoreApi } from "zustand/vanilla";
import type { Bridge } from "../bridge/index.ts";
import type { AppShellSlice } from "../features/app/slice.ts";
import type { ConversationSlice } from "../features/conversation/slice.ts";
import type { HistorySlice } from "../features/history/slice.ts";
import type { ModelsSlice } from "../features/models/slice.ts";
import type { PolicySlice } from "../features/policy/slice.ts";
import type { ResultsSlice } from "../features/results/slice.ts";
import type { DatasetsSlice } from "../features/datasets/slice.ts";
import type { EvaluationSlice } from "../features/evaluation/slice.ts";
import type { ReviewSlice } from "../features/review/slice.ts";
import type { RunsSlice } from "../features/runs/slice.ts";
import type { EndpointsSlice } from "../features/endpoints/slice.ts";
import type { CustomGuardsSlice } from "../features/customGuard/slice.ts";

export type AppState = AppShellSlice & ConversationSlice & PolicySlice & ModelsSlice & ResultsSlice & HistorySlice & DatasetsSlice & RunsSlice & ReviewSlice & EvaluationSlice & EndpointsSlice & CustomGuardsSlice;

export interface StoreDeps {
  bridge: Bridge;
  writeClipboard(text: string): Promise<void>;
  /** offers `text` to the user as a file download; nothing leaves the machine */
  saveTextFile(fileName: string, text: string): void;
  /** offers binary data (a chart as PNG) as a file download */
  saveBlob(fileName: string, blob: Blob): void;
}

export type SetState = StoreApi<AppState>["setState"];
export type GetState = StoreApi<AppState>["getState"];
export type SliceCreator<Slice> = (set: SetState, get: GetState, deps: StoreDeps) => Slice;

/** The keys under which slices keep their data (actions sit at the top level, data one level down). */
type SliceDataKey = "app" | "conversation" | "policy" | "models" | "results" | "history" | "datasets" | "runs" | "review" | "evaluation" | "endpoints" | "customGuards";

/** Merges `patch` into one slice's data object; the one place nested updates are spelled out. */
export function patchSlice<K extends SliceDataKey>(
  set: SetState,
  key: K,
  patch: Partial<AppState[K]> | ((current: AppState[K]) => Partial<AppState[K]>),
): void {
  set((state) => {
    const current = state[key];
    const changes = typeof patch === "function" ? patch(current) : patch;
    return { [key]: { ...current, ...changes } } as Partial<AppState>;
  });
}
