import type { PromptFamily } from "./families.ts";
import type { Policy, PolicyCategory } from "./policy.ts";

/** One difference between two versions of a policy, per category (matched by exact code: `s1` → `S1` changes the prompt). */
export type CategoryChange =
  | { kind: "added"; code: string; category: PolicyCategory; index: number }
  | { kind: "removed"; code: string; category: PolicyCategory; index: number }
  | { kind: "renamed"; code: string; from: string; to: string }
  | { kind: "descriptionChanged"; code: string; from: string; to: string }
  | { kind: "enabledChanged"; code: string; from: boolean; to: boolean }
  | { kind: "moved"; code: string; fromIndex: number; toIndex: number };

export interface PolicyDiff {
  name?: { from: string; to: string };
  family?: { from: PromptFamily; to: PromptFamily };
  /** In `b`'s category order, removed categories last. Empty when the categories are identical. */
  changes: CategoryChange[];
}

/**
 * Indices (into `sequence`) of one longest strictly increasing subsequence, O(n log n).
 * The categories on it kept their relative order; only the others count as moved, so inserting one
 * category at the top reports one "added", not a "moved" for every category below it.
 */
function longestIncreasingRun(sequence: readonly number[]): Set<number> {
  const tailIndices: number[] = [];
  const predecessor: number[] = new Array<number>(sequence.length).fill(-1);
  sequence.forEach((value, i) => {
    let lo = 0;
    let hi = tailIndices.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sequence[tailIndices[mid]!]! < value) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) predecessor[i] = tailIndices[lo - 1]!;
    tailIndices[lo] = i;
  });
  const kept = new Set<number>();
  for (let i = tailIndices.at(-1) ?? -1; i !== -1; i = predecessor[i]!) kept.add(i);
  return kept;
}

/** What changed from `a` to `b`, for the UI's "changes since last version" view. */
export function diffPolicies(a: Policy, b: Policy): PolicyDiff {
  const key = (category: PolicyCategory) => category.code;
  const indexInA = new Map(a.categories.map((category, index) => [key(category), index]));
  const indexInB = new Map(b.categories.map((category, index) => [key(category), index]));

  // Categories present in both, in a's order, with their position in b.
  const common = a.categories.filter((category) => indexInB.has(key(category)));
  const keptInPlace = longestIncreasingRun(common.map((category) => indexInB.get(key(category))!));
  const movedCodes = new Set(common.filter((_, i) => !keptInPlace.has(i)).map(key));

  const changes: CategoryChange[] = [];
  b.categories.forEach((after, toIndex) => {
    const fromIndex = indexInA.get(key(after));
    if (fromIndex === undefined) {
      changes.push({ kind: "added", code: after.code, category: after, index: toIndex });
      return;
    }
    const before = a.categories[fromIndex]!;
    const code = after.code;
    if (movedCodes.has(key(after))) changes.push({ kind: "moved", code, fromIndex, toIndex });
    if (before.name !== after.name) changes.push({ kind: "renamed", code, from: before.name, to: after.name });
    if (before.description !== after.description) changes.push({ kind: "descriptionChanged", code, from: before.description, to: after.description });
    if (before.enabled !== after.enabled) changes.push({ kind: "enabledChanged", code, from: before.enabled, to: after.enabled });
  });
  a.categories.forEach((before, index) => {
    if (!indexInB.has(key(before))) changes.push({ kind: "removed", code: before.code, category: before, index });
  });

  return {
    ...(a.name !== b.name && { name: { from: a.name, to: b.name } }),
    ...(a.family !== b.family && { family: { from: a.family, to: b.family } }),
    changes,
  };
}
