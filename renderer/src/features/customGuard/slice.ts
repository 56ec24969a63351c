/**
 * Custom guards (issue #15.3b): the definition saved with each library model that is scored as `custom-guard`, as the
 * main side reports it (the model file's own template and a preview of the prompt come with it). The main side owns
 * the definitions; this slice mirrors the ones the user opened, per model id.
 */
import type { CustomGuardReport, Req, ResultError } from "../../../../shared/ipc/index.ts";
import { CUSTOM_GUARD_ID } from "../../../../shared/families/customGuard.ts";
import { patchSlice, type SliceCreator } from "../../store/types.ts";

/** What the editor sends: the definition as typed, validated by the main side's contract. */
export type CustomGuardDraft = Req<"models:save-custom-guard">["definition"];

export interface CustomGuardEntry {
  loading: boolean;
  saving: boolean;
  report?: CustomGuardReport;
  /** the last failed read or save, shown in the editor until the next one */
  error?: ResultError;
}

export interface CustomGuardsState {
  byModel: Record<string, CustomGuardEntry>;
}

export interface CustomGuardsSlice {
  customGuards: CustomGuardsState;
  /** reads the model's saved definition and its file's own template */
  openCustomGuard(modelId: string): Promise<void>;
  /** saves the definition with the model; a model loaded as this custom guard loads again with it. Returns whether it was saved. */
  saveCustomGuard(modelId: string, draft: CustomGuardDraft): Promise<boolean>;
  removeCustomGuard(modelId: string): Promise<void>;
}

export const initialCustomGuardsState: CustomGuardsState = { byModel: {} };

const idle: CustomGuardEntry = { loading: false, saving: false };

export const createCustomGuardsSlice: SliceCreator<CustomGuardsSlice> = (set, get, { bridge }) => {
  const patchEntry = (modelId: string, changes: Partial<CustomGuardEntry>) =>
    patchSlice(set, "customGuards", (state) => ({ byModel: { ...state.byModel, [modelId]: { ...(state.byModel[modelId] ?? idle), ...changes } } }));
  /** The main side's answer, with the flag of the request it ends cleared. */
  const answer = (modelId: string, result: { ok: true; value: CustomGuardReport } | { ok: false; error: ResultError }, ended: { loading: false } | { saving: false }) =>
    patchEntry(modelId, { ...ended, ...(result.ok ? { report: result.value, error: undefined } : { error: result.error }) });

  return {
    customGuards: initialCustomGuardsState,
    async openCustomGuard(modelId) {
      patchEntry(modelId, { loading: true });
      const report = await bridge.invoke("models:custom-guard", { id: modelId });
      answer(modelId, report, { loading: false });
    },
    async saveCustomGuard(modelId, definition) {
      patchEntry(modelId, { saving: true, error: undefined });
      const saved = await bridge.invoke("models:save-custom-guard", { id: modelId, definition });
      answer(modelId, saved, { saving: false });
      if (!saved.ok) return false;
      // The engine took the definition when it loaded: the loaded custom guard gets the new one at once.
      const { engine } = get().models;
      if (engine.state === "ready" && engine.model?.id === modelId && engine.model.family === CUSTOM_GUARD_ID) await get().loadModel(modelId, CUSTOM_GUARD_ID);
      return true;
    },
    async removeCustomGuard(modelId) {
      const removed = await bridge.invoke("models:remove-custom-guard", { id: modelId });
      if (!removed.ok) return patchEntry(modelId, { error: removed.error });
      await get().openCustomGuard(modelId);
    },
  };
};
