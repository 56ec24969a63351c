/**
 * The on-disk state of an unfinished download: `<dest>.partial` holds the bytes received so far, and
 * `<dest>.partial.json` says which file (url, size, sha256, etag) they are the start of. A later run — after a
 * pause, a dropped connection or a killed process — resumes only when the sidecar names the very file the Hub
 * lists now; otherwise the bytes belong to another version and are thrown away.
 */
import { createReadStream } from "node:fs";
import { open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import type { ContentHasher } from "./contentHash.ts";
import type { HubFile } from "./hubClient.ts";
import { partialPathFor, partialSidecarPathFor } from "./paths.ts";

export interface PartialSidecar {
  version: 1;
  /** The resolve URL at the pinned commit (no token: tokens are never written to disk here). */
  url: string;
  repo: string;
  file: string;
  commit: string;
  size: number;
  /** The digest the finished file must have (the LFS sha256, or the git blob id for non-LFS files). */
  digest: string;
  /** `X-Linked-Etag` as the Hub last sent it, once known. */
  etag?: string;
}

export function sidecarFor(hubFile: HubFile, url: string): PartialSidecar {
  return { version: 1, url, repo: hubFile.repo, file: hubFile.file, commit: hubFile.commit, size: hubFile.size, digest: hubFile.digest.hex };
}

/** Whether bytes recorded under `sidecar` can be the start of `hubFile` (same content, whatever commit it came from). */
function describesSameContent(sidecar: PartialSidecar, hubFile: HubFile): boolean {
  return (
    sidecar.version === 1 &&
    sidecar.repo === hubFile.repo &&
    sidecar.file === hubFile.file &&
    sidecar.size === hubFile.size &&
    sidecar.digest === hubFile.digest.hex
  );
}

export async function readSidecar(destination: string): Promise<PartialSidecar | undefined> {
  try {
    return JSON.parse(await readFile(partialSidecarPathFor(destination), "utf8")) as PartialSidecar;
  } catch {
    // Missing or unreadable (a crash mid-write): either way there is nothing trustworthy to resume.
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a crash never leaves a half-written sidecar. */
export async function writeSidecar(destination: string, sidecar: PartialSidecar): Promise<void> {
  const path = partialSidecarPathFor(destination);
  await writeFile(`${path}.tmp`, `${JSON.stringify(sidecar, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

export async function discardPartial(destination: string): Promise<void> {
  await rm(partialPathFor(destination), { force: true });
  await rm(partialSidecarPathFor(destination), { force: true });
  await rm(`${partialSidecarPathFor(destination)}.tmp`, { force: true });
}

export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * How many bytes of a previous partial can be kept for `hubFile`, having fed them to `hasher` (verification
 * covers the whole file, so bytes written by an earlier process are hashed again). 0 when there is nothing
 * usable; the caller then starts a fresh partial.
 */
export async function resumableBytes(
  destination: string,
  hubFile: HubFile,
  hasher: ContentHasher,
  onHashed: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  const sidecar = await readSidecar(destination);
  const onDisk = await fileSize(partialPathFor(destination));
  if (!sidecar || onDisk === undefined || onDisk === 0 || onDisk > hubFile.size || !describesSameContent(sidecar, hubFile)) return 0;
  await hashFile(partialPathFor(destination), hasher, onHashed, signal);
  return onDisk;
}

/** Feeds a file's bytes to the hasher, reporting how far it got. */
export async function hashFile(path: string, hasher: ContentHasher, onHashed: (bytes: number) => void, signal?: AbortSignal): Promise<void> {
  let hashed = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) {
    hasher.update(chunk as Buffer);
    hashed += (chunk as Buffer).length;
    onHashed(hashed);
  }
}

/** Starts an empty partial for `hubFile`: sidecar first, so a partial on disk always has one describing it. */
export async function startPartial(destination: string, sidecar: PartialSidecar): Promise<void> {
  await discardPartial(destination);
  await writeSidecar(destination, sidecar);
  await (await open(partialPathFor(destination), "w")).close();
}
