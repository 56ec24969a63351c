/** Shared set-up for the downloader tests: temp folders, random model files, a fast-retrying client, polling. */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { onTestFinished } from "vitest";
import { HubClient, type HubClientOptions } from "../../electron/models/hubClient.ts";
import { DownloadError } from "../../electron/models/downloadError.ts";
import type { HubFileSpec } from "../fixtures/hub/hubServer.ts";

export function modelFile(path: string, size: number, options: Omit<HubFileSpec, "path" | "content"> = {}): HubFileSpec {
  return { path, content: randomBytes(size), ...options };
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A fresh folder, removed when the test ends. */
export async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "guardbench-download-"));
  onTestFinished(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * Retries after milliseconds instead of seconds, so faults cost the tests little time. The stall timeout stays
 * generous (a busy machine must not look like a stalled connection); the stall test sets its own ~1 s.
 */
export function fastHubClient(endpoint: string, options: Omit<HubClientOptions, "endpoint"> = {}): HubClient {
  return new HubClient({ endpoint, stallTimeoutMs: 60_000, ...options, retry: { baseDelayMs: 5, maxDelayMs: 50, ...options.retry } });
}

/** Every file under `folder`, as paths relative to it (to prove nothing was left behind). */
export async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(folder, join(entry.parentPath, entry.name))).sort();
}

/** Polls until `condition` holds. The timeout is only a safety net against a hung test, never an assertion about speed. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, safetyNetMs = 60_000): Promise<void> {
  const giveUpAt = Date.now() + safetyNetMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The DownloadError a promise rejects with (fails the test if it resolves or rejects with anything else). */
export async function downloadErrorOf(promise: Promise<unknown>): Promise<DownloadError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DownloadError) return error;
    throw new Error(`expected a DownloadError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected the download to fail, but it succeeded");
}

/** Same, for code that throws synchronously. */
export function downloadErrorThrownBy(action: () => unknown): DownloadError {
  try {
    action();
  } catch (error) {
    if (error instanceof DownloadError) return error;
    throw new Error(`expected a DownloadError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected a DownloadError, but nothing was thrown");
}
