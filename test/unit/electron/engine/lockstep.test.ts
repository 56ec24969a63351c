import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LockstepBatches } from "../../../../electron/engine/lockstep.ts";

/** Which of the given turns have resolved, after letting pending promise callbacks run. */
async function resolvedOf(turns: Promise<void>[]): Promise<boolean[]> {
  const done = turns.map(() => false);
  turns.forEach((turn, i) => void turn.then(() => (done[i] = true)));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe("lockstep batches", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("lets a lone classification evaluate at once", async () => {
    const batches = new LockstepBatches();
    batches.begin();
    expect(await resolvedOf([batches.turn()])).toEqual([true]);
    expect(batches.stats()).toEqual({ evaluations: 1, rounds: 1 });
  });

  it("holds each evaluation until every classification in flight has queued one, then releases them together", async () => {
    const batches = new LockstepBatches();
    batches.begin();
    batches.begin();
    batches.begin();
    const first = batches.turn();
    const second = batches.turn();
    expect(await resolvedOf([first, second])).toEqual([false, false]);
    const third = batches.turn();
    expect(await resolvedOf([first, second, third])).toEqual([true, true, true]);
    expect(batches.stats()).toEqual({ evaluations: 3, rounds: 1 });
  });

  it("stops waiting for a classification that gives its sequence back", async () => {
    const batches = new LockstepBatches();
    batches.begin();
    batches.begin();
    const waiting = batches.turn();
    expect(await resolvedOf([waiting])).toEqual([false]);
    batches.end();
    expect(await resolvedOf([waiting])).toEqual([true]);
    // With one left in flight, its next evaluation goes at once.
    expect(await resolvedOf([batches.turn()])).toEqual([true]);
  });

  it("gives up waiting after its limit, so a hung caller cannot stall the others", async () => {
    const batches = new LockstepBatches(200);
    batches.begin();
    batches.begin();
    const waiting = batches.turn();
    vi.advanceTimersByTime(199);
    expect(await resolvedOf([waiting])).toEqual([false]);
    vi.advanceTimersByTime(1);
    expect(await resolvedOf([waiting])).toEqual([true]);
  });
});
