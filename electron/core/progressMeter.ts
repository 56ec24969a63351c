/**
 * A rate over a sliding window (a download's bytes, a run's items), and the ETA it implies. A window (rather than
 * done / elapsed since the start) lets the rate recover after a stall or a retry wait instead of staying low for the
 * rest of the work.
 */
export class RateMeter {
  #samples: { at: number; bytes: number }[] = [];

  constructor(
    private readonly windowMs = 5_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Forget history: a new phase, or a transfer that restarted from byte 0. */
  reset(): void {
    this.#samples = [];
  }

  /** Records that `bytesDone` bytes are done now; returns bytes per second over the window (0 until two samples exist). */
  sample(bytesDone: number): number {
    const at = this.now();
    const last = this.#samples.at(-1);
    if (last && bytesDone < last.bytes) this.reset();
    this.#samples.push({ at, bytes: bytesDone });
    while (this.#samples.length > 2 && at - this.#samples[0]!.at > this.windowMs) this.#samples.shift();
    const first = this.#samples[0]!;
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? (bytesDone - first.bytes) / seconds : 0;
  }
}

export function etaSeconds(bytesLeft: number, bytesPerSecond: number): number | null {
  if (bytesLeft <= 0) return 0;
  return bytesPerSecond > 0 ? Math.ceil(bytesLeft / bytesPerSecond) : null;
}
