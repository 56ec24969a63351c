/**
 * `npm run bench`, engine overhead: the programmed fixture model (models.ts: one block of width 64, the real 128k Llama 3
 * vocabulary, answering `\n\nunsafe\nS3` like Llama Guard 3), where a forward pass costs next to nothing, so what an
 * item costs is the engine's own work: logits copied out of llama.cpp and softmaxed, context and slot bookkeeping,
 * messages between processes, SQLite. On a GPU, where a 1B forward pass takes milliseconds, this is the whole cost.
 *
 *   - `guardbench run` itself (a child process, 4 sequences, results stored in SQLite): items/s between its first and
 *     last result line, so start-up and model load are not counted
 *   - the engine worker directly (EngineProcess, 4 sequences, 4 in flight), with a batch run's options (token details
 *     deferred where no stored number needs them) and with every token's details (what every run did before)
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClassifyOptions } from "../../shared/classify/result.ts";
import type { Turn } from "../../shared/conversation/types.ts";
import { EngineProcess } from "../../electron/engine/engineProcess.ts";
import { llamaGuard3UnsafeAnswer } from "../fixtures/guardAnswers.ts";
import { writeProgrammedModel } from "../fixtures/models.ts";

const ITEMS = Number(process.env.BENCH_TINY_ITEMS ?? 200);
const SEQUENCES = 4;
const THREADS = Number(process.env.BENCH_TINY_THREADS ?? 1);
const FAMILY = "llama-guard-3-1b";

export interface TinyModelNumbers {
  cliItemsPerSecond: number;
  deferredMsPerItem: number;
  everyDetailMsPerItem: number;
}

export async function benchTinyModel(): Promise<TinyModelNumbers> {
  const dir = await mkdtemp(join(tmpdir(), "guardbench-bench-tiny-"));
  const engine = new EngineProcess();
  try {
    const modelPath = (await writeProgrammedModel(join(dir, "fixture.gguf"), { transitions: llamaGuard3UnsafeAnswer() })).path;
    const lines = (await readFile(new URL("../../electron/datasets/demo/xstest/xstest.jsonl", import.meta.url), "utf8")).split("\n").filter(Boolean);
    if (lines.length < ITEMS) throw new Error(`the demo dataset has ${lines.length} items; BENCH_TINY_ITEMS is ${ITEMS}`);
    const items = lines.slice(0, ITEMS).map((line) => (JSON.parse(line) as { messages: Turn[] }).messages);
    console.log(`\nEngine overhead: ${ITEMS} XSTest conversations on the programmed fixture model (width 64, 128k vocabulary), CPU, ${THREADS} thread(s), ${SEQUENCES} sequences`);

    await engine.load({ modelPath, family: FAMILY, gpu: false, threads: THREADS, contextSize: 2048, sequences: SEQUENCES });
    const arms: Array<{ label: string; options: ClassifyOptions; ms: number }> = [
      { label: "engine, batch-run options (details deferred)", options: { deferTokenDetails: true }, ms: 0 },
      { label: "engine, every token's details", options: {}, ms: 0 },
    ];
    for (const arm of arms) await inPool(items.slice(0, SEQUENCES), SEQUENCES, (turns) => engine.classify({ turns }, arm.options));
    const round = SEQUENCES * 4;
    for (let start = 0; start < items.length; start += round) {
      for (const arm of arms) {
        const started = performance.now();
        await inPool(items.slice(start, start + round), SEQUENCES, (turns) => engine.classify({ turns }, arm.options));
        arm.ms += performance.now() - started;
      }
    }
    for (const arm of arms) console.log(`${arm.label.padEnd(48)} ${(arm.ms / items.length).toFixed(1).padStart(6)} ms/item  ${((1000 * items.length) / arm.ms).toFixed(1).padStart(6)} items/s`);
    engine.dispose();

    const datasetPath = join(dir, "items.jsonl");
    await writeFile(datasetPath, `${lines.slice(0, ITEMS).join("\n")}\n`);
    const cliItemsPerSecond = await cliRun(dir, datasetPath, modelPath);
    console.log(`${"guardbench run (SQLite, 4 sequences)".padEnd(48)} ${(1000 / cliItemsPerSecond).toFixed(1).padStart(6)} ms/item  ${cliItemsPerSecond.toFixed(1).padStart(6)} items/s (first to last result line)`);
    return { cliItemsPerSecond, deferredMsPerItem: arms[0]!.ms / items.length, everyDetailMsPerItem: arms[1]!.ms / items.length };
  } finally {
    engine.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Items per second between `guardbench run`'s first and last result line on standard output. */
async function cliRun(dir: string, datasetPath: string, modelPath: string): Promise<number> {
  const bin = join(process.cwd(), "bin", "guardbench.js");
  const args = [bin, "run", "--dataset", datasetPath, "--model", modelPath, "--family", FAMILY, "--sequences", String(SEQUENCES), "--threads", String(THREADS), "--cpu", "--new-run"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GUARDBENCH_HOME: join(dir, "home") } });
  const stamps: number[] = [];
  let pending = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const complete = pending.split("\n");
    pending = complete.pop()!;
    for (const line of complete) if (line.trim().startsWith("{")) stamps.push(performance.now());
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0 || stamps.length < 2) throw new Error(`guardbench run exited with ${code} after ${stamps.length} result lines: ${stderr.trim().split("\n").slice(-5).join("\n")}`);
  return (stamps.length - 1) / ((stamps.at(-1)! - stamps[0]!) / 1000);
}

/** Runs `score` over `items` with at most `parallel` in flight, each worker taking the next item as it finishes. */
export async function inPool<T>(items: readonly T[], parallel: number, score: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) await score(items[next++]!);
    }),
  );
}
