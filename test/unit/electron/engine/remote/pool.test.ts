/**
 * The endpoint pool's scheduling with scripted engines (no llama.cpp, no HTTP): exactly one outcome per item, endpoint
 * failures moved elsewhere, item failures reported, stalls detected by the item timeout, re-probing, giving up.
 * Timeouts here trigger behaviour; nothing asserts how long anything took.
 */
import { describe, expect, it } from "vitest";
import type { ClassificationResult } from "../../../../../shared/classify/result.ts";
import type { ClassifierEngine, EngineInfo } from "../../../../../electron/engine/engine.ts";
import { EngineError } from "../../../../../electron/engine/errors.ts";
import { RemoteEngineError } from "../../../../../electron/engine/remote/errors.ts";
import { EndpointPool, failureScope, type ItemOutcome, type PoolEvent, type PoolItem, type PoolMember } from "../../../../../electron/engine/remote/pool.ts";
import type { ClassifyRequest } from "../../../../../shared/ipc/contract.ts";

type Behaviour = (item: number, call: number) => "ok" | Error | "stall";

/** An engine that answers per a script, after a macrotask, and honours its abort signal like a real one. */
class ScriptedEngine implements ClassifierEngine {
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly name: string,
    private readonly behaviour: Behaviour = () => "ok",
    private readonly delayMs = 1,
  ) {}

  classify(request: ClassifyRequest, _options?: unknown, signal?: AbortSignal): Promise<ClassificationResult> {
    const item = Number(request.turns[0]!.content);
    const action = this.behaviour(item, this.calls++);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<ClassificationResult>((resolve, reject) => {
      const settle = (finish: () => void) => {
        this.inFlight--;
        signal?.removeEventListener("abort", onAbort);
        finish();
      };
      const onAbort = () => settle(() => reject(new RemoteEngineError("cancelled", `${this.name}: aborted`)));
      signal?.addEventListener("abort", onAbort, { once: true });
      if (action === "stall") return;
      setTimeout(() => settle(() => (action === "ok" ? resolve({ outputText: `${this.name}:${item}` } as ClassificationResult) : reject(action))), this.delayMs);
    });
  }

  info(): EngineInfo {
    return { kind: "local", model: undefined };
  }

  dispose(): void {}
}

const items = (count: number): PoolItem<number>[] => Array.from({ length: count }, (_, id) => ({ id, request: { turns: [{ role: "user", content: String(id) }] } }));
const member = (engine: ScriptedEngine, concurrency = 2, probe?: PoolMember["probe"]): PoolMember => ({ name: engine.name, engine, concurrency, ...(probe ? { probe } : {}) });
const down = (name: string) => new RemoteEngineError("connection-failed", `cannot reach ${name}: ECONNREFUSED`);
const fast = { probeDelayMs: 5, maxProbeDelayMs: 20, probeTimeoutMs: 50, itemTimeoutMs: 2_000 };

function expectEachItemOnce(outcomes: ItemOutcome<number>[], seen: ItemOutcome<number>[], count: number): void {
  expect(outcomes.map((o) => o.id)).toEqual(Array.from({ length: count }, (_, i) => i));
  expect(seen.map((o) => o.id).sort((a, b) => a - b)).toEqual(outcomes.map((o) => o.id));
}

