/** The Electron transport: the preload's `window.guardbench`, which is always connected while the window exists. */
import { err, type DroppedFileGrant, type GuardbenchApi } from "../../../shared/ipc/index.ts";
import { BRIDGE_ERROR, type Bridge } from "./types.ts";

declare global {
  interface Window {
    /** exposed by electron/preload with contextBridge; absent in a browser */
    guardbench?: GuardbenchApi & Partial<DroppedFileGrant<File>>;
  }
}

export function createElectronBridge(api: GuardbenchApi & Partial<DroppedFileGrant<File>>): Bridge {
  const grant = api.grantDroppedFile;
  return {
    transport: "electron",
    ...(grant ? { grantDroppedFile: (file: File, purpose: "dataset" | "model") => grant(file, purpose) } : {}),
    async invoke(channel, request) {
      try {
        return await api.invoke(channel, request);
      } catch (caught) {
        // The preload never throws by contract; if IPC itself breaks, still answer with the envelope.
        const detail = caught instanceof Error ? caught.message : String(caught);
        return err(BRIDGE_ERROR.transportFailed, `The request ${channel} could not reach the main process (${detail}).`, "Restart Guardbench.");
      }
    },
    on: (event, listener) => api.on(event, listener),
    onConnection(listener) {
      listener({ status: "open" });
      return () => {};
    },
    dispose() {},
  };
}
