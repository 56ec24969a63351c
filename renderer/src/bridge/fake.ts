/**
 * An in-memory bridge for component and store tests (like Actual's `initServer(Partial<Handlers>)`): only the channels
 * a test cares about get handlers; any other channel answers a `not-implemented` error, so a test notices the call.
 */
import { err, type Channel, type EventName, type EventPayload, type Req, type Res, type Result } from "../../../shared/ipc/index.ts";
import type { Bridge, ConnectionState } from "./types.ts";

export type FakeHandlers = { [C in Channel]?: (request: Req<C>) => Result<Res<C>> | Promise<Result<Res<C>>> };

export interface FakeBridge extends Bridge {
  /** every invoke, in order */
  readonly calls: Array<{ channel: Channel; request: unknown }>;
  /** pushes an event to the listeners, as the main side would */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  setConnection(state: ConnectionState): void;
  /** replaces or adds handlers mid-test */
  handle(handlers: FakeHandlers): void;
}

export function createFakeBridge(initialHandlers: FakeHandlers = {}): FakeBridge {
  const handlers: FakeHandlers = { ...initialHandlers };
  const calls: FakeBridge["calls"] = [];
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let connection: ConnectionState = { status: "open" };

  return {
    transport: "fake",
    calls,
    async invoke<C extends Channel>(channel: C, request: Req<C>): Promise<Result<Res<C>>> {
      calls.push({ channel, request });
      const handler = handlers[channel] as ((request: Req<C>) => Result<Res<C>> | Promise<Result<Res<C>>>) | undefined;
      if (!handler) return err("not-implemented", `The fake bridge has no handler for ${channel}.`);
      return handler(request);
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload as never);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(connection);
      return () => connectionListeners.delete(listener);
    },
    setConnection(state) {
      connection = state;
      for (const listener of connectionListeners) listener(state);
    },
    handle(more) {
      Object.assign(handlers, more);
    },
    dispose() {},
  };
}
