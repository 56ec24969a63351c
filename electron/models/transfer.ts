/**
 * One run of a download, from asking the Hub what the file is to renaming the verified file into place.
 * Pausing, resuming after a crash and retrying after a broken connection all come down to running this again:
 * it picks up whatever valid partial is on disk. The job around it (download.ts) decides when to run it.
 */
import { mkdir, open, rename, rm, statfs, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { ContentHasher } from "./contentHash.ts";
import { DownloadError } from "./downloadError.ts";
import { RangeNotSatisfiableError, type HubClient, type HubFile } from "./hubClient.ts";
import { discardPartial, fileSize, hashFile, resumableBytes, sidecarFor, startPartial, writeSidecar, type PartialSidecar } from "./partialFile.ts";
import { partialPathFor, partialSidecarPathFor } from "./paths.ts";
import { formatBytes } from "../../shared/format/bytes.ts";
import { RetryBudget, TransientError, type RetryNotice } from "./retry.ts";
import { withDownloadLock } from "./downloadLock.ts";

export interface DownloadTarget {
  repo: string;
  file: string;
  revision: string;
  /** `<modelsDir>/<owner>/<repo>/<file>`, already checked to be inside the models folder. */
  destination: string;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  size: number;
  repo: string;
  file: string;
  revision: string;
  /** The commit the revision pointed at; the bytes come from it. */
  commit: string;
  /** True when a verified copy was already installed and nothing was downloaded. */
  alreadyInstalled: boolean;
}

/**
 * "waiting": another process is downloading this file (it holds the lock); "checking": hashing bytes already on disk
 * (an installed copy, or a partial being resumed).
 */
export type TransferPhase = "waiting" | "checking" | "downloading";

/** Free bytes usable by this process at `directory`. Injectable so tests can simulate a small disk. */
export type FreeSpaceProbe = (directory: string) => Promise<number>;

export const freeBytesAt: FreeSpaceProbe = async (directory) => {
  const stats = await statfs(directory);
  return stats.bavail * stats.bsize;
};

export interface TransferSettings {
  hub: HubClient;
  freeBytes: FreeSpaceProbe;
}

export interface TransferHooks {
  signal: AbortSignal;
  onBytes(phase: TransferPhase, bytesDone: number, bytesTotal: number): void;
  onRetry(notice: RetryNotice): void;
}

export async function transferVerifiedFile(target: DownloadTarget, settings: TransferSettings, hooks: TransferHooks): Promise<DownloadResult> {
  const { hub } = settings;
  const { signal } = hooks;
  const hubFile = await hub.resolveFile(target.repo, target.revision, target.file, { signal, onRetry: hooks.onRetry });
  const resultFor = (sha256: string, alreadyInstalled: boolean): DownloadResult => ({
    path: target.destination,
    sha256,
    size: hubFile.size,
    repo: hubFile.repo,
    file: hubFile.file,
    revision: hubFile.revision,
    commit: hubFile.commit,
    alreadyInstalled,
  });
  const checking = (bytes: number) => hooks.onBytes("checking", bytes, hubFile.size);

  await mkdir(dirname(target.destination), { recursive: true, mode: 0o700 });
  // Whoever held the lock may have installed the file meanwhile: the check for an installed copy comes after it.
  const waiting = { signal, onWaiting: () => hooks.onBytes("waiting", 0, hubFile.size) };
  return withDownloadLock(target.destination, waiting, async () => {
    const installed = await verifiedInstalledCopy(target.destination, hubFile, checking, signal);
    if (installed) return resultFor(installed, true);
    return resultFor(await downloadVerified(target, hubFile, settings, hooks), false);
  });
}

/** Downloads (or resumes) the file into its partial, verifies it, and renames it into place; returns its sha256. */
async function downloadVerified(target: DownloadTarget, hubFile: HubFile, settings: TransferSettings, hooks: TransferHooks): Promise<string> {
  const { hub } = settings;
  const { signal } = hooks;
  const checking = (bytes: number) => hooks.onBytes("checking", bytes, hubFile.size);
  const hasher = new ContentHasher(hubFile.digest);
  const keptBytes = await resumableBytes(target.destination, hubFile, hasher, checking, signal);
  await ensureFreeSpace(target, hubFile.size - keptBytes, settings.freeBytes);
  const sidecar = sidecarFor(hubFile, hub.urls.resolve(hubFile.repo, hubFile.commit, hubFile.file));
  if (keptBytes === 0) await startPartial(target.destination, sidecar);

  await receiveRemainingBytes({ hub, hubFile, destination: target.destination, sidecar, hasher, keptBytes, hooks });

  const outcome = hasher.finish();
  if (!outcome.matches) {
    await discardPartial(target.destination);
    throw new DownloadError(
      "checksum-mismatch",
      `${hubFile.repo}/${hubFile.file} failed verification: expected ${hubFile.digest.kind} ${hubFile.digest.hex}, got ${outcome.actual}. The corrupt download was deleted.`,
      "Pull again. If it keeps failing, a proxy or mirror (HF_ENDPOINT) may be altering the file.",
      { expectedSha256: hubFile.digest.kind === "sha256" ? hubFile.digest.hex : undefined, actualSha256: outcome.sha256 },
    );
  }
  // Only a verified file ever appears under its real name.
  await rename(partialPathFor(target.destination), target.destination);
  await rm(partialSidecarPathFor(target.destination), { force: true });
  return outcome.sha256;
}

/** The sha256 of an already installed copy that matches the Hub's digest, or undefined (then it is replaced on success). */
async function verifiedInstalledCopy(destination: string, hubFile: HubFile, onHashed: (bytes: number) => void, signal: AbortSignal): Promise<string | undefined> {
  if ((await fileSize(destination)) !== hubFile.size) return undefined;
  const hasher = new ContentHasher(hubFile.digest);
  await hashFile(destination, hasher, onHashed, signal);
  const outcome = hasher.finish();
  return outcome.matches ? outcome.sha256 : undefined;
}

async function ensureFreeSpace(target: DownloadTarget, bytesNeeded: number, freeBytes: FreeSpaceProbe): Promise<void> {
  const directory = dirname(target.destination);
  const bytesFree = await freeBytes(directory);
  if (bytesFree >= bytesNeeded) return;
  throw new DownloadError(
    "disk-full",
    `not enough disk space for ${target.repo}/${target.file}: it needs ${formatBytes(bytesNeeded)} more, but only ${formatBytes(bytesFree)} is free in ${directory}`,
    "Free up space on that disk, or set GUARDBENCH_HOME to a folder on a disk with more room.",
    { bytesNeeded, bytesFree },
  );
}

interface Reception {
  hub: HubClient;
  hubFile: HubFile;
  destination: string;
  sidecar: PartialSidecar;
  hasher: ContentHasher;
  keptBytes: number;
  hooks: TransferHooks;
}

/**
 * Appends bytes to the partial until it holds the whole file, reconnecting with `Range: bytes=<have>-` after a
 * dropped connection or a stall, and waiting out 429/5xx answers.
 */
async function receiveRemainingBytes(reception: Reception): Promise<void> {
  const { hub, hubFile, destination, sidecar, hasher, hooks } = reception;
  const { signal } = hooks;
  const budget = new RetryBudget(hub.retryPolicy, hooks.onRetry);
  const partial = await open(partialPathFor(destination), "a");
  let have = reception.keptBytes;
  const restartFromZero = async () => {
    await partial.truncate(0);
    hasher.reset();
    have = 0;
  };
  try {
    while (have < hubFile.size) {
      try {
        const content = await hub.openContent(hubFile, have, { signal });
        if (content.startByte === 0 && have > 0) {
          // The server ignored our Range and is sending the whole file (huggingface_hub does the same: start over).
          await restartFromZero();
        }
        if (content.linkedEtag && content.linkedEtag !== sidecar.etag) {
          sidecar.etag = content.linkedEtag;
          await writeSidecar(destination, sidecar);
        }
        hooks.onBytes("downloading", have, hubFile.size);
        for await (const chunk of content.chunks) {
          // Bytes past the listed size are not part of the file; verification covers exactly `size` bytes.
          const useful = chunk.subarray(0, hubFile.size - have);
          await appendAll(partial, useful);
          hasher.update(useful);
          have += useful.length;
          budget.madeProgress();
          hooks.onBytes("downloading", have, hubFile.size);
          if (have === hubFile.size) break;
        }
        if (have < hubFile.size) throw new TransientError("network", `the connection closed after ${have} of ${hubFile.size} bytes`);
      } catch (error) {
        if (error instanceof RangeNotSatisfiableError) {
          if (have === 0) throw new DownloadError("http-error", `the server refused to send ${hubFile.repo}/${hubFile.file}: ${error.message}`);
          // What we have does not fit the file being served: keep nothing and download it whole.
          await restartFromZero();
          continue;
        }
        if (!(error instanceof TransientError) || signal.aborted) throw error;
        await budget.waitAfter(error, `downloading ${hubFile.repo}/${hubFile.file}`, signal);
      }
    }
    await partial.sync();
  } finally {
    await partial.close();
  }
}

async function appendAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  try {
    for (let written = 0; written < bytes.length; ) {
      written += (await handle.write(bytes, written)).bytesWritten;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOSPC" || code === "EDQUOT") {
      throw new DownloadError("disk-full", "the disk filled up during the download", "Free up space, then pull again: the download resumes where it stopped.");
    }
    throw error;
  }
}
