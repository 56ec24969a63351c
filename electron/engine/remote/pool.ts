/**
 * Scores a list of conversations on several engines at once — remote endpoints, optionally the local engine — each with
 * its own concurrency limit, and survives endpoints that die or stall.
 *
 * - An item fails for one of two reasons (errors.ts, {@link failureScope}): its endpoint is at fault (connection
 *   refused or reset, HTTP 5xx/429/401/404, a garbled answer, no result within `itemTimeoutMs`), or the item is (the
 *   prompt is too long, the conversation invalid …). An item failure is the item's outcome. An endpoint failure
 *   suspends the endpoint: its items in flight are abandoned (their requests aborted) and go back to the front of the
 *   queue for the other endpoints, and the endpoint is probed again after `probeDelayMs`, doubling up to
 *   `maxProbeDelayMs`, until it answers.
 * - An item whose own requests failed on `maxAttempts` endpoints is reported failed (a conversation that crashes every
 *   server must not take them all down in turn). Items merely in flight on a failing endpoint do not count that.
 * - When every endpoint has been suspended for `allDownTimeoutMs`, the items left are reported failed.
 * - Every item gets exactly one outcome, handed to `onItem` the moment it is known (the run manager persists it there);
 *   a result arriving from an abandoned request is ignored.
 * - Endpoint names and error messages are reported; API keys never reach this layer (engines hold them).
 */
import type { ClassificationResult, ClassifyOptions } from "../../../shared/classify/result.ts";
import type { ClassifierEngine } from "../engine.ts";
import { EngineError, type EngineErrorCode } from "../errors.ts";
import type { ClassifyRequest } from "../../../shared/ipc/contract.ts";
import { RemoteEngineError, type FailureScope } from "./errors.ts";
import type { RemoteEngine } from "./remoteEngine.ts";

export interface PoolMember {
  /** shown in outcomes, events and reports */
  name: string;
  engine: ClassifierEngine;
  /** classifications in flight at once on this member */
  concurrency: number;
  /** resolves when the member can take work again; without one, a suspended member is simply tried again after the delay */
  probe?(signal: AbortSignal): Promise<void>;
}

/** A remote engine as a pool member, probed through its server's model list or health route. */
export function remoteMember(engine: RemoteEngine, concurrency: number): PoolMember {
  return { name: engine.name, engine, concurrency, probe: (signal) => engine.probe(signal) };
}

export interface PoolItem<Id> {
  id: Id;
  request: ClassifyRequest;
}

export interface ItemError {
  code: string;
  message: string;
  hint?: string;
}

export type ItemOutcome<Id> =
  | { id: Id; ok: true; result: ClassificationResult; endpoint: string; attempts: number }
  | { id: Id; ok: false; error: ItemError; endpoint?: string; attempts: number };

export type PoolEvent =
  | { kind: "suspended"; endpoint: string; problem: string; requeued: number }
  | { kind: "probe-failed"; endpoint: string; problem: string; nextProbeMs: number }
  | { kind: "recovered"; endpoint: string };

export interface EndpointReport {
  name: string;
  state: "healthy" | "suspended";
  /** items this endpoint scored in the last run */
  completed: number;
  /** endpoint failures (not item failures) in the last run */
  failures: number;
  /** completed items per second of the last run's wall-clock time */
  itemsPerSecond: number;
  /** mean time of one successful classification */
  meanItemMs: number;
  lastProblem?: string;
}

export interface PoolRunReport<Id> {
  /** one per finished item, in input order */
  outcomes: ItemOutcome<Id>[];
  /** items without an outcome: only when the run was cancelled */
  unfinished: Id[];
  endpoints: EndpointReport[];
  elapsedMs: number;
}

export interface PoolOptions {
  /** a classification taking longer marks its endpoint as stalled (default 120 s) */
  itemTimeoutMs?: number;
  /** first re-probe of a suspended endpoint (default 5 s); doubles per failed probe up to maxProbeDelayMs (default 60 s) */
  probeDelayMs?: number;
  maxProbeDelayMs?: number;
  /** a probe taking longer failed (default 5 s) */
  probeTimeoutMs?: number;
  /** endpoints an item may fail on before it is reported failed (default 3) */
  maxAttempts?: number;
  /** with every endpoint suspended this long, the items left are reported failed (default 5 min) */
  allDownTimeoutMs?: number;
  onEvent?(event: PoolEvent): void;
}

export interface PoolRunOptions<Id> {
  classifyOptions?: ClassifyOptions;
  /** called once per item with its outcome; if it throws, the run stops and `run` rejects with that error */
  onItem?(outcome: ItemOutcome<Id>): void;
  signal?: AbortSignal;
}

