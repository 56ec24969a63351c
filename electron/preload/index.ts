/**
 * Exposes exactly `window.guardbench = { invoke, on }` for the contract's channels (shared/ipc). Unknown channels are
 * refused here already; AppHost validates every payload again on the other side. Listeners receive the payload only,
 * never the IpcRendererEvent (which would hand the page `sender`).
 *
 * May import: host/ only (preloadChannels.ts, the channel allowlist), plus `electron`. Bundled on its own for the page's
 * sandboxed preload; nothing imports it.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from "electron";
import type { Channel, ChosenFile, DroppedFileGrant, EventName, EventPayload, GuardbenchApi, Req, Res } from "../../shared/ipc/contract.ts";
import { err, type Result } from "../../shared/ipc/result.ts";
import { isAllowedEvent, isAllowedInvokeChannel } from "../host/preloadChannels.ts";

const api = {
  invoke<C extends Channel>(channel: C, request: Req<C>): Promise<Result<Res<C>>> {
    if (!isAllowedInvokeChannel(channel)) return Promise.resolve(err("unknown-channel", `there is no channel named ${JSON.stringify(channel)}`));
    return ipcRenderer.invoke(channel, request) as Promise<Result<Res<C>>>;
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!isAllowedEvent(event)) return () => {};
    const forward = (_event: IpcRendererEvent, payload: EventPayload<E>) => listener(payload);
    ipcRenderer.on(event, forward);
    return () => void ipcRenderer.removeListener(event, forward);
  },
  /** The path comes from Electron's own record of the dropped File, so the page can grant only what the user dropped. */
  grantDroppedFile(file: File, purpose: "dataset" | "model"): Promise<Result<ChosenFile>> {
    let path = "";
    try {
      path = webUtils.getPathForFile(file);
    } catch {
      // not a File the user gave the page: treated as no path below
    }
    if (!path) return Promise.resolve(err("not-a-dropped-file", "this file has no path on this machine", "Drop the file from a folder, or use Choose file…."));
    const request: Req<"files:drop"> = { path, purpose };
    return ipcRenderer.invoke("files:drop", request) as Promise<Result<ChosenFile>>;
  },
} satisfies GuardbenchApi & DroppedFileGrant<File>;

contextBridge.exposeInMainWorld("guardbench", api);