describe("the endpoint pool", () => {
  it("scores every item once, within each endpoint's concurrency, spread over the endpoints", async () => {
    const engines = [new ScriptedEngine("a"), new ScriptedEngine("b"), new ScriptedEngine("c")];
    const pool = new EndpointPool([member(engines[0]!, 1), member(engines[1]!, 2), member(engines[2]!, 3)], fast);
    const seen: ItemOutcome<number>[] = [];
    const report = await pool.run(items(40), { onItem: (outcome) => seen.push(outcome) });

    expectEachItemOnce(report.outcomes, seen, 40);
    expect(report.outcomes.every((o) => o.ok)).toBe(true);
    expect(report.unfinished).toEqual([]);
    expect(engines.map((e) => e.maxInFlight)).toEqual([1, 2, 3]);
    expect(engines.every((e) => e.calls > 0)).toBe(true);
    expect(report.endpoints.map((e) => e.completed).reduce((a, b) => a + b)).toBe(40);
    expect(report.endpoints.every((e) => e.state === "healthy" && e.itemsPerSecond > 0)).toBe(true);
  });

  it("moves the items of a dead endpoint to the others and keeps probing it", async () => {
    const dead = new ScriptedEngine("dead", (_item, call) => (call < 3 ? "ok" : down("dead")));
    const alive = new ScriptedEngine("alive");
    const events: PoolEvent[] = [];
    const pool = new EndpointPool([member(dead, 3, async () => Promise.reject(down("dead"))), member(alive, 2)], { ...fast, onEvent: (e) => events.push(e) });
    const seen: ItemOutcome<number>[] = [];
    const report = await pool.run(items(30), { onItem: (outcome) => seen.push(outcome) });

    expectEachItemOnce(report.outcomes, seen, 30);
    expect(report.outcomes.every((o) => o.ok)).toBe(true);
    expect(events.filter((e) => e.kind === "suspended")).toEqual([expect.objectContaining({ endpoint: "dead", problem: expect.stringMatching(/ECONNREFUSED/) })]);
    expect(report.endpoints.find((e) => e.name === "dead")).toMatchObject({ state: "suspended", failures: 1, lastProblem: expect.stringMatching(/ECONNREFUSED/) });
    expect(report.outcomes.filter((o) => o.ok && o.endpoint === "dead").length).toBeLessThanOrEqual(3);
  });

  it("detects a stalled endpoint by the item timeout and scores its items elsewhere", async () => {
    const stalled = new ScriptedEngine("stalled", (_item, call) => (call < 2 ? "ok" : "stall"));
    const healthy = new ScriptedEngine("healthy");
    const events: PoolEvent[] = [];
    const pool = new EndpointPool([member(stalled, 2, () => new Promise(() => undefined)), member(healthy, 2)], { ...fast, itemTimeoutMs: 100, onEvent: (e) => events.push(e) });
    const report = await pool.run(items(20));

    expect(report.outcomes).toHaveLength(20);
    expect(report.outcomes.every((o) => o.ok)).toBe(true);
    expect(events[0]).toMatchObject({ kind: "suspended", endpoint: "stalled", problem: expect.stringMatching(/no result within 100 ms/) });
    expect(stalled.inFlight).toBe(0);
  });

  it("reports an item failure as the item's outcome without blaming the endpoint", async () => {
    const tooLong = new RemoteEngineError("request-rejected", "a rejected the request (HTTP 400): prompt too long", undefined, 400);
    const engine = new ScriptedEngine("a", (item) => (item === 5 ? tooLong : "ok"));
    const pool = new EndpointPool([member(engine)], fast);
    const report = await pool.run(items(10));

    expect(report.outcomes[5]).toEqual({ id: 5, ok: false, error: { code: "request-rejected", message: tooLong.message }, endpoint: "a", attempts: 1 });
    expect(report.outcomes.filter((o) => o.ok)).toHaveLength(9);
    expect(report.endpoints[0]).toMatchObject({ state: "healthy", failures: 0 });
  });

  it("gives up on an item that fails on maxAttempts endpoints, and the endpoints come back", async () => {
    const crashes = (name: string) => (item: number) => (item === 7 ? new RemoteEngineError("server-error", `${name} failed (HTTP 500)`, undefined, 500) : "ok");
    const engines = ["a", "b", "c", "d"].map((name) => new ScriptedEngine(name, crashes(name)));
    const events: PoolEvent[] = [];
    const pool = new EndpointPool(engines.map((e) => member(e, 1, async () => undefined)), { ...fast, maxAttempts: 3, onEvent: (e) => events.push(e) });
    const report = await pool.run(items(12));

    expect(report.outcomes[7]).toMatchObject({ ok: false, attempts: 3, error: { code: "server-error", message: expect.stringMatching(/failed on 3 endpoints/) } });
    expect(report.outcomes.filter((o) => o.ok)).toHaveLength(11);
    expect(events.filter((e) => e.kind === "suspended")).toHaveLength(3);
  });

  it("brings a recovered endpoint back into the rotation", async () => {
    let reachable = false;
    const flaky = new ScriptedEngine("flaky", (_item, call) => (call === 0 ? down("flaky") : "ok"));
    // Slow enough that the run outlasts two probes of the flaky endpoint.
    const slow = new ScriptedEngine("slow", () => "ok", 10);
    const events: PoolEvent[] = [];
    const probe = async () => {
      if (!reachable) {
        reachable = true;
        throw down("flaky");
      }
    };
    const pool = new EndpointPool([member(flaky, 2, probe), member(slow, 1)], { ...fast, onEvent: (e) => events.push(e) });
    const report = await pool.run(items(40));

    expect(report.outcomes.every((o) => o.ok)).toBe(true);
    expect(events.map((e) => e.kind)).toEqual(["suspended", "probe-failed", "recovered"]);
    expect(report.outcomes.some((o) => o.ok && o.endpoint === "flaky")).toBe(true);
    expect(report.endpoints.find((e) => e.name === "flaky")!.state).toBe("healthy");
  });

  it("reports the items left when every endpoint stays down", async () => {
    const engines = [new ScriptedEngine("a", () => down("a")), new ScriptedEngine("b", () => down("b"))];
    const pool = new EndpointPool(engines.map((e) => member(e, 1, async () => Promise.reject(down(e.name)))), { ...fast, allDownTimeoutMs: 100 });
    const report = await pool.run(items(5));

    expect(report.outcomes).toHaveLength(5);
    expect(report.outcomes.every((o) => !o.ok && o.error.code === "no-endpoint-available")).toBe(true);
    const error = (report.outcomes[4] as Extract<ItemOutcome<number>, { ok: false }>).error;
    expect(error.message).toMatch(/a: cannot reach a: ECONNREFUSED; b: cannot reach b/);
  });

  it("stops when cancelled, listing the items without an outcome", async () => {
    const controller = new AbortController();
    const engine = new ScriptedEngine("a", (item) => (item < 3 ? "ok" : "stall"));
    const seen: ItemOutcome<number>[] = [];
    const pool = new EndpointPool([member(engine, 2)], fast);
    const run = pool.run(items(10), {
      signal: controller.signal,
      onItem: (outcome) => {
        seen.push(outcome);
        if (seen.length === 3) setTimeout(() => controller.abort(), 10);
      },
    });
    const report = await run;
    expect(report.outcomes.map((o) => o.id)).toEqual([0, 1, 2]);
    expect(report.unfinished).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(seen).toHaveLength(3);
    expect(engine.inFlight).toBe(0);
  });

  it("stops and rejects when the caller cannot take an outcome", async () => {
    const pool = new EndpointPool([member(new ScriptedEngine("a"))], fast);
    const full = new Error("disk full");
    await expect(
      pool.run(items(5), {
        onItem: () => {
          throw full;
        },
      }),
    ).rejects.toBe(full);
  });

  it("refuses members it cannot schedule", () => {
    expect(() => new EndpointPool([])).toThrow(/at least one/);
    const a = new ScriptedEngine("a");
    expect(() => new EndpointPool([member(a), member(a)])).toThrow(/own name/);
    expect(() => new EndpointPool([member(a, 0)])).toThrow(/concurrency/);
  });

  it("tells endpoint faults from item faults", () => {
    expect(failureScope(new EngineError("engine-crashed", "x"))).toBe("endpoint");
    expect(failureScope(new EngineError("prompt-too-long", "x"))).toBe("item");
    expect(failureScope(new EngineError("cancelled", "x"))).toBe("cancelled");
    expect(failureScope(new RemoteEngineError("unauthorized", "x"))).toBe("endpoint");
    expect(failureScope(new RemoteEngineError("prompt-refused", "x"))).toBe("item");
    expect(failureScope(new TypeError("surprise"))).toBe("endpoint");
  });
});
