/**
 * The renderer's only way to the main side. `pickBridge` chooses the transport once, at startup: the preload's
 * `window.guardbench` inside Electron, the same-origin WebSocket when the page was served by `guardbench serve`.
 */
import { err, tokenFromFragment, WS_PATH } from "../../../shared/ipc/index.ts";
import { createElectronBridge } from "./electron.ts";
import { BRIDGE_ERROR, type Bridge } from "./types.ts";
import { createWebSocketBridge } from "./ws.ts";

export { createElectronBridge } from "./electron.ts";
export { createFakeBridge, type FakeBridge, type FakeHandlers } from "./fake.ts";
export { createWebSocketBridge, defaultBackoffMs } from "./ws.ts";
export { BRIDGE_ERROR, type Bridge, type ConnectionState } from "./types.ts";

export function pickBridge(window: Window): Bridge {
  if (window.guardbench) return createElectronBridge(window.guardbench);
  const { protocol, host, hash } = window.location;
  if (protocol === "http:" || protocol === "https:") {
    const url = `${protocol === "https:" ? "wss" : "ws"}://${host}${WS_PATH}`;
    return createWebSocketBridge({ url, token: tokenFromFragment(hash) });
  }
  return createUnavailableBridge();
}

/** Opened as a plain file with no preload: every call explains why nothing works instead of failing silently. */
function createUnavailableBridge(): Bridge {
  const reason = "This page was opened without the Guardbench app behind it.";
  return {
    transport: "none",
    invoke: async () => err(BRIDGE_ERROR.unavailable, reason, "Start the desktop app, or run `guardbench serve` and open the address it prints."),
    on: () => () => {},
    onConnection(listener) {
      listener({ status: "closed", reason, retryInMs: Number.POSITIVE_INFINITY });
      return () => {};
    },
    dispose() {},
  };
}
