/**
 * The handler table: each file under handlers/ contributes a group of channels, and AppHost merges them into one
 * table, refusing to start when two groups claim a channel or when a contract channel has no handler.
 */
import type { Channel, ParsedReq, Res } from "../../shared/ipc/contract.ts";
import { CHANNELS } from "../../shared/ipc/contract.ts";
import type { Result } from "../../shared/ipc/result.ts";
import type { FileCaller } from "./fileAccess.ts";

/**
 * Who is calling: `page` for a transport (Electron IPC, the serve WebSocket: the renderer, untrusted), `main` for code
 * on the main side (`AppHost.client()`: the CLI, tests), which names files itself (see fileAccess.ts).
 */
export interface CallContext {
  caller: FileCaller;
}

/**
 * Receives a request that already passed its schema. Returns the envelope; throwing an EngineError, DownloadError or
 * StoreError is the same as returning that error (AppHost converts it), and anything else becomes `internal-error`.
 */
export type Handler<C extends Channel> = (request: ParsedReq<C>, context?: CallContext) => Promise<Result<Res<C>>>;

/** The context a handler assumes when called without one: the page's, the stricter. */
export const PAGE_CALL: CallContext = { caller: "page" };
export const MAIN_CALL: CallContext = { caller: "main" };

export type HandlerMap = { [C in Channel]?: Handler<C> };
export type HandlerTable = { [C in Channel]: Handler<C> };

export interface HandlerGroup {
  /** for error messages: "policies", "models" … */
  name: string;
  handlers: HandlerMap;
}

export class HandlerTableError extends Error {
  override readonly name = "HandlerTableError";
}

export function mergeHandlerGroups(groups: readonly HandlerGroup[]): HandlerTable {
  const table: Partial<Record<Channel, { group: string; handler: unknown }>> = {};
  for (const group of groups) {
    for (const [channel, handler] of Object.entries(group.handlers) as [Channel, unknown][]) {
      const existing = table[channel];
      if (existing) throw new HandlerTableError(`channel ${channel} is handled twice: by the "${existing.group}" and the "${group.name}" handlers`);
      if (!CHANNELS.includes(channel)) throw new HandlerTableError(`the "${group.name}" handlers define ${channel}, which is not a channel of shared/ipc/contract.ts`);
      table[channel] = { group: group.name, handler };
    }
  }
  const missing = CHANNELS.filter((channel) => !table[channel]);
  if (missing.length > 0) throw new HandlerTableError(`no handler for ${missing.join(", ")}`);
  return Object.fromEntries(Object.entries(table).map(([channel, entry]) => [channel, entry!.handler])) as HandlerTable;
}
