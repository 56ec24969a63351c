/**
 * Runs download jobs with a concurrency limit, and never downloads one destination file twice at once: asking
 * for a file that is already queued, running or paused returns that same job (a paused one is resumed — asking
 * again means the user wants it), so every requester gets the same result.
 */
import { DownloadError } from "./downloadError.ts";
import { ModelDownload, type DownloadOptions, type DownloadRequest, type DownloadSettings, type DownloadSlots } from "./download.ts";
import { defaultRevision } from "./hubUrls.ts";
import { installedModelPath } from "./paths.ts";

export interface DownloadQueueSettings extends DownloadSettings {
  /** Jobs transferring at once; default 2 (more rarely helps: one Hub download already saturates most links). */
  concurrency?: number;
}

export class DownloadQueue {
  readonly #settings: DownloadSettings;
  readonly #slots: SlotPool;
  readonly #byDestination = new Map<string, ModelDownload>();

  constructor(settings: DownloadQueueSettings) {
    const { concurrency = 2, ...downloadSettings } = settings;
    this.#settings = downloadSettings;
    this.#slots = new SlotPool(concurrency);
  }

  /**
   * The job downloading `request`'s file: a new one, or the one already under way for the same destination.
   * A joining caller shares that job; its `signal` is not attached, since aborting would cancel the other
   * requester's download too (call `cancel()` on the job to cancel it for everyone).
   * Throws a DownloadError for an invalid repo/file name, or when the same file is under way from another revision.
   */
  enqueue(request: DownloadRequest, options: Pick<DownloadOptions, "signal"> = {}): ModelDownload {
    const destination = installedModelPath(this.#settings.modelsDir, request.repo, request.file);
    const revision = request.revision ?? defaultRevision;
    const existing = this.#byDestination.get(destination);
    if (existing) {
      if (existing.revision !== revision) {
        throw new DownloadError(
          "already-downloading",
          `${request.repo}/${request.file} is already being downloaded from revision "${existing.revision}"`,
          "Wait for that download to finish, or cancel it, before pulling another revision of the same file.",
        );
      }
      if (existing.state === "paused") existing.resume();
      return existing;
    }
    const job = new ModelDownload({ ...request, revision }, this.#settings, { ...options, slots: this.#slots });
    this.#byDestination.set(destination, job);
    const forget = () => this.#byDestination.delete(destination);
    job.result.then(forget, forget);
    return job;
  }

  /** Jobs not yet completed, failed or cancelled (including paused ones), oldest first. */
  get jobs(): ModelDownload[] {
    return [...this.#byDestination.values()];
  }

  find(jobId: string): ModelDownload | undefined {
    return this.jobs.find((job) => job.id === jobId);
  }
}

/** A counting semaphore whose waiters can give up (a queued job that is paused or cancelled leaves the line). */
class SlotPool implements DownloadSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`download concurrency must be a positive integer, got ${size}`);
    this.#free = size;
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const grant = () => {
        signal.removeEventListener("abort", giveUp);
        resolve(this.#releaser());
      };
      const giveUp = () => {
        const index = this.#waiting.indexOf(grant);
        if (index !== -1) this.#waiting.splice(index, 1);
        reject(signal.reason);
      };
      if (this.#free > 0) {
        this.#free -= 1;
        return grant();
      }
      signal.addEventListener("abort", giveUp, { once: true });
      this.#waiting.push(grant);
    });
  }

  /** A release function that works once, however often it is called. */
  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // Hand the slot straight to the next waiter; only an idle slot goes back to the pool.
      if (next) next();
      else this.#free += 1;
    };
  }
}
