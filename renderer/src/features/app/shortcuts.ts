/**
 * The global keyboard shortcuts, as data: the help overlay lists the same table the handler reads, so the two cannot
 * drift apart.
 */
import { isTyping } from "../../lib/typing.ts";
import { REVIEW_SHORTCUTS } from "../review/keys.ts";
import type { Screen } from "./slice.ts";

export interface ShortcutActions {
  classify(): void;
  navigate(screen: Screen): void;
  openHelp(): void;
  /** Closes the help, the model picker and notices; whether anything was open. */
  closeOverlays(): boolean;
  /** Stops the classification in progress, else the model load in progress. */
  cancelWork(): void;
  openModelPicker(): void;
  showResultTab(tab: "result" | "prompt"): void;
  toggleAutoClassify(): void;
  togglePlainTextRole(): void;
  focusCategoryStrip(): void;
}

/** Alt+letter shortcuts (by event.code: Alt+letter types other characters on some layouts). File, Edit, View and Window keep Alt+F/E/V/W for the desktop menu. */
const ALT_LETTERS: ReadonlyArray<{ code: string; run(actions: ShortcutActions): void }> = [
  { code: "KeyR", run: (actions) => actions.showResultTab("result") },
  { code: "KeyP", run: (actions) => actions.showResultTab("prompt") },
  { code: "KeyA", run: (actions) => actions.toggleAutoClassify() },
  { code: "KeyU", run: (actions) => actions.togglePlainTextRole() },
  { code: "KeyX", run: (actions) => actions.focusCategoryStrip() },
];

export interface Shortcut {
  keys: string;
  description: string;
}

export const SCREEN_KEYS: ReadonlyArray<{ key: string; screen: Screen; label: string }> = [
  { key: "1", screen: "classify", label: "Classify" },
  { key: "2", screen: "policy", label: "Policy" },
  { key: "3", screen: "models", label: "Models" },
  { key: "4", screen: "history", label: "History" },
  { key: "5", screen: "datasets", label: "Datasets" },
  { key: "6", screen: "runs", label: "Runs" },
  { key: "7", screen: "review", label: "Review" },
  { key: "8", screen: "evaluation", label: "Evaluation" },
  { key: "9", screen: "endpoints", label: "Endpoints" },
];

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: "Ctrl+Enter (⌘+Enter)", description: "Classify the conversation, from any screen" },
  { keys: "Ctrl+L (⌘+L)", description: "Pick a model to load (the model picker on Classify)" },
  ...SCREEN_KEYS.map(({ key, label }) => ({ keys: `Alt+${key}`, description: `Go to ${label}` })),
  { keys: "Alt+R / Alt+P", description: "Show the result / the exact prompt it was made from" },
  { keys: "Alt+A", description: "Turn re-classifying automatically after edits on or off" },
  { keys: "Alt+U", description: "Read pasted plain text as the user's prompt or the assistant's response" },
  { keys: "Alt+X", description: "Go to the category strip on Classify; Space there excludes or includes a category and classifies again" },
  { keys: "/", description: "Search the history (on History, when not typing in a field)" },
  { keys: "Delete", description: "Delete the focused history entry (asks first)" },
  { keys: "?", description: "Show this help (when not typing in a field)" },
  { keys: "Esc", description: "Close the help, the model picker or a token's alternatives; with nothing open, stop a classification or a model load in progress" },
  { keys: "Alt+↑ / Alt+↓", description: "Move the focused turn or category up or down" },
  { keys: "← / →", description: "Move between generated tokens in the heat map" },
  { keys: "Tab / Shift+Tab", description: "Move between controls; every action is a focusable control" },
  ...REVIEW_SHORTCUTS,
];

/** Runs the shortcut `event` stands for; returns true when it was one. */
export function handleShortcut(event: KeyboardEvent, actions: ShortcutActions): boolean {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    actions.classify();
    return true;
  }
  if (event.code === "KeyL" && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
    actions.openModelPicker();
    return true;
  }
  if (event.altKey && !event.ctrlKey && !event.metaKey) {
    // event.code, not event.key: Alt+digit types other characters on some layouts (macOS).
    const target = SCREEN_KEYS.find(({ key }) => event.code === `Digit${key}`);
    if (target) {
      actions.navigate(target.screen);
      return true;
    }
    const letter = ALT_LETTERS.find(({ code }) => event.code === code);
    if (letter && !event.shiftKey) {
      letter.run(actions);
      return true;
    }
  }
  if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
    actions.openHelp();
    return true;
  }
  if (event.key === "Escape") {
    if (!actions.closeOverlays()) actions.cancelWork();
    return false; // let fields keep their own Esc behaviour too
  }
  return false;
}