const DEFAULTS: Required<Omit<PoolOptions, "onEvent">> = {
  itemTimeoutMs: 120_000,
  probeDelayMs: 5_000,
  maxProbeDelayMs: 60_000,
  probeTimeoutMs: 5_000,
  maxAttempts: 3,
  allDownTimeoutMs: 300_000,
};

/** EngineError codes that say the local engine, not the item, is in trouble. */
const LOCAL_ENGINE_FAILURES: ReadonlySet<EngineErrorCode> = new Set([
  "engine-crashed",
  "engine-failed",
  "engine-busy",
  "no-model-loaded",
  "model-not-found",
  "model-invalid",
  "model-unsupported",
  "model-load-failed",
  "family-unknown",
]);

/** Whether an error from `classify` blames the endpoint, the item, or neither (cancelled). */
export function failureScope(error: unknown): FailureScope {
  if (error instanceof RemoteEngineError) return error.scope;
  if (error instanceof EngineError) return error.code === "cancelled" ? "cancelled" : LOCAL_ENGINE_FAILURES.has(error.code) ? "endpoint" : "item";
  // Anything unexpected: try elsewhere; maxAttempts bounds it.
  return "endpoint";
}

function itemErrorOf(error: unknown): ItemError {
  if (error instanceof RemoteEngineError || error instanceof EngineError) return error.toData();
  return { code: "engine-failed", message: error instanceof Error ? error.message : String(error) };
}

interface MemberState {
  member: PoolMember;
  healthy: boolean;
  inFlight: Set<Attempt>;
  completed: number;
  failures: number;
  busyMs: number;
  lastProblem?: string;
  probeDelayMs: number;
  probeTimer?: NodeJS.Timeout;
}

interface ItemState<Id> {
  item: PoolItem<Id>;
  done: boolean;
  /** endpoint failures of this item's own requests */
  attempts: number;
}

interface Attempt {
  member: MemberState;
  item: ItemState<unknown>;
  controller: AbortController;
  started: number;
  /** the pool gave up on it (its endpoint was suspended): whatever it returns is ignored */
  abandoned: boolean;
}

type PoolSettings = Required<Omit<PoolOptions, "onEvent">>;

/** What a run uses of its pool: the members (whose health outlives the run), the settings, and the shared helpers. */
interface RunContext {
  members: MemberState[];
  settings: PoolSettings;
  emit(event: PoolEvent): void;
  /** the member to give the next item to, or undefined when none is healthy with a free slot */
  pick(): MemberState | undefined;
  report(): EndpointReport[];
}

export class EndpointPool {
  private readonly members: MemberState[];
  private readonly settings: PoolSettings;
  private running = false;
  /** where the round-robin search starts, so equal members share the work */
  private nextMember = 0;
  /** the last run's wall-clock window, for throughput */
  private runWindow = { start: performance.now(), end: undefined as number | undefined };

  constructor(
    members: PoolMember[],
    private readonly options: PoolOptions = {},
  ) {
    if (members.length === 0) throw new Error("the pool needs at least one endpoint");
    const names = new Set(members.map((m) => m.name));
    if (names.size !== members.length) throw new Error("every pool member needs its own name");
    for (const member of members) {
      if (!Number.isInteger(member.concurrency) || member.concurrency < 1) throw new Error(`${member.name}: concurrency must be a whole number of at least 1`);
    }
    const { onEvent: _onEvent, ...timings } = options;
    this.settings = { ...DEFAULTS, ...withoutUndefined(timings) };
    this.members = members.map((member) => ({ member, healthy: true, inFlight: new Set(), completed: 0, failures: 0, busyMs: 0, probeDelayMs: this.settings.probeDelayMs }));
  }

  /** Per endpoint: state, items scored and failures in the last run, throughput. */
  report(): EndpointReport[] {
    const elapsedSeconds = Math.max(((this.runWindow.end ?? performance.now()) - this.runWindow.start) / 1000, 1e-9);
    return this.members.map((state) => ({
      name: state.member.name,
      state: state.healthy ? "healthy" : "suspended",
      completed: state.completed,
      failures: state.failures,
      itemsPerSecond: state.completed / elapsedSeconds,
      meanItemMs: state.completed > 0 ? state.busyMs / state.completed : 0,
      ...(state.lastProblem ? { lastProblem: state.lastProblem } : {}),
    }));
  }

