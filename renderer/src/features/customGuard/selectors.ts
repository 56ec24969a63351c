import { CUSTOM_GUARD_ID, type CustomGuardDefinition } from "../../../../shared/families/customGuard.ts";
import type { CustomGuardReport } from "../../../../shared/ipc/index.ts";
import type { AppState } from "../../store/types.ts";
import type { CustomGuardEntry } from "./slice.ts";

const none: CustomGuardEntry = { loading: false, saving: false };

/** What the main side said of the loaded custom guard (its definition and its file's template), once read; undefined for every other family. */
function loadedReport(s: AppState): CustomGuardReport | undefined {
  const { engine } = s.models;
  if (engine.state !== "ready" || engine.model?.family !== CUSTOM_GUARD_ID || engine.model.id === undefined) return undefined;
  return s.customGuards.byModel[engine.model.id]?.report;
}

export const customGuardSelectors = {
  loadedReport,
  loadedDefinition: (s: AppState): CustomGuardDefinition | undefined => loadedReport(s)?.definition,
  /** the model's entry (a stable empty one before it was opened) */
  entryOf: (modelId: string) => (s: AppState) => s.customGuards.byModel[modelId] ?? none,
  /** whether a definition is saved with the model, so it can load as a custom guard */
  savedFor: (modelId: string) => (s: AppState) => s.customGuards.byModel[modelId]?.report?.definition !== undefined,
};
