/**
 * Lets parallel classifications queue their evaluations together, so llama.cpp decodes them in one batch.
 *
 * node-llama-cpp batches whatever is queued on the same event-loop turn. Parallel classifications do not get there
 * together on their own: after a shared batch, each sequence's logits are copied into JavaScript one after another, and
 * the first sequence to get its logits queues its next token while the others still wait for theirs. Its decode leaves
 * alone, then the next one's, each paying a full pass over the weights. Holding each evaluation until every
 * classification in flight has reached its next one makes them share that pass. The wait costs nothing: the context is
 * busy copying the other sequences' logits until then anyway.
 */
export class LockstepBatches {
  private inFlight = 0;
  private waiting: Array<() => void> = [];
  private fallback: ReturnType<typeof setTimeout> | undefined;
  private counts = { evaluations: 0, rounds: 0 };

  /**
   * @param maxWaitMs the longest an evaluation waits for the others, so a classification that stops evaluating without
   *   giving its sequence back (a caller that hangs) cannot stall the rest
   */
  constructor(private readonly maxWaitMs = 1000) {}

  /** A classification took a sequence. */
  begin(): void {
    this.inFlight++;
  }

  /** A classification gave its sequence back: the others need not wait for it any longer. */
  end(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.waiting.length > 0 && this.waiting.length >= this.inFlight) this.release();
  }

  /** Resolves when every classification in flight is ready to evaluate (at once when it is the only one). */
  turn(): Promise<void> {
    this.counts.evaluations++;
    const ready = new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.waiting.length >= this.inFlight) this.release();
    else this.fallback ??= setTimeout(() => this.release(), this.maxWaitMs);
    return ready;
  }

  /** Evaluations asked for, and rounds they went in: evaluations / rounds is how many shared each batch. */
  stats(): { evaluations: number; rounds: number } {
    return { ...this.counts };
  }

  private release(): void {
    clearTimeout(this.fallback);
    this.fallback = undefined;
    const released = this.waiting;
    this.waiting = [];
    this.counts.rounds++;
    // Resolved together, their evaluations are queued in the same turn and node-llama-cpp sends them as one batch.
    for (const resolve of released) resolve();
  }
}
