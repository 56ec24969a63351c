/**
 * The only file that touches ipcMain. Every contract channel gets one `handle`; each message is checked to come from
 * our window's main frame on our own origin (Electron security checklist #17) before AppHost — which validates the
 * payload against the contract — sees it. Pushed events go to the window's page only.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from "electron";
import { err } from "../../shared/ipc/result.ts";
import type { AppHost } from "../host/appHost.ts";
import { DisposableStore, type Disposer } from "../core/lifecycle.ts";
import { PRELOAD_INVOKE_CHANNELS, PRELOAD_OWN_CHANNELS } from "../host/preloadChannels.ts";
import { isTrustedSender, type IpcSender } from "../host/senderCheck.ts";
import { APP_ORIGIN } from "./paths.ts";

export function connectIpc(window: BrowserWindow, host: AppHost): Disposer {
  const disposables = new DisposableStore();
  for (const channel of [...PRELOAD_INVOKE_CHANNELS, ...PRELOAD_OWN_CHANNELS]) {
    ipcMain.handle(channel, (event, request: unknown) => {
      if (!isTrustedSender(senderOf(event, window), APP_ORIGIN)) {
        console.warn(`guardbench: refused ${channel} from ${safeUrl(event)}: not the app's own page`);
        return err("forbidden-sender", "this message did not come from Guardbench's own page", "Reload the window.");
      }
      return host.invoke(channel, request);
    });
    disposables.add(() => ipcMain.removeHandler(channel));
  }
  disposables.add(
    host.onAny((event, payload) => {
      if (!window.isDestroyed() && !window.webContents.isDestroyed()) window.webContents.send(event, payload);
    }),
  );
  return () => disposables.dispose();
}

function senderOf(event: IpcMainInvokeEvent, window: BrowserWindow): IpcSender {
  const frame = event.senderFrame;
  return {
    frameUrl: safeUrl(event),
    isMainFrame: frame !== null && frame.parent === null,
    isOurWindow: !window.isDestroyed() && event.sender === window.webContents,
  };
}

/** A frame that navigated away or was destroyed has no usable URL (reading it may throw). */
function safeUrl(event: IpcMainInvokeEvent): string | undefined {
  try {
    return event.senderFrame?.url;
  } catch {
    return undefined;
  }
}