  /** Scores every item once. Resolves when all have an outcome, or when cancelled (the rest listed as unfinished). */
  async run<Id>(items: ReadonlyArray<PoolItem<Id>>, runOptions: PoolRunOptions<Id> = {}): Promise<PoolRunReport<Id>> {
    if (this.running) throw new Error("the pool is already running; wait for that run to finish");
    this.running = true;
    this.runWindow = { start: performance.now(), end: undefined };
    for (const state of this.members) Object.assign(state, { completed: 0, failures: 0, busyMs: 0 });
    const context: RunContext = {
      members: this.members,
      settings: this.settings,
      emit: (event) => this.options.onEvent?.(event),
      pick: () => this.pickMember(),
      report: () => this.report(),
    };
    try {
      return await new PoolRun<Id>(context, items, runOptions).finished;
    } finally {
      this.running = false;
      this.runWindow.end ??= performance.now();
      for (const state of this.members) clearTimeout(state.probeTimer);
    }
  }

  /** The healthy member with a free slot and the lowest load, searching round-robin. */
  private pickMember(): MemberState | undefined {
    const members = this.members;
    let best: MemberState | undefined;
    for (let offset = 0; offset < members.length; offset++) {
      const state = members[(this.nextMember + offset) % members.length]!;
      if (!state.healthy || state.inFlight.size >= state.member.concurrency) continue;
      if (!best || state.inFlight.size / state.member.concurrency < best.inFlight.size / best.member.concurrency) best = state;
    }
    if (best) this.nextMember = (members.indexOf(best) + 1) % members.length;
    return best;
  }
}

