/**
 * Derived data for selectors. zustand compares a selector's result with Object.is, so a selector that builds a new
 * object or array on every call re-renders (or, under useSyncExternalStore, loops) forever. `memoSelector` recomputes
 * only when one of its inputs changes by reference, like reselect's createSelector, in a dozen lines.
 */
import type { AppState } from "./types.ts";

type Inputs<T extends readonly unknown[]> = { [K in keyof T]: (state: AppState) => T[K] };

export function memoSelector<T extends readonly unknown[], R>(inputs: [...Inputs<T>], compute: (...values: T) => R): (state: AppState) => R {
  let lastValues: unknown[] | undefined;
  let lastResult: R;
  return (state) => {
    const values = inputs.map((input) => input(state));
    if (lastValues && values.every((value, i) => Object.is(value, lastValues![i]))) return lastResult;
    lastValues = values;
    lastResult = compute(...(values as unknown as T));
    return lastResult;
  };
}
