/**
 * Long work as jobs: `start` returns an id at once, progress and the final Result are pushed as `job:progress` and
 * `job:done`, and any job can be cancelled through its AbortSignal (downloads can also be paused and resumed).
 */
import { randomUUID } from "node:crypto";
import type { JobDone, JobKind, JobProgress } from "../../shared/ipc/contract.ts";
import { err, ok, type Result } from "../../shared/ipc/result.ts";
import type { EventHub } from "./eventHub.ts";
import { toResultError } from "./errors.ts";

type ProgressOf<K extends JobKind> = Extract<JobProgress, { kind: K }>;
type DoneOf<K extends JobKind> = Extract<JobDone, { kind: K }>;
export type JobValue<K extends JobKind> = DoneOf<K>["result"] extends Result<infer V> ? V : never;
/** What a job reports: its progress without the fields the manager fills in. */
export type ProgressUpdate<K extends JobKind> = Partial<Omit<ProgressOf<K>, "jobId" | "kind">>;

/** The reason a job's signal is aborted with: `job:cancel`, or the host shutting down (work that can resume later stays resumable). */
export class JobAbort extends Error {
  override readonly name = "JobAbort";

  constructor(readonly why: "cancelled" | "shutdown") {
    super(why === "cancelled" ? "the job was cancelled" : "Guardbench is shutting down");
  }
}

/** True when the job was stopped by the host shutting down rather than cancelled by the user. */
export function isJobShutdown(signal: AbortSignal): boolean {
  return signal.reason instanceof JobAbort && signal.reason.why === "shutdown";
}

export interface JobContext<K extends JobKind> {
  jobId: string;
  /** aborted by `job:cancel` (and when the host shuts down); the reason is a JobAbort saying which */
  signal: AbortSignal;
  report(update: ProgressUpdate<K>): void;
}

export interface JobSpec<K extends JobKind> {
  kind: K;
  /** reuse an id the work already has (a download's own id); default: a fresh UUID */
  id?: string;
  initial: Omit<ProgressOf<K>, "jobId" | "kind">;
  run(context: JobContext<K>): Promise<JobValue<K>>;
  /** only pausable jobs have these */
  pause?(): Promise<void>;
  resume?(): void;
}

interface RunningJob {
  kind: JobKind;
  progress: JobProgress;
  controller: AbortController;
  spec: JobSpec<JobKind>;
  done: Promise<JobDone>;
}

export class JobManager {
  private readonly running = new Map<string, RunningJob>();

  constructor(private readonly events: EventHub) {}

  /** Starts `spec` and returns its id; an id that is already running is returned as is (the work is shared). */
  start<K extends JobKind>(spec: JobSpec<K>): string {
    const jobId = spec.id ?? randomUUID();
    if (this.running.has(jobId)) return jobId;
    const controller = new AbortController();
    const job = {
      kind: spec.kind,
      progress: { ...spec.initial, jobId, kind: spec.kind } as unknown as JobProgress,
      controller,
      spec: spec as unknown as JobSpec<JobKind>,
    } as RunningJob;
    this.running.set(jobId, job);
    this.events.emit("job:progress", job.progress);

    const report = (update: ProgressUpdate<K>) => {
      if (this.running.get(jobId) !== job) return; // late progress after done is dropped
      job.progress = { ...job.progress, ...update, jobId, kind: spec.kind } as JobProgress;
      this.events.emit("job:progress", job.progress);
    };
    job.done = Promise.resolve()
      .then(() => spec.run({ jobId, signal: controller.signal, report }))
      .then(
        (value): Result<unknown> => ok(value),
        (error: unknown): Result<unknown> => ({ ok: false, error: toResultError(error, `the ${spec.kind} job`) }),
      )
      .then((result) => {
        this.running.delete(jobId);
        const done = { jobId, kind: spec.kind, result } as JobDone;
        this.events.emit("job:done", done);
        return done;
      });
    return jobId;
  }

  /** Latest progress of every running job, oldest first. */
  list(): JobProgress[] {
    return [...this.running.values()].map((job) => job.progress);
  }

  has(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /** Resolves with the job's `job:done` payload; undefined for an id that is not running. */
  whenDone(jobId: string): Promise<JobDone> | undefined {
    return this.running.get(jobId)?.done;
  }

  /** false when no such job is running (it may have just finished). */
  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.controller.abort(new JobAbort("cancelled"));
    return true;
  }

  async pause(jobId: string): Promise<Result<{ jobId: string }>> {
    const job = this.running.get(jobId);
    if (!job) return noSuchJob(jobId);
    if (!job.spec.pause) return notPausable(job);
    await job.spec.pause();
    return ok({ jobId });
  }

  resume(jobId: string): Result<{ jobId: string }> {
    const job = this.running.get(jobId);
    if (!job) return noSuchJob(jobId);
    if (!job.spec.resume) return notPausable(job);
    job.spec.resume();
    return ok({ jobId });
  }

  /** Cancels every job (host shutdown). */
  cancelAll(): void {
    for (const job of this.running.values()) job.controller.abort(new JobAbort("shutdown"));
  }
}

function noSuchJob(jobId: string) {
  return err("job-not-found", `no job ${jobId} is running`, "It may have finished already; `job:list` shows the jobs still running.");
}

function notPausable(job: RunningJob) {
  return err("job-not-pausable", `a ${job.kind} job cannot be paused or resumed`, "Cancel it instead.");
}
