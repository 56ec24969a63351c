/**
 * Is an IPC message from our own page? Checked on every message (Electron security checklist #17): the sender must be
 * the main frame of our window, showing a page of the app's own origin. An iframe, a page navigated elsewhere (which
 * the navigation lock should prevent anyway) or another window is refused.
 */
export interface IpcSender {
  /** the frame's URL; undefined when the frame is gone (navigated away or destroyed) */
  frameUrl: string | undefined;
  /** the frame has no parent */
  isMainFrame: boolean;
  /** the message came from the webContents of the window AppHost is attached to */
  isOurWindow: boolean;
}

/** `guardbench://app` for the desktop page; compares scheme and host, since Node reports "null" origins for custom schemes. */
export function isTrustedSender(sender: IpcSender, appOrigin: string): boolean {
  if (!sender.isOurWindow || !sender.isMainFrame || sender.frameUrl === undefined) return false;
  return originOf(sender.frameUrl) === originOf(appOrigin);
}

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.username !== "" || parsed.password !== "") return undefined;
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}
