/**
 * How the page gives the main side a file (the contract's files:* channels): the main side reads and writes only files
 * the user chose in this session.
 * - desktop: the native dialog (`files:pick`);
 * - browser (`guardbench serve`): an upload from the browser's file input, or a path the user typed and then
 *   confirmed on the page (`files:allow`) — the confirmation is the user's choice, so it is a separate click on a
 *   separate control, never implied by typing.
 */
import { err, MAX_UPLOAD_CHUNK_BYTES, type ChosenFile, type FilePurpose, type Result } from "../../../../shared/ipc/index.ts";
import type { Bridge } from "../../bridge/index.ts";

export type FileChooser = "dialog" | "browser";

export function fileChooserFor(transport: Bridge["transport"]): FileChooser {
  return transport === "electron" ? "dialog" : "browser";
}

/** The native dialog's choice; `undefined` when the user cancelled. */
export async function chooseWithDialog(bridge: Bridge, purpose: FilePurpose, suggestedName?: string): Promise<Result<ChosenFile | undefined>> {
  const picked = await bridge.invoke("files:pick", { purpose, ...(suggestedName ? { suggestedName } : {}) });
  return picked.ok ? { ok: true, value: picked.value.file } : picked;
}

/** A typed path, after the user confirmed it on the page. */
export function allowTypedPath(bridge: Bridge, path: string, purpose: FilePurpose): Promise<Result<ChosenFile>> {
  return bridge.invoke("files:allow", { path, purpose });
}

export interface UploadOptions {
  /** bytes sent so far, after each chunk */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
  /** default: a quarter of the contract's largest chunk, so progress moves often */
  chunkBytes?: number;
}

/** Sends a file from the browser's file input in order, chunk by chunk; a cancelled or failed upload is discarded. */
export async function uploadFile(bridge: Bridge, file: Blob & { name: string }, purpose: "dataset" | "model", options: UploadOptions = {}): Promise<Result<ChosenFile>> {
  const begun = await bridge.invoke("files:upload-begin", { name: file.name, sizeBytes: file.size, purpose });
  if (!begun.ok) return begun;
  const { uploadId } = begun.value;
  const chunkBytes = Math.min(options.chunkBytes ?? MAX_UPLOAD_CHUNK_BYTES / 4, MAX_UPLOAD_CHUNK_BYTES);
  const discard = async (result: Result<never>) => {
    await bridge.invoke("files:upload-cancel", { uploadId });
    return result;
  };
  for (let offset = 0; offset < file.size; offset += chunkBytes) {
    if (options.signal?.aborted) return discard(err("cancelled", `the upload of ${file.name} was cancelled`));
    const bytes = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
    const sent = await bridge.invoke("files:upload-chunk", { uploadId, offset, data: toBase64(bytes) });
    if (!sent.ok) return discard(sent);
    options.onProgress?.(sent.value.received, file.size);
  }
  if (options.signal?.aborted) return discard(err("cancelled", `the upload of ${file.name} was cancelled`));
  return bridge.invoke("files:upload-finish", { uploadId });
}

/**
 * A file dropped on an import field, granted through the same doors as a chosen one: the desktop app names it by the
 * path Electron knows for it (the preload asks; the page cannot name a path), the browser uploads it.
 */
export function grantDroppedFile(bridge: Bridge, file: File, purpose: "dataset" | "model", onProgress?: (sent: number, total: number) => void): Promise<Result<ChosenFile>> {
  if (bridge.grantDroppedFile) return bridge.grantDroppedFile(file, purpose);
  return uploadFile(bridge, file, purpose, onProgress ? { onProgress } : {});
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // In slices: spreading a whole chunk into fromCharCode would overflow the argument stack.
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}
