/**
 * `npm run bench`, last section: items/s through 1, 2 and 3 local `guardbench worker` processes (the endpoint pool,
 * as `guardbench run --endpoint` uses it) on the programmed fixture model, against the local engine scoring directly.
 * The fixture is tiny, so this measures correctness and the coordinator's own cost per item (HTTP, JSON, token-id
 * encoding, the pool's bookkeeping), not GPU throughput: on a machine with few cores, more workers share the same CPUs.
 *
 *   coordinator overhead per item = (ms/item through 1 worker, one request at a time) − (ms/item, local engine direct),
 *   and the coordinator process's own CPU time per item during the pool run
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClassificationResult } from "../../shared/classify/result.ts";
import type { Turn } from "../../shared/conversation/types.ts";
import { EngineProcess } from "../../electron/engine/engineProcess.ts";
import { EndpointPool, remoteMember, type PoolItem } from "../../electron/engine/remote/pool.ts";
import { ModelVocabulary } from "../../electron/engine/remote/promptEncoding.ts";
import { RemoteEngine } from "../../electron/engine/remote/remoteEngine.ts";
import { llamaGuard3UnsafeAnswer } from "../fixtures/guardAnswers.ts";
import { writeProgrammedModel } from "../fixtures/models.ts";
import { startWorkerProcess, type WorkerProcess } from "../support/workerProcess.ts";

const ITEMS = Number(process.env.BENCH_WORKER_ITEMS ?? 60);
const FAMILY = "llama-guard-3-1b";
const MODEL_NAME = "bench-fixture";

async function conversations(): Promise<Turn[][]> {
  const text = await readFile(new URL("../../electron/datasets/demo/xstest/xstest.jsonl", import.meta.url), "utf8");
  return text.split("\n").filter(Boolean).slice(0, ITEMS).map((line) => (JSON.parse(line) as { messages: Turn[] }).messages);
}

function sameAnswer(a: ClassificationResult, b: ClassificationResult): boolean {
  return a.verdict === b.verdict && JSON.stringify(a.categories) === JSON.stringify(b.categories) && Math.abs(a.pUnsafe - b.pUnsafe) < 1e-6;
}

export async function benchWorkers(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "guardbench-bench-workers-"));
  const workers: WorkerProcess[] = [];
  let vocabulary: ModelVocabulary | undefined;
  const local = new EngineProcess();
  try {
    const modelPath = (await writeProgrammedModel(join(dir, "fixture.gguf"), { transitions: llamaGuard3UnsafeAnswer() })).path;
    const items = await conversations();
    console.log(`\nScaling out: ${items.length} XSTest conversations on the programmed fixture model (tiny: this measures the coordinator, not inference), CPU, 1 thread per process`);
    [vocabulary] = await Promise.all([
      ModelVocabulary.open(modelPath, FAMILY),
      local.load({ modelPath, family: FAMILY, gpu: false, threads: 1, contextSize: 2048, sequences: 1 }),
      ...[1, 2, 3].map(async () => void workers.push(await startWorkerProcess(modelPath, { name: MODEL_NAME }))),
    ]);

    // Direct: the local engine, one item at a time (after one warm-up item).
    await local.classify({ turns: items[0]! });
    const expected: ClassificationResult[] = [];
    let started = performance.now();
    for (const turns of items) expected.push(await local.classify({ turns }));
    const directMs = (performance.now() - started) / items.length;
    console.log(`local engine, direct                 ${directMs.toFixed(1)} ms/item  ${(1000 / directMs).toFixed(1)} items/s`);

    const poolItems: PoolItem<number>[] = items.map((turns, id) => ({ id, request: { turns } }));
    let oneWorkerMs = 0;
    for (const count of [1, 2, 3]) {
      const engines = workers.slice(0, count).map((worker, i) => new RemoteEngine({ endpoint: { name: `worker-${i + 1}`, baseUrl: worker.url, kind: "openai-completions", model: MODEL_NAME }, vocabulary: vocabulary! }));
      const pool = new EndpointPool(engines.map((engine) => remoteMember(engine, 1)));
      await pool.run(poolItems.slice(0, count)); // warm-up: every worker has scored once
      started = performance.now();
      const cpuBefore = process.cpuUsage();
      const report = await pool.run(poolItems);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const coordinatorCpuMs = (cpu.user + cpu.system) / 1000 / items.length;
      for (const engine of engines) engine.dispose();
      const wrong = report.outcomes.filter((outcome) => !outcome.ok || !sameAnswer(outcome.result, expected[outcome.id]!)).length;
      if (report.outcomes.length !== items.length || wrong > 0) throw new Error(`${count} worker(s): ${wrong} item(s) differ from the local engine, ${items.length - report.outcomes.length} missing`);
      const perItemMs = wallMs / items.length;
      if (count === 1) oneWorkerMs = perItemMs;
      const shares = report.endpoints.map((endpoint) => endpoint.completed).join("/");
      console.log(`${count} worker${count > 1 ? "s" : " "}, 1 request each in flight   ${perItemMs.toFixed(1)} ms/item  ${(1000 / perItemMs).toFixed(1)} items/s  (items per worker ${shares}; coordinator CPU ${coordinatorCpuMs.toFixed(2)} ms/item; all ${items.length} identical to local)`);
    }
    console.log(`coordinator + HTTP overhead          ${(oneWorkerMs - directMs).toFixed(1)} ms/item (1 worker minus direct, per-category follow-up requests included; within ±noise of the scoring itself when near 0 or negative)`);
    console.log("coordinator CPU: this process's user+system time during the pool run (HTTP, JSON, the pool); token-id encoding runs in the vocabulary's engine child and is not included");
  } finally {
    local.dispose();
    vocabulary?.dispose();
    await Promise.all(workers.map((worker) => worker.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}
