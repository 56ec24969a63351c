/**
 * The WebSocket transport for `guardbench serve` (protocol: shared/ipc/wire.ts). It reconnects with backoff, and
 * because a reply can never arrive on a new socket, every call still pending when a socket closes is answered at once
 * with a readable error instead of hanging.
 */
import {
  err,
  isEventName,
  webSocketProtocols,
  type Channel,
  type EventName,
  type EventPayload,
  type Req,
  type Res,
  type Result,
  type ServerMessage,
  type WireInvoke,
} from "../../../shared/ipc/index.ts";
import { BRIDGE_ERROR, type Bridge, type ConnectionState } from "./types.ts";

export interface WebSocketBridgeOptions {
  url: string;
  token?: string;
  /** injectable for tests */
  createSocket?: (url: string, protocols: string[]) => WebSocket;
  /** delay before reconnect attempt `attempt` (0-based) */
  backoffMs?: (attempt: number) => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** 0.5 s, 1 s, 2 s … capped at 10 s: quick after a blip, gentle while the server is down. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 10_000);
}

interface PendingCall {
  channel: Channel;
  resolve: (result: Result<never>) => void;
}

type Listener = (payload: never) => void;

export function createWebSocketBridge(options: WebSocketBridgeOptions): Bridge {
  const createSocket = options.createSocket ?? ((url, protocols) => new WebSocket(url, protocols));
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  const setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));

  const pending = new Map<number, PendingCall>();
  /** Calls made before the first connection opened: sent as soon as it does. */
  const queuedBeforeFirstOpen: WireInvoke[] = [];
  const eventListeners = new Map<EventName, Set<Listener>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();

  let socket: WebSocket | undefined;
  let state: ConnectionState = { status: "connecting" };
  let everOpened = false;
  let failedAttempts = 0;
  let nextId = 1;
  let retryTimer: unknown;
  let disposed = false;

  function setState(next: ConnectionState): void {
    state = next;
    for (const listener of connectionListeners) listener(next);
  }

  function connect(): void {
    retryTimer = undefined;
    setState({ status: "connecting" });
    let opened: WebSocket;
    try {
      opened = createSocket(options.url, webSocketProtocols(options.token));
    } catch (caught) {
      scheduleReconnect(caught instanceof Error ? caught.message : String(caught));
      return;
    }
    socket = opened;
    opened.onopen = () => {
      everOpened = true;
      failedAttempts = 0;
      for (const message of queuedBeforeFirstOpen.splice(0)) opened.send(JSON.stringify(message));
      setState({ status: "open" });
    };
    opened.onmessage = (event: MessageEvent) => receive(event.data);
    opened.onclose = (event: CloseEvent) => {
      if (socket !== opened) return;
      socket = undefined;
      failPending();
      if (!disposed) scheduleReconnect(describeClose(event));
    };
    // An error is always followed by close, which does the work.
    opened.onerror = () => {};
  }

  function describeClose(event: CloseEvent): string {
    if (!everOpened && !options.token) return "could not connect to guardbench serve (is it running? Open the exact address it printed, #token=… included)";
    if (!everOpened) return "could not connect to guardbench serve (is it running, and is the #token in the address the one it printed?)";
    return event.reason ? `connection closed: ${event.reason}` : "connection to guardbench serve lost";
  }

  function scheduleReconnect(reason: string): void {
    const delay = backoffMs(failedAttempts);
    failedAttempts += 1;
    setState({ status: "closed", reason, retryInMs: delay });
    retryTimer = setTimer(connect, delay);
  }

  function failPending(): void {
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) {
      call.resolve(
        err(
          BRIDGE_ERROR.connectionLost,
          `The connection to Guardbench closed before "${call.channel}" answered.`,
          "The page reconnects by itself. Work that runs as a job (downloads, model loads) goes on; check the Models screen.",
        ) as Result<never>,
      );
    }
  }

  function receive(data: unknown): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch {
      return; // not ours; the server only sends JSON
    }
    if (message.type === "reply") {
      const call = pending.get(message.id);
      pending.delete(message.id);
      call?.resolve(message.result as Result<never>);
    } else if (message.type === "event" && isEventName(message.event)) {
      for (const listener of eventListeners.get(message.event) ?? []) listener(message.payload as never);
    }
  }

  function invoke<C extends Channel>(channel: C, request: Req<C>): Promise<Result<Res<C>>> {
    const message = { type: "invoke", id: nextId++, channel, request } as WireInvoke;
    const open = socket && state.status === "open";
    if (!open && everOpened) {
      return Promise.resolve(
        err(
          BRIDGE_ERROR.disconnected,
          `Not connected to Guardbench, so "${channel}" was not sent.`,
          "The page is reconnecting; try again in a moment. If it keeps failing, check that `guardbench serve` is still running.",
        ),
      );
    }
    return new Promise((resolve) => {
      pending.set(message.id, { channel, resolve: resolve as PendingCall["resolve"] });
      if (open) socket!.send(JSON.stringify(message));
      else queuedBeforeFirstOpen.push(message);
    });
  }

  function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const listeners = eventListeners.get(event) ?? new Set<Listener>();
    eventListeners.set(event, listeners);
    listeners.add(listener as Listener);
    return () => listeners.delete(listener as Listener);
  }

  connect();

  return {
    transport: "websocket",
    invoke,
    on,
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
    dispose() {
      disposed = true;
      if (retryTimer !== undefined) clearTimer(retryTimer);
      socket?.close();
      socket = undefined;
      failPending();
    },
  };
}
