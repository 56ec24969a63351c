/**
 * What the preload lets the page use: the contract's channels and events, nothing more. Taken from shared/ipc/names.ts,
 * which contract.ts checks at compile time against its schema table (and test/unit/preloadChannels.test.ts at run
 * time), so adding a channel to the contract is the only step. Imports no schemas and nothing of Node: the sandboxed
 * preload bundles this file.
 */
import type { Channel, EventName } from "../../shared/ipc/contract.ts";
import { CHANNEL_NAMES, EVENT_NAMES } from "../../shared/ipc/names.ts";

export const PRELOAD_INVOKE_CHANNELS: ReadonlySet<string> = new Set<string>(CHANNEL_NAMES);
export const PRELOAD_EVENTS: ReadonlySet<string> = new Set<string>(EVENT_NAMES);

export function isAllowedInvokeChannel(name: unknown): name is Channel {
  return typeof name === "string" && PRELOAD_INVOKE_CHANNELS.has(name);
}

export function isAllowedEvent(name: unknown): name is EventName {
  return typeof name === "string" && PRELOAD_EVENTS.has(name);
}
