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
  /** Closes the help and notices; whether anything was open. */
  closeOverlays(): boolean;
  cancelClassification(): void;
}

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
  ...SCREEN_KEYS.map(({ key, label }) => ({ keys: `Alt+${key}`, description: `Go to ${label}` })),
  { keys: "?", description: "Show this help (when not typing in a field)" },
  { keys: "Esc", description: "Close the help or a token's alternatives; with nothing open, stop a classification in progress" },
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
  if (event.altKey && !event.ctrlKey && !event.metaKey) {
    // event.code, not event.key: Alt+digit types other characters on some layouts (macOS).
    const target = SCREEN_KEYS.find(({ key }) => event.code === `Digit${key}`);
    if (target) {
      actions.navigate(target.screen);
      return true;
    }
  }
  if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
    actions.openHelp();
    return true;
  }
  if (event.key === "Escape") {
    if (!actions.closeOverlays()) actions.cancelClassification();
    return false; // let fields keep their own Esc behaviour too
  }
  return false;
}
