import type { AppState } from "../../store/types.ts";
import type { CustomGuardEntry } from "./slice.ts";

const none: CustomGuardEntry = { loading: false, saving: false };

export const customGuardSelectors = {
  /** the model's entry (a stable empty one before it was opened) */
  entryOf: (modelId: string) => (s: AppState) => s.customGuards.byModel[modelId] ?? none,
  /** whether a definition is saved with the model, so it can load as a custom guard */
  savedFor: (modelId: string) => (s: AppState) => s.customGuards.byModel[modelId]?.report?.definition !== undefined,
};
