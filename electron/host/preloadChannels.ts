/**
 * What the preload lets the page use: the contract's channels and events, nothing more. Taken from shared/ipc/names.ts,
 * which contract.ts checks at compile time against its schema table (and test/unit/electron/host/preloadChannels.test.ts
 * at run time), so adding a channel to the contract is the only step. Imports no schemas and nothing of Node: the
 * sandboxed preload bundles this file.
 */
import type { Channel, EventName } from "../../shared/ipc/contract.ts";
import { CHANNEL_NAMES, EVENT_NAMES } from "../../shared/ipc/names.ts";

/**
 * Channels only the preload's own code sends, never the page: `files:drop` names a dropped file by the path Electron
 * knows for it, which a page must not be able to claim for any path it likes.
 */
export const PRELOAD_OWN_CHANNELS: ReadonlySet<string> = new Set<Channel>(["files:drop"]);

/** What the page may invoke through `window.guardbench.invoke`. */
export const PRELOAD_INVOKE_CHANNELS: ReadonlySet<string> = new Set<string>(CHANNEL_NAMES.filter((name) => !PRELOAD_OWN_CHANNELS.has(name)));
export const PRELOAD_EVENTS: ReadonlySet<string> = new Set<string>(EVENT_NAMES);

export function isAllowedInvokeChannel(name: unknown): name is Channel {
  return typeof name === "string" && PRELOAD_INVOKE_CHANNELS.has(name);
}

export function isAllowedEvent(name: unknown): name is EventName {
  return typeof name === "string" && PRELOAD_EVENTS.has(name);
}
