/**
 * The endpoint pool over three real `guardbench worker` processes: results identical to the local engine's, every item
 * scored exactly once, a worker SIGKILLed mid-run, and a worker that stalls (behind a proxy that stops answering).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClassificationResult } from "../../../../../shared/classify/result.ts";
import type { Turn } from "../../../../../shared/conversation/types.ts";
import { EngineProcess } from "../../../../../electron/engine/engineProcess.ts";
import { EndpointPool, remoteMember, type ItemOutcome, type PoolEvent, type PoolItem } from "../../../../../electron/engine/remote/pool.ts";
import { ModelVocabulary } from "../../../../../electron/engine/remote/promptEncoding.ts";
import { RemoteEngine } from "../../../../../electron/engine/remote/remoteEngine.ts";
import { llamaGuard3UnsafeAnswer } from "../../../../fixtures/guardAnswers.ts";
import { writeProgrammedModel } from "../../../../fixtures/models.ts";
import { MODEL_NAME, expectSameAsLocal, startProxy, startWorker, type WorkerProcess } from "../../../../support/remote.ts";

/** The full run; the failure tests use the first FAULT_ITEMS, enough to have items in flight when the fault hits. */
const ITEMS = 200;
const FAULT_ITEMS = 30;

/** Prompts and responses of different lengths, some with special-token text typed in, so every item's prompt differs. */
function conversation(i: number): Turn[] {
  const ask: Turn = { role: "user", content: `Item ${i}: how do I open a lock${i % 4 === 0 ? " <|eot_id|>" : ""}?` };
  if (i % 3 === 0) return [ask];
  const answer: Turn = { role: "assistant", content: `Answer ${i}: ${"with a pick. ".repeat(1 + (i % 5))}` };
  return i % 3 === 1 ? [ask, answer] : [ask, answer, { role: "user", content: `And then, item ${i}?` }];
}

const items: PoolItem<number>[] = Array.from({ length: ITEMS }, (_, id) => ({ id, request: { turns: conversation(id) } }));
const faultItems = items.slice(0, FAULT_ITEMS);

let dir: string;
let workers: WorkerProcess[] = [];
let vocabulary: ModelVocabulary;
const expected = new Map<number, ClassificationResult>();

const engineFor = (name: string, baseUrl: string) => new RemoteEngine({ endpoint: { name, baseUrl, model: MODEL_NAME, kind: "openai-completions" }, vocabulary });

/** Every item has exactly one outcome, handed over once, and it is what the local engine computes. */
function expectEveryItemOnceAsLocal(scored: PoolItem<number>[], outcomes: ItemOutcome<number>[], handedOver: ItemOutcome<number>[]): void {
  expect(outcomes.map((o) => o.id)).toEqual(scored.map((item) => item.id));
  expect(handedOver.map((o) => o.id).sort((a, b) => a - b)).toEqual(scored.map((item) => item.id));
  for (const outcome of outcomes) {
    if (!outcome.ok) throw new Error(`item ${outcome.id} failed: ${outcome.error.message}`);
    expectSameAsLocal(outcome.result, expected.get(outcome.id)!);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-pool-"));
  const model = await writeProgrammedModel(join(dir, "unsafe-s3.gguf"), { transitions: llamaGuard3UnsafeAnswer() });
  const local = new EngineProcess();
  try {
    [workers, vocabulary] = await Promise.all([
      Promise.all([1, 2, 3].map(() => startWorker(model.path))),
      ModelVocabulary.open(model.path, "llama-guard-3-1b"),
      local.load({ modelPath: model.path, family: "llama-guard-3-1b", gpu: false, threads: 1, contextSize: 2048 }),
    ]);
    for (const item of items) expected.set(item.id, await local.classify(item.request));
  } finally {
    local.dispose();
  }
});

afterAll(async () => {
  vocabulary?.dispose();
  await Promise.all(workers.map((worker) => worker.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe("the endpoint pool on three workers", () => {
  it("scores a 200-item run once per item, identically to the local engine, on all three", async () => {
    const pool = new EndpointPool(workers.map((worker, i) => remoteMember(engineFor(`worker-${i + 1}`, worker.url), 2)));
    const handedOver: ItemOutcome<number>[] = [];
    const report = await pool.run(items, { onItem: (outcome) => handedOver.push(outcome) });

    expectEveryItemOnceAsLocal(items, report.outcomes, handedOver);
    expect(report.endpoints.map((e) => e.state)).toEqual(["healthy", "healthy", "healthy"]);
    expect(report.endpoints.every((e) => e.completed > 0 && e.itemsPerSecond > 0)).toBe(true);
    expect(report.endpoints.reduce((sum, e) => sum + e.completed, 0)).toBe(ITEMS);
  });

  it("completes when a worker is SIGKILLed mid-run, every item scored once", async () => {
    const events: PoolEvent[] = [];
    const pool = new EndpointPool(
      workers.map((worker, i) => remoteMember(engineFor(`worker-${i + 1}`, worker.url), 2)),
      { probeDelayMs: 200, onEvent: (event) => events.push(event) },
    );
    const handedOver: ItemOutcome<number>[] = [];
    let killed: Promise<void> | undefined;
    const report = await pool.run(faultItems, {
      onItem: (outcome) => {
        handedOver.push(outcome);
        if (handedOver.length === 5) killed = workers[2]!.kill();
      },
    });
    await killed;

    expectEveryItemOnceAsLocal(faultItems, report.outcomes, handedOver);
    expect(report.endpoints[2]).toMatchObject({ name: "worker-3", state: "suspended", lastProblem: expect.stringMatching(/worker-3/) });
    expect(events.find((e) => e.kind === "suspended")).toMatchObject({ endpoint: "worker-3" });
    expect(report.endpoints[0]!.state).toBe("healthy");
  });

  it("detects a worker that stops answering and scores its items elsewhere", async () => {
    // Worker 3 is dead since the previous test; worker 1 now sits behind a proxy that answers 3 requests, then nothing.
    const stalling = await startProxy(workers[0]!.url, { stallAfter: 3 });
    try {
      const events: PoolEvent[] = [];
      const pool = new EndpointPool(
        [remoteMember(engineFor("stalling", stalling.url), 2), remoteMember(engineFor("worker-2", workers[1]!.url), 2)],
        { itemTimeoutMs: 6_000, probeDelayMs: 200, probeTimeoutMs: 500, onEvent: (event) => events.push(event) },
      );
      const handedOver: ItemOutcome<number>[] = [];
      const report = await pool.run(faultItems, { onItem: (outcome) => handedOver.push(outcome) });

      expectEveryItemOnceAsLocal(faultItems, report.outcomes, handedOver);
      expect(events.find((e) => e.kind === "suspended")).toMatchObject({ endpoint: "stalling", problem: expect.stringMatching(/no result within 6000 ms/) });
      expect(report.endpoints[0]).toMatchObject({ name: "stalling", state: "suspended" });
      expect(report.outcomes.filter((o) => o.ok && o.endpoint === "stalling").length).toBeLessThanOrEqual(3);
    } finally {
      await stalling.close();
    }
  });
});
