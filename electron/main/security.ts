/**
 * App-wide locks (Electron security checklist #13–15, plus permissions): no navigation, redirects or webviews in any
 * webContents, new windows denied, and links opened in the system browser only when urlPolicy allows them. Every
 * decision lives in electron/host (unit-tested); this file only wires them in.
 */
import { app, session, shell, type WebContents } from "electron";
import { decideExternalUrl } from "../host/urlPolicy.ts";

/** Opens `url` in the system browser if the policy allows it; returns whether it did. */
export function openExternalSafely(url: string): boolean {
  const decision = decideExternalUrl(url);
  if (!decision.allowed) {
    console.warn(`guardbench: refused to open ${JSON.stringify(url.slice(0, 200))}: ${decision.reason}`);
    return false;
  }
  // The re-serialised URL, not the original string: what is opened is exactly what was checked.
  void shell.openExternal(decision.url);
  return true;
}

function lockWebContents(contents: WebContents): void {
  // The page never navigates: it is a single-page app loaded once. Links meant for a browser go through openExternalSafely.
  contents.on("will-navigate", (event, url) => {
    event.preventDefault();
    openExternalSafely(url);
  });
  contents.on("will-redirect", (event) => event.preventDefault());
  contents.on("will-attach-webview", (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: "deny" };
  });
}

/** Call before any window exists. */
export function installSecurityPolicies(): void {
  app.on("web-contents-created", (_event, contents) => lockWebContents(contents));
}

/** Call after `ready`: the app needs no permission at all (camera, notifications, clipboard-read, …). */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