/** One run of the pool: the queue, the attempts in flight, and the end condition. */
class PoolRun<Id> {
  readonly finished: Promise<PoolRunReport<Id>>;
  private readonly members: MemberState[];
  private readonly settings: PoolSettings;
  private readonly states: ItemState<Id>[];
  private readonly queue: ItemState<Id>[];
  private readonly outcomes = new Map<ItemState<Id>, ItemOutcome<Id>>();
  private readonly started = performance.now();
  private allDownTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private resolve!: (report: PoolRunReport<Id>) => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly context: RunContext,
    items: ReadonlyArray<PoolItem<Id>>,
    private readonly options: PoolRunOptions<Id>,
  ) {
    ({ members: this.members, settings: this.settings } = context);
    this.states = items.map((item) => ({ item, done: false, attempts: 0 }));
    this.queue = [...this.states];
    this.finished = new Promise((resolve, reject) => ((this.resolve = resolve), (this.reject = reject)));
    const signal = options.signal;
    if (signal?.aborted) {
      this.end();
      return;
    }
    signal?.addEventListener("abort", () => this.end(), { once: true });
    // Endpoints suspended in an earlier run get their probe now.
    for (const state of this.members) if (!state.healthy) this.scheduleProbe(state, 0);
    this.dispatch();
  }

  private dispatch(): void {
    if (this.ended) return;
    while (this.queue.length > 0) {
      const member = this.context.pick();
      if (!member) break;
      this.start(member, this.queue.shift()!);
    }
    if (this.states.every((state) => state.done)) return this.end();
    const anyHealthy = this.members.some((state) => state.healthy);
    if (anyHealthy) {
      clearTimeout(this.allDownTimer);
      this.allDownTimer = undefined;
    } else {
      this.allDownTimer ??= setTimeout(() => this.giveUp(), this.settings.allDownTimeoutMs);
    }
  }

  private start(member: MemberState, item: ItemState<Id>): void {
    const attempt: Attempt = { member, item: item as ItemState<unknown>, controller: new AbortController(), started: performance.now(), abandoned: false };
    member.inFlight.add(attempt);
    const timeout = AbortSignal.timeout(this.settings.itemTimeoutMs);
    const signals = [attempt.controller.signal, timeout, ...(this.options.signal ? [this.options.signal] : [])];
    member.member.engine.classify(item.item.request, this.options.classifyOptions, AbortSignal.any(signals)).then(
      (result) => this.succeeded(attempt, item, result),
      (error: unknown) => this.failed(attempt, item, error, timeout.aborted),
    );
  }

  private succeeded(attempt: Attempt, item: ItemState<Id>, result: ClassificationResult): void {
    const { member } = attempt;
    member.inFlight.delete(attempt);
    if (attempt.abandoned || this.ended) return;
    member.completed++;
    member.busyMs += performance.now() - attempt.started;
    this.finish(item, { id: item.item.id, ok: true, result, endpoint: member.member.name, attempts: item.attempts + 1 });
    this.dispatch();
  }

  private failed(attempt: Attempt, item: ItemState<Id>, error: unknown, timedOut: boolean): void {
    const { member } = attempt;
    member.inFlight.delete(attempt);
    if (attempt.abandoned || this.ended) return;
    const scope = timedOut ? "endpoint" : failureScope(error);
    const itemError = timedOut
      ? { code: "timeout", message: `${member.member.name} gave no result within ${this.settings.itemTimeoutMs} ms` }
      : itemErrorOf(error);
    if (scope === "item") {
      this.finish(item, { id: item.item.id, ok: false, error: itemError, endpoint: member.member.name, attempts: item.attempts + 1 });
    } else {
      // An unexpected "cancelled" (the engine was disposed under us) is the endpoint's problem too.
      item.attempts++;
      member.failures++;
      this.suspend(member, itemError.message);
      if (item.attempts >= this.settings.maxAttempts) {
        const message = `${itemError.message} (the item failed on ${item.attempts} endpoints; giving up on it)`;
        this.finish(item, { id: item.item.id, ok: false, error: { ...itemError, message }, endpoint: member.member.name, attempts: item.attempts });
      } else {
        this.queue.unshift(item);
      }
    }
    this.dispatch();
  }

  private suspend(member: MemberState, problem: string): void {
    member.lastProblem = problem;
    if (!member.healthy) return;
    member.healthy = false;
    const abandoned = [...member.inFlight];
    member.inFlight.clear();
    for (const attempt of abandoned) {
      attempt.abandoned = true;
      attempt.controller.abort();
    }
    // Back to the front, in their original order, so the other endpoints take them next.
    this.queue.unshift(...abandoned.map((attempt) => attempt.item as ItemState<Id>).filter((item) => !item.done));
    this.context.emit({ kind: "suspended", endpoint: member.member.name, problem, requeued: abandoned.length });
    this.scheduleProbe(member, member.probeDelayMs);
  }

  private scheduleProbe(member: MemberState, delayMs: number): void {
    clearTimeout(member.probeTimer);
    member.probeTimer = setTimeout(() => void this.probe(member), delayMs);
  }

  private async probe(member: MemberState): Promise<void> {
    if (this.ended) return;
    try {
      await this.probeWithin(member, this.settings.probeTimeoutMs);
    } catch (error) {
      if (this.ended) return;
      member.lastProblem = itemErrorOf(error).message;
      member.probeDelayMs = Math.min(member.probeDelayMs * 2, this.settings.maxProbeDelayMs);
      this.context.emit({ kind: "probe-failed", endpoint: member.member.name, problem: member.lastProblem, nextProbeMs: member.probeDelayMs });
      this.scheduleProbe(member, member.probeDelayMs);
      return;
    }
    if (this.ended) return;
    member.healthy = true;
    member.probeDelayMs = this.settings.probeDelayMs;
    this.context.emit({ kind: "recovered", endpoint: member.member.name });
    this.dispatch();
  }

  /** The probe's own answer, or a timeout even if the probe ignores its signal (a stalled server must not stall the pool). */
  private async probeWithin(member: MemberState, timeoutMs: number): Promise<void> {
    if (!member.member.probe) return;
    const signal = AbortSignal.timeout(timeoutMs);
    const timedOut = new Promise<never>((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(new RemoteEngineError("timeout", `${member.member.name} did not answer its probe within ${timeoutMs} ms`)), { once: true }),
    );
    timedOut.catch(() => undefined);
    await Promise.race([member.member.probe(signal), timedOut]);
  }

  private giveUp(): void {
    const problems = this.members.map((state) => `${state.member.name}: ${state.lastProblem ?? "unavailable"}`).join("; ");
    const error = {
      code: "no-endpoint-available",
      message: `every endpoint has been unavailable for ${Math.round(this.settings.allDownTimeoutMs / 1000)} s (${problems})`,
      hint: "Start or fix an endpoint, then score the remaining items again.",
    };
    for (const item of this.queue.splice(0)) this.finish(item, { id: item.item.id, ok: false, error, attempts: item.attempts });
    this.end();
  }

  private finish(item: ItemState<Id>, outcome: ItemOutcome<Id>): void {
    if (item.done) return;
    item.done = true;
    try {
      this.options.onItem?.(outcome);
    } catch (error) {
      this.end(error);
      return;
    }
    this.outcomes.set(item, outcome);
  }

  private end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.allDownTimer);
    for (const state of this.members) {
      clearTimeout(state.probeTimer);
      for (const attempt of state.inFlight) {
        attempt.abandoned = true;
        attempt.controller.abort();
      }
      state.inFlight.clear();
    }
    if (error !== undefined) return this.reject(error);
    this.resolve({
      outcomes: this.states.flatMap((state) => (this.outcomes.has(state) ? [this.outcomes.get(state)!] : [])),
      unfinished: this.states.filter((state) => !this.outcomes.has(state)).map((state) => state.item.id),
      endpoints: this.context.report(),
      elapsedMs: performance.now() - this.started,
    });
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
