/**
 * Lifetimes as objects (VS Code's `lifecycle.ts`, cut down): every subscription returns a disposer, and owners keep
 * theirs in a DisposableStore that releases them all at once.
 */
export type Disposer = () => void;

export class DisposableStore {
  private readonly disposers = new Set<Disposer>();
  private disposed = false;

  /** Keeps `disposer` until dispose(); after dispose it runs at once, so late registrations cannot leak. */
  add(disposer: Disposer): Disposer {
    if (this.disposed) {
      disposer();
      return disposer;
    }
    this.disposers.add(disposer);
    return disposer;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const disposer of [...this.disposers].reverse()) {
      try {
        disposer();
      } catch (error) {
        errors.push(error);
      }
    }
    this.disposers.clear();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "several disposers failed");
  }
}
