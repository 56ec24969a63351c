/**
 * The review queue's keys, as data (the help overlay lists the same table) and one pure handler the screen calls.
 * Single letters act only when focus is not in a field; Esc in the note field hands the keys back to the queue.
 * Category keys follow categoryKeys.ts: digits by code, Shift for the second ten, `c` before them for the ones after.
 */
import type { SafetyLabel } from "../../../../shared/datasets/index.ts";
import { isTyping } from "../../lib/typing.ts";
import { LEADER_KEY, slotOfKey } from "./categoryKeys.ts";

export interface ReviewKeyActions {
  /** moves by `delta` items (j/k, arrows, PageUp/PageDown), across pages */
  move(delta: number): void;
  /** the first or the last item of the whole queue (Home/End) */
  moveToEnd(end: "first" | "last"): void;
  /** the nearest item after (or before) the current one that has no label, wherever it is in the queue */
  nextUnlabeled(direction: "next" | "previous"): void;
  label(label: SafetyLabel): void;
  /** toggles the category whose key slot this is (categoryKeys.ts) */
  toggleCategorySlot(slot: number): void;
  /** how many times `c` has been pressed before a digit (0: none) */
  setLeaders(leaders: number): void;
  /** the run's full result for the current item, in a dialog (Esc closes it) */
  openFullResult(): void;
  focusNote(): void;
  leaveNote(): void;
  undo(): void;
}

/** Items PageUp / PageDown move by. */
export const REVIEW_PAGE_STEP = 10;

export const REVIEW_SHORTCUTS: ReadonlyArray<{ keys: string; description: string }> = [
  { keys: "j / ↓", description: "Review: next item" },
  { keys: "k / ↑", description: "Review: previous item" },
  { keys: "PageDown / PageUp", description: `Review: ${REVIEW_PAGE_STEP} items on / back` },
  { keys: "Home / End", description: "Review: the first / last item of the queue" },
  { keys: "Shift+J / Shift+K", description: "Review: the next / previous item without a label" },
  { keys: "s", description: "Review: label the item safe and go to the next" },
  { keys: "u", description: "Review: label the item unsafe (with the ticked categories) and go to the next" },
  { keys: "1 … 9, 0", description: "Review: toggle the category with that number (S1 … S9, S10); each chip shows its key" },
  { keys: "Shift+1 … Shift+0", description: "Review: toggle S11 … S20" },
  { keys: `${LEADER_KEY} then a digit`, description: `Review: toggle S21 and up (${LEADER_KEY} 1 = S21, ${LEADER_KEY} Shift+1 = S31); Esc cancels the ${LEADER_KEY}` },
  { keys: "f", description: "Review: open the run's full result for the item (Esc closes it)" },
  { keys: "n", description: "Review: write a note (Esc returns to the queue)" },
  { keys: "z / Ctrl+Z", description: "Review: undo the session's last label" },
];

export interface KeyLike {
  key: string;
  /** the physical key (`Digit6`): Shift+6 types another character on most layouts */
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
  target: EventTarget | null;
}

const MODIFIER_KEYS = new Set(["Shift", "Control", "Alt", "Meta", "CapsLock"]);

/** The digit of a digit key, from its physical key so Shift does not change it. */
function digitOf(event: KeyLike): string | undefined {
  const physical = /^(?:Digit|Numpad)([0-9])$/.exec(event.code ?? "");
  if (physical) return physical[1];
  return /^[0-9]$/.test(event.key) ? event.key : undefined;
}

/**
 * Runs the review action `event` stands for; returns true when it was one (the caller then prevents the default).
 * `leaders`: the `c` presses waiting for their digit.
 */
export function handleReviewKey(event: KeyLike, actions: ReviewKeyActions, leaders = 0): boolean {
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
  if (MODIFIER_KEYS.has(event.key)) return false;
  const digit = digitOf(event);
  if (digit !== undefined) {
    actions.setLeaders(0);
    actions.toggleCategorySlot(slotOfKey(leaders, event.shiftKey === true, digit));
    return true;
  }
  if (event.key === LEADER_KEY) {
    actions.setLeaders(leaders + 1);
    return true;
  }
  if (leaders > 0) {
    actions.setLeaders(0);
    if (event.key === "Escape") return true;
  }
  switch (event.key) {
    case "j":
    case "ArrowDown":
      actions.move(1);
      return true;
    case "k":
    case "ArrowUp":
      actions.move(-1);
      return true;
    case "PageDown":
      actions.move(REVIEW_PAGE_STEP);
      return true;
    case "PageUp":
      actions.move(-REVIEW_PAGE_STEP);
      return true;
    case "Home":
      actions.moveToEnd("first");
      return true;
    case "End":
      actions.moveToEnd("last");
      return true;
    case "J":
      actions.nextUnlabeled("next");
      return true;
    case "K":
      actions.nextUnlabeled("previous");
      return true;
    case "s":
      actions.label("safe");
      return true;
    case "u":
      actions.label("unsafe");
      return true;
    case "f":
      actions.openFullResult();
      return true;
    case "n":
      actions.focusNote();
      return true;
    case "z":
      actions.undo();
      return true;
    default:
      return false;
  }
}
