/**
 * The review queue's keys, as data (the help overlay lists the same table) and one pure handler the screen calls.
 * Single letters act only when focus is not in a field; Esc in the note field hands the keys back to the queue.
 */
import type { SafetyLabel } from "../../../../shared/datasets/index.ts";
import { isTyping } from "../../lib/typing.ts";

export interface ReviewKeyActions {
  next(): void;
  previous(): void;
  label(label: SafetyLabel): void;
  /** 1-based position among the enabled categories */
  toggleCategory(position: number): void;
  focusNote(): void;
  leaveNote(): void;
  undo(): void;
}

export const REVIEW_SHORTCUTS: ReadonlyArray<{ keys: string; description: string }> = [
  { keys: "j / ↓", description: "Review: next item" },
  { keys: "k / ↑", description: "Review: previous item" },
  { keys: "s", description: "Review: label the item safe and go to the next" },
  { keys: "u", description: "Review: label the item unsafe (with the chosen categories) and go to the next" },
  { keys: "1 … 9", description: "Review: toggle the 1st … 9th enabled category" },
  { keys: "n", description: "Review: write a note (Esc returns to the queue)" },
  { keys: "z / Ctrl+Z", description: "Review: undo the session's last label" },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

/** Runs the review action `event` stands for; returns true when it was one (the caller then prevents the default). */
export function handleReviewKey(event: KeyLike, actions: ReviewKeyActions): boolean {
  if (event.altKey) return false;
  if (event.target instanceof HTMLElement && event.target.closest('[role="dialog"]')) return false;
  const typing = isTyping(event.target);
  if (typing) {
    if (event.key === "Escape" && event.target instanceof HTMLTextAreaElement) {
      actions.leaveNote();
      return true;
    }
    return false;
  }
  const command = event.ctrlKey || event.metaKey;
  if (command) {
    if (event.key.toLowerCase() === "z") {
      actions.undo();
      return true;
    }
    return false;
  }
  switch (event.key) {
    case "j":
    case "ArrowDown":
      actions.next();
      return true;
    case "k":
    case "ArrowUp":
      actions.previous();
      return true;
    case "s":
      actions.label("safe");
      return true;
    case "u":
      actions.label("unsafe");
      return true;
    case "n":
      actions.focusNote();
      return true;
    case "z":
      actions.undo();
      return true;
    default:
      if (/^[1-9]$/.test(event.key)) {
        actions.toggleCategory(Number(event.key));
        return true;
      }
      return false;
  }
}
