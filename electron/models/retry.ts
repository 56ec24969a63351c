import { setTimeout as sleep } from "node:timers/promises";
import { cancelledError, DownloadError, type DownloadErrorCode } from "./downloadError.ts";

export interface RetryPolicy {
  /** Retries after consecutive failures; a failure after fresh bytes arrived starts the count again. */
  maxRetries: number;
  /** First backoff; doubles per consecutive failure. */
  baseDelayMs: number;
  /** Cap on any single wait, including a server's Retry-After (a Hub asking for 5 minutes should not hang the UI that long). */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 60_000 };

export type TransientKind = "network" | "stall" | "rate-limited" | "server-error";

/** A failure worth retrying (dropped connection, stall, 429, 5xx). Never leaves the models layer: exhausted retries become a DownloadError. */
export class TransientError extends Error {
  constructor(
    readonly kind: TransientKind,
    message: string,
    /** What the server asked for (Retry-After / RateLimit), before the policy's cap. */
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface RetryNotice {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  reason: string;
}

/**
 * Counts consecutive failures of one logical operation and waits between attempts. The transfer loop calls
 * `madeProgress()` whenever bytes arrive, so a long download over a flaky link survives many separate drops
 * while a link that never delivers gives up after `maxRetries`.
 */
export class RetryBudget {
  #failures = 0;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly onRetry?: (notice: RetryNotice) => void,
  ) {}

  madeProgress(): void {
    this.#failures = 0;
  }

  /** Waits before the next attempt, or throws the DownloadError that ends the operation. Aborting the signal rejects at once. */
  async waitAfter(error: TransientError, what: string, signal?: AbortSignal): Promise<void> {
    this.#failures += 1;
    if (this.#failures > this.policy.maxRetries) throw exhausted(error, what, this.policy.maxRetries);
    const backoff = this.policy.baseDelayMs * 2 ** (this.#failures - 1);
    const delayMs = Math.min(this.policy.maxDelayMs, error.retryAfterMs ?? backoff);
    this.onRetry?.({ attempt: this.#failures, delayMs, reason: error.message });
    try {
      await sleep(delayMs, undefined, signal ? { signal } : undefined);
    } catch (sleepError) {
      if (signal?.aborted) throw cancelledError();
      throw sleepError;
    }
  }
}

/** Runs `operation` until it succeeds, retrying only TransientErrors. */
export async function withRetries<T>(
  operation: () => Promise<T>,
  what: string,
  policy: RetryPolicy,
  options: { signal?: AbortSignal; onRetry?: (notice: RetryNotice) => void } = {},
): Promise<T> {
  const budget = new RetryBudget(policy, options.onRetry);
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof TransientError) || options.signal?.aborted) throw error;
      await budget.waitAfter(error, what, options.signal);
    }
  }
}

function exhausted(error: TransientError, what: string, retries: number): DownloadError {
  const outcome: Record<TransientKind, { code: DownloadErrorCode; hint: string }> = {
    network: { code: "network", hint: "Check your internet connection (and HF_ENDPOINT, if set), then pull again: the download resumes where it stopped." },
    stall: { code: "network", hint: "The connection keeps stalling. Pull again later: the download resumes where it stopped." },
    "rate-limited": { code: "rate-limited", hint: "Hugging Face is rate-limiting this machine. Wait a few minutes, then pull again; signing in with a token raises the limit." },
    "server-error": { code: "server-error", hint: "Hugging Face is having trouble. Try again later (status: https://status.huggingface.co)." },
  };
  const { code, hint } = outcome[error.kind];
  return new DownloadError(code, `${what} failed after ${retries} retries: ${error.message}`, hint, error.status ? { status: error.status } : {});
}

/**
 * How long the server asked us to wait: `Retry-After` (seconds or an HTTP date), else the `t=` (seconds until the
 * window resets) of the IETF `RateLimit` header the Hub sends (`"api";r=0;t=55`).
 */
export function serverRequestedDelayMs(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get("ratelimit")?.match(/(?:^|;)\s*t=(\d+)/);
  return reset?.[1] ? Number(reset[1]) * 1000 : undefined;
}
