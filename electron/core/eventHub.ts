/** Pushed events (the contract's `Events`) fanned out to subscribers: the Electron window, WebSocket connections, tests. */
import type { EventName, EventPayload, Events } from "../../shared/ipc/contract.ts";
import type { Disposer } from "./lifecycle.ts";

export type AnyEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export class EventHub {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly anyListeners = new Set<AnyEventListener>();

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): Disposer {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  /** Every event, for transports that forward them all (the client filters by name). */
  onAny(listener: AnyEventListener): Disposer {
    this.anyListeners.add(listener);
    return () => void this.anyListeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    // A failing subscriber (a closed socket, a destroyed window) must neither stop the others nor the emitter.
    for (const listener of [...(this.listeners.get(event) ?? [])]) guarded(() => (listener as (payload: Events[E]) => void)(payload));
    for (const listener of [...this.anyListeners]) guarded(() => listener(event, payload));
  }

  clear(): void {
    this.listeners.clear();
    this.anyListeners.clear();
  }
}

function guarded(run: () => void): void {
  try {
    run();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
