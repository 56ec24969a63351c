/**
 * What survives a reload and an app restart, in one place: the conversation as pasted and edited, what is checked, every
 * family's policy draft with the saved version it came from, the threshold and auto-classify setting, and the model
 * last loaded (with the setting that loads it at start).
 *
 * Kept in the page's own storage (localStorage: the desktop app's `app://` origin and serve's fixed port keep it
 * between runs), not on the main side: it is this window's workspace, and two windows may hold two drafts. Saved
 * policies stay in the database; a restored draft never stands in silently for a newer saved version of its policy
 * (policySelectors.newerSavedVersionOf offers that version instead).
 *
 * zustand's persist middleware, on the combined store only (STYLE.md §6); each slice says how its part is saved and read
 * back, and reading back validates, because the storage is the user's and older builds wrote it.
 */
import { createJSONStorage, persist, type PersistOptions, type StateStorage } from "zustand/middleware";
import type { StateCreator } from "zustand/vanilla";
import { restoreConversation, saveConversation, type SavedConversation } from "../features/conversation/slice.ts";
import { restoreModelChoices, saveModelChoices, type SavedModelChoices } from "../features/models/slice.ts";
import { restorePolicyState, savePolicyState, type SavedPolicyState } from "../features/policy/slice.ts";
import { restoreResultSettings, type SavedResultSettings } from "../features/results/slice.ts";
import type { AppState } from "./types.ts";

export const WORKSPACE_STORAGE_KEY = "guardbench.workspace";
const WORKSPACE_VERSION = 1;

export interface SavedWorkspace {
  conversation: SavedConversation;
  policy: SavedPolicyState;
  results: SavedResultSettings;
  models: SavedModelChoices;
}

function saveWorkspace(state: AppState): SavedWorkspace {
  return {
    conversation: saveConversation(state.conversation),
    policy: savePolicyState(state.policy),
    results: { threshold: state.results.threshold, autoClassify: state.results.autoClassify },
    models: saveModelChoices(state.models),
  };
}

function restoreWorkspace(saved: unknown, current: AppState): AppState {
  if (typeof saved !== "object" || saved === null) return current;
  const workspace = saved as Partial<SavedWorkspace>;
  const conversation = readConversation(workspace.conversation);
  return {
    ...current,
    ...(conversation ? { conversation: restoreConversation(conversation) } : {}),
    policy: restorePolicyState(workspace.policy, current.policy),
    results: restoreResultSettings(workspace.results, current.results),
    models: restoreModelChoices(workspace.models, current.models),
  };
}

/** The saved conversation, when it still has the shape this build writes. */
function readConversation(saved: Partial<SavedConversation> | undefined): SavedConversation | undefined {
  if (!saved || typeof saved.pasteText !== "string" || !Array.isArray(saved.turns)) return undefined;
  const turns = saved.turns.filter(
    (turn): turn is SavedConversation["turns"][number] =>
      typeof turn === "object" && turn !== null && ["user", "assistant", "system"].includes(turn.role) && typeof turn.content === "string",
  );
  return {
    pasteText: saved.pasteText,
    turns,
    editedSincePaste: saved.editedSincePaste === true,
    check: saved.check === "prompt" || saved.check === "response" ? saved.check : "last",
    plainTextRole: saved.plainTextRole === "assistant" ? "assistant" : "user",
    ...(typeof saved.sampleId === "string" ? { sampleId: saved.sampleId } : {}),
  };
}

/**
 * The page's localStorage, or nothing when the page may not use it (a locked-down browser profile). A write that fails
 * (the storage is full) is reported on the console and the workspace goes on in memory: the app never stops for it.
 */
export function workspaceStorage(): StateStorage | undefined {
  let storage: Storage;
  try {
    storage = window.localStorage;
  } catch {
    return undefined;
  }
  return {
    getItem: (name) => storage.getItem(name),
    setItem(name, value) {
      try {
        storage.setItem(name, value);
      } catch (caught) {
        console.warn(`guardbench: the workspace could not be saved (${caught instanceof Error ? caught.message : String(caught)})`);
      }
    },
    removeItem: (name) => storage.removeItem(name),
  };
}

/** Wraps the store's creator so its workspace is saved to `storage` on every change and read back when it is made. */
export function persistWorkspace(creator: StateCreator<AppState>, storage: StateStorage): StateCreator<AppState> {
  const options: PersistOptions<AppState, SavedWorkspace> = {
    name: WORKSPACE_STORAGE_KEY,
    version: WORKSPACE_VERSION,
    storage: createJSONStorage(() => storage),
    partialize: saveWorkspace,
    merge: restoreWorkspace,
  };
  return persist(creator, options) as unknown as StateCreator<AppState>;
}
