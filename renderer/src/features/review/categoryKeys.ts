/**
 * Review keys for categories, bound to codes, not to their place in a list: S6 is always 6, whether or not S5 is
 * excluded, and every category of every family has a key.
 *
 * A category gets a slot (1, 2, 3 …):
 * - a code ending in a number takes that number (S6 → 6, O3 → 3, V2 → 2), the first code of the list to claim it;
 * - a code without one (ShieldGemma's `dangerous`, Granite's `harm`, Qwen3Guard's `Violent`), or whose number is taken,
 *   takes the lowest free slot, in the policy's order.
 * Slots are given over the policy's whole category list, excluded categories included, so a key never moves when a
 * category is switched off; categories an item's label names that the policy lacks (an imported `S14` beside a
 * 13-category policy, a source's own `voyeurism`) get slots after the policy's, the same way.
 *
 * A slot's keys, shown on each chip: 1–9 and 0 for slots 1–10; Shift+1 … Shift+0 for 11–20; above that the same keys
 * after pressing `c` once per 20 (c 1 = 21, c Shift+1 = 31, c c 1 = 41).
 */

export const SLOTS_PER_LEADER = 20;
export const LEADER_KEY = "c";

export interface CategoryKey {
  slot: number;
  /** how many times the leader key (`c`) comes first */
  leaders: number;
  shift: boolean;
  /** "1" … "9", "0" */
  digit: string;
}

/** The keys of a slot. */
export function keyOfSlot(slot: number): CategoryKey {
  const leaders = Math.floor((slot - 1) / SLOTS_PER_LEADER);
  const inBank = ((slot - 1) % SLOTS_PER_LEADER) + 1;
  const shift = inBank > 10;
  return { slot, leaders, shift, digit: String((shift ? inBank - 10 : inBank) % 10) };
}

/** The slot a digit key stands for, after `leaders` presses of `c`, with or without Shift. */
export function slotOfKey(leaders: number, shift: boolean, digit: string): number {
  const number = digit === "0" ? 10 : Number(digit);
  return leaders * SLOTS_PER_LEADER + (shift ? 10 : 0) + number;
}

/** The keys as the chip and the help show them: "6", "0", "Shift+1", "c 1", "c c Shift+3". */
export function keyLabel(key: CategoryKey): string {
  return `${`${LEADER_KEY} `.repeat(key.leaders)}${key.shift ? "Shift+" : ""}${key.digit}`;
}

const trailingNumber = (code: string): number | undefined => {
  const match = /(\d+)$/.exec(code);
  if (!match) return undefined;
  const number = Number(match[1]);
  return number >= 1 ? number : undefined;
};

/**
 * Slots for `policyCodes` (the policy's categories in order, excluded ones included), then for `extraCodes` (codes
 * outside the policy), which never move a policy code's slot.
 */
export function categorySlots(policyCodes: readonly string[], extraCodes: readonly string[] = []): Map<string, number> {
  const slots = new Map<string, number>();
  const taken = new Set<number>();
  const assign = (codes: readonly string[]) => {
    const fresh = [...new Set(codes)].filter((code) => !slots.has(code));
    const waiting: string[] = [];
    for (const code of fresh) {
      const number = trailingNumber(code);
      if (number !== undefined && !taken.has(number)) {
        slots.set(code, number);
        taken.add(number);
      } else waiting.push(code);
    }
    let next = 1;
    for (const code of waiting) {
      while (taken.has(next)) next++;
      slots.set(code, next);
      taken.add(next);
    }
  };
  assign(policyCodes);
  assign(extraCodes);
  return slots;
}

/** The code a slot belongs to, if any. */
export function codeOfSlot(slots: ReadonlyMap<string, number>, slot: number): string | undefined {
  for (const [code, taken] of slots) if (taken === slot) return code;
  return undefined;
}
