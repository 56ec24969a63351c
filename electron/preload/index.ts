/**
 * Exposes exactly `window.guardbench = { invoke, on }` for the contract's channels (shared/ipc). Unknown channels are
 * refused here already; AppHost validates every payload again on the other side. Listeners receive the payload only,
 * never the IpcRendererEvent (which would hand the page `sender`).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import type { Channel, EventName, EventPayload, GuardbenchApi, Req, Res } from "../../shared/ipc/contract.ts";
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
} satisfies GuardbenchApi;

contextBridge.exposeInMainWorld("guardbench", api);
