/**
 * Pushes `labels:changed` and `runs:changed` for every label and run write, wherever it was made: a handler of this
 * host (checked as soon as it answers, so the event goes out before the answer), a run job scoring in the background,
 * or another process on the same database — the `guardbench` CLI, a second `serve` or window — which SQLite tells
 * apart through `PRAGMA data_version`.
 *
 * Cheap by construction: each check first reads one write mark (ChangeRepository.writeMark) and stops there when
 * nothing was committed since the last one; only after a commit does it read the label events and result rows past
 * the newest ids it saw and the runs table (a row per run). A check on a short interval catches what no handler
 * wrote; several writes between two checks make one event per dataset or run. A run scoring item after item says
 * "results" at most once per RESULTS_SPACING_MS (each one makes an open Evaluation of it recompute its metrics); its
 * last results are never held back longer than that, and a change of its state goes out at once, with them.
 */
import type { RunChange } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore, RunMark } from "../store/index.ts";
import type { EventHub } from "../core/eventHub.ts";

/** How often the database is looked at for writes no handler of this host made. */
export const STORE_WATCH_INTERVAL_MS = 250;
/** The shortest time between two "results"-only events of one run. */
export const RESULTS_SPACING_MS = 1_000;

interface Seen {
  mark: string;
  newestLabelEvent: number;
  newestResult: number;
  runs: Map<number, RunMark>;
}

export class StoreChangeWatcher {
  private seen: Seen | undefined;
  private readonly timer: ReturnType<typeof setInterval>;
  /** when each run last had a "results" event */
  private readonly resultsSaidAt = new Map<number, number>();
  /** "results" held back by the spacing: run → its dataset */
  private readonly heldResults = new Map<number, number>();

  constructor(
    private readonly store: GuardbenchStore,
    private readonly events: EventHub,
    intervalMs: number = STORE_WATCH_INTERVAL_MS,
    private readonly resultsSpacingMs: number = RESULTS_SPACING_MS,
  ) {
    this.check();
    this.timer = setInterval(() => this.check(), intervalMs);
    // Watching never keeps a process alive on its own (a CLI command, a test that forgot to dispose).
    this.timer.unref?.();
  }

  /** Emits an event for every dataset and run written since the last check (the first check only looks). Never throws. */
  check(): void {
    try {
      if (!this.seen) {
        this.seen = this.read();
        return;
      }
      if (this.store.changes.writeMark() !== this.seen.mark) {
        const now = this.read();
        this.emitDifferences(this.seen, now);
        this.seen = now;
      }
      this.releaseHeldResults();
    } catch {
      // The database is closed, locked or unreadable just now: the next check tries again, and sees the same writes.
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  /** The mark first: a commit made while the rest is read moves it again, so the next check looks once more. */
  private read(): Seen {
    const { changes, labels } = this.store;
    return { mark: changes.writeMark(), newestLabelEvent: labels.latestEventId(), newestResult: changes.newestResultId(), runs: changes.runMarks() };
  }

  private emitDifferences(before: Seen, now: Seen): void {
    // Ids only grow; a smaller newest id means rows were deleted (a dataset or run removed), which the runs show.
    if (now.newestLabelEvent > before.newestLabelEvent) {
      for (const datasetId of this.store.changes.datasetsLabeledAfter(before.newestLabelEvent)) this.events.emit("labels:changed", { datasetId });
    }
    const scored = new Set(now.newestResult > before.newestResult ? this.store.changes.runsWithResultsAfter(before.newestResult) : []);
    for (const [runId, mark] of now.runs) {
      const earlier = before.runs.get(runId);
      const changes: RunChange[] = [];
      if (!earlier) changes.push("created");
      else {
        if (earlier.state !== mark.state) changes.push("state");
        if (earlier.details !== mark.details) changes.push("details");
      }
      // A failure replaced by a retry keeps its row id: a run that stops running may have changed results in place.
      const results = scored.has(runId) || (earlier?.running && !mark.running) || this.heldResults.has(runId);
      if (results && changes.length === 0 && this.tooSoonForResults(runId)) this.heldResults.set(runId, mark.datasetId);
      else if (results) this.emitRunChange(runId, mark.datasetId, [...changes, "results"]);
      else if (changes.length > 0) this.emitRunChange(runId, mark.datasetId, changes);
    }
    for (const [runId, mark] of before.runs) {
      if (!now.runs.has(runId)) {
        this.heldResults.delete(runId);
        this.resultsSaidAt.delete(runId);
        this.events.emit("runs:changed", { runId, datasetId: mark.datasetId, changes: ["removed"] });
      }
    }
  }

  private emitRunChange(runId: number, datasetId: number, changes: RunChange[]): void {
    if (changes.includes("results")) {
      this.heldResults.delete(runId);
      this.resultsSaidAt.set(runId, Date.now());
    }
    this.events.emit("runs:changed", { runId, datasetId, changes });
  }

  private tooSoonForResults(runId: number): boolean {
    const saidAt = this.resultsSaidAt.get(runId);
    return saidAt !== undefined && Date.now() - saidAt < this.resultsSpacingMs;
  }

  /** Results held back whose spacing has passed, written or not since. */
  private releaseHeldResults(): void {
    for (const [runId, datasetId] of [...this.heldResults]) {
      if (!this.tooSoonForResults(runId)) this.emitRunChange(runId, datasetId, ["results"]);
    }
  }
}
