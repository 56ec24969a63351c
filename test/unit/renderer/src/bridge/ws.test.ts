import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../../../../shared/ipc/index.ts";
import { createWebSocketBridge, defaultBackoffMs, type ConnectionState } from "../../../../../renderer/src/bridge/index.ts";

/** Just enough of a browser WebSocket for the transport: the test plays the server. */
class FakeSocket {
  sent: unknown[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.();
  }
  receive(message: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(reason = "") {
    this.onclose?.({ code: 1006, reason });
  }
}

function setup(token?: string) {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ callback: () => void; ms: number }> = [];
  const states: ConnectionState[] = [];
  const bridge = createWebSocketBridge({
    url: "ws://127.0.0.1:7860/ws",
    token,
    createSocket: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
    setTimer: (callback, ms) => timers.push({ callback, ms }),
    clearTimer: () => {},
  });
  bridge.onConnection((state) => states.push(state));
  return { bridge, sockets, timers, states, socket: () => sockets.at(-1)! };
}

describe("WebSocket bridge", () => {
  it("offers the protocol and the token from the page fragment as subprotocols", () => {
    const { socket } = setup("abcdefghijklmnop0123");
    expect(socket().protocols).toEqual(["guardbench.v1", "guardbench.token.abcdefghijklmnop0123"]);
  });

  it("holds calls made before the first connection opens, then sends them and resolves each with its reply", async () => {
    const { bridge, socket } = setup();
    const answer = bridge.invoke("engine:status", {});
    expect(socket().sent).toEqual([]);
    socket().open();
    expect(socket().sent).toEqual([{ type: "invoke", id: 1, channel: "engine:status", request: {} }]);
    socket().receive({ type: "reply", id: 1, result: { ok: true, value: { state: "idle" } } });
    await expect(answer).resolves.toEqual({ ok: true, value: { state: "idle" } });
  });

  it("delivers pushed events to their listeners until they unsubscribe", () => {
    const { bridge, socket } = setup();
    socket().open();
    const seen: string[] = [];
    const stop = bridge.on("engine:status", (status) => seen.push(status.state));
    socket().receive({ type: "event", event: "engine:status", payload: { state: "loading" } });
    stop();
    socket().receive({ type: "event", event: "engine:status", payload: { state: "ready" } });
    expect(seen).toEqual(["loading"]);
  });

  it("fails calls still pending when the socket drops with a readable error, and reconnects with backoff", async () => {
    const { bridge, sockets, socket, timers, states } = setup();
    socket().open();
    const pending = bridge.invoke("classify:run", { turns: [{ role: "user", content: "hi" }] });
    socket().drop();
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("connection-lost");
      expect(result.error.message).toContain('"classify:run"');
      expect(result.error.hint).toMatch(/reconnects/);
    }
    expect(states.at(-1)).toEqual({ status: "closed", reason: "connection to guardbench serve lost", retryInMs: defaultBackoffMs(0) });

    // While disconnected, a call fails at once instead of hanging.
    const whileDown = await bridge.invoke("engine:status", {});
    expect(whileDown.ok || whileDown.error.code).toBe("disconnected");

    timers.shift()!.callback();
    expect(sockets).toHaveLength(2);
    socket().drop();
    expect(timers.at(-1)!.ms).toBe(defaultBackoffMs(1));
    timers.shift()!.callback();
    socket().open();
    expect(states.at(-1)).toEqual({ status: "open" });
  });

  it("backs off exponentially up to ten seconds", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(defaultBackoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it("mentions the token when the first connection never opens", () => {
    const { socket, states } = setup();
    socket().drop();
    expect(states.at(-1)).toMatchObject({ status: "closed", reason: expect.stringContaining("#token") });
  });
});
