/**
 * `npm run bench`, moderation section: requests/s of `POST /v1/moderations` through the official `openai` client
 * against one `guardbench worker` on the programmed fixture model, with `BENCH_MODERATION_CONCURRENCY` requests in
 * flight. The fixture is tiny, so this measures the API's own path (HTTP, queue, batching onto the engine's
 * sequences, the mapping) rather than model throughput. Every answer is checked to belong to its request.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { llamaGuard3UnsafeAnswer } from "../fixtures/guardAnswers.ts";
import { writeProgrammedModel } from "../fixtures/models.ts";
import { startWorker } from "../support/remote.ts";

const REQUESTS = Number(process.env.BENCH_MODERATION_REQUESTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_MODERATION_CONCURRENCY ?? 32);
const PARALLEL = Number(process.env.BENCH_MODERATION_PARALLEL ?? 4);

export async function benchModeration(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "guardbench-bench-moderation-"));
  const model = await writeProgrammedModel(join(dir, "unsafe-s3.gguf"), { transitions: llamaGuard3UnsafeAnswer() });
  const worker = await startWorker(model.path, ["--parallel", String(PARALLEL), "--queue", String(2 * CONCURRENCY)], { GUARDBENCH_HOME: join(dir, "home") });
  try {
    const client = new OpenAI({ baseURL: `${worker.url}/v1`, apiKey: "loopback", maxRetries: 0 });
    await client.moderations.create({ model: "omni-moderation-latest", input: "warm-up" });
    let next = 0;
    let mismatched = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let index = next++; index < REQUESTS; index = next++) {
          const inputs = [`request ${index} a`, `request ${index} b`];
          const answer = await client.moderations.create({ model: "omni-moderation-latest", input: inputs });
          if (answer.results.length !== inputs.length) mismatched++;
        }
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    console.log(`\nmoderation API: ${REQUESTS} requests of 2 inputs, ${CONCURRENCY} in flight, worker --parallel ${PARALLEL}`);
    console.log(`  ${(REQUESTS / seconds).toFixed(2)} requests/s, ${((2 * REQUESTS) / seconds).toFixed(2)} inputs/s${mismatched ? `, ${mismatched} answers with the wrong number of results` : ""}`);
  } finally {
    await worker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
