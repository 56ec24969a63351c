/**
 * `npm run bench`, labelling section (also `BENCH_ONLY=labeling npm run bench`, or `npx tsx test/bench/labeling.ts`):
 * the review queue at dataset size. A dataset of BENCH_LABEL_ITEMS (default 100,000) items, 30 % of them imported
 * with a label, and a finished run with a score for every item, written straight into a fresh store; then
 *
 *   1. through AppHost (validation, handler, SQLite in WAL with synchronous=FULL, as the app runs it): opening the
 *      queue (its first page), a page far into it, "next unlabeled", and ms per label commit — the answer to
 *      `review:label` comes only once the label is committed, so this is the commit a reviewer waits for;
 *   2. in Chromium against `guardbench serve` on that store: the renderer's JS heap and DOM size with the queue open,
 *      and again after moving through pages across the whole queue (pages far from the current item are dropped, so it
 *      should stay flat), and the time from a key press to the screen showing its effect (next item; label saved).
 *
 * Timings are medians with the 95th percentile beside them; the machine is noisy, so nothing here is asserted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { chromium, type Page } from "playwright-core";
import type { DatasetItem } from "../../shared/datasets/index.ts";
import { presetPolicy } from "../../shared/taxonomy/index.ts";
import { databasePathFor } from "../../electron/store/index.ts";
import { resultWithScore } from "../fixtures/storedResults.ts";
import { startTestHost, value } from "../support/runs.ts";
import { median } from "./stats.ts";

const ITEMS = Number(process.env.BENCH_LABEL_ITEMS ?? 100_000);
const COMMITS = Number(process.env.BENCH_LABEL_COMMITS ?? 300);
const BATCH = 5_000;

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))]!;
const ms = (values: number[]) => `${median(values).toFixed(2)} ms (p95 ${p95(values).toFixed(2)} ms, ${values.length} samples)`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { value: result, ms: performance.now() - started };
}

function scoreOf(index: number): number {
  // Spread over [0, 1) without a pattern the queue could exploit.
  return ((index * 2654435761) % 1000) / 1000;
}

/** The dataset and a done run with a result per item, in a fresh home. */
async function buildStore(home: string): Promise<{ datasetId: number; runId: number; seconds: number }> {
  const started = performance.now();
  const test = startTestHost(home);
  const { store } = test;
  const datasetId = store.datasets.beginImport({ name: `bench-${ITEMS}`, sourcePath: "/bench/items.jsonl", sourceSha256: "c".repeat(64), format: "jsonl" });
  for (let first = 0; first < ITEMS; first += BATCH) {
    const items: DatasetItem[] = Array.from({ length: Math.min(BATCH, ITEMS - first) }, (_, offset) => {
      const index = first + offset;
      const label = index % 10 < 3 ? (index % 2 === 0 ? "unsafe" : "safe") : undefined;
      return { id: `item-${index}`, turns: [{ role: "user", content: `Bench question ${index}: how would someone get past a locked door without a key?` }], ...(label && { label }), categories: label === "unsafe" ? ["S2"] : [] };
    });
    store.datasets.addItems(datasetId, items, first);
  }
  store.datasets.finishImport(datasetId, { badRowCount: 0, badRows: [] });
  const runId = store.runs.create({
    datasetId,
    model: { path: "/models/bench.gguf", sha256: "a".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" },
    policy: presetPolicy("llama-guard-3-1b"),
    settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1 },
    origin: "app",
  });
  // One result through the store, to copy its stored shape; the rest in one transaction of a second connection.
  store.runs.recordResult(runId, store.datasets.itemRowId(datasetId, "item-0"), { ok: true, result: resultWithScore(scoreOf(0)) });
  store.runs.setState(runId, "done");
  test.dispose();
  const db = new Database(databasePathFor(home));
  const template = db.prepare("SELECT result_json, finished_at FROM results WHERE run_id = ?").get(runId) as { result_json: string; finished_at: string };
  const rows = db.prepare("SELECT id, position FROM dataset_items WHERE dataset_id = ? AND position > 0 ORDER BY position").all(datasetId) as { id: number; position: number }[];
  const insert = db.prepare("INSERT INTO results (run_id, item_id, score, verdict, categories_json, result_json, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const row of rows) {
      const score = scoreOf(row.position);
      insert.run(runId, row.id, score, score >= 0.5 ? "unsafe" : "safe", score >= 0.5 ? '["S3"]' : "[]", template.result_json, template.finished_at);
    }
  })();
  db.close();
  return { datasetId, runId, seconds: (performance.now() - started) / 1000 };
}

async function benchHost(home: string, datasetId: number, runId: number): Promise<void> {
  const test = startTestHost(home);
  const api = test.host.client();
  try {
    const queue = (extra: Record<string, unknown> = {}) => api.invoke("review:queue", { datasetId, runId, limit: 100, ...extra });
    const open = [];
    for (let i = 0; i < 5; i++) open.push((await timed(() => queue())).ms);
    const first = value(await queue());
    const far = [];
    for (let i = 0; i < 5; i++) far.push((await timed(() => queue({ offset: Math.floor(ITEMS / 2), asOf: first.asOf }))).ms);
    const seek = [];
    for (let i = 0; i < 5; i++) seek.push((await timed(() => api.invoke("review:next-unlabeled", { datasetId, runId, from: 2, asOf: first.asOf }))).ms);
    const commits: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      const itemId = `item-${(i * 331) % ITEMS}`;
      const { value: saved, ms: took } = await timed(() => api.invoke("review:label", { datasetId, itemId, label: i % 2 === 0 ? "unsafe" : "safe", categories: i % 2 === 0 ? ["S3"] : [], session: "bench" }));
      if (!saved.ok) throw new Error(saved.error.message);
      commits.push(took);
    }
    // What Evaluation asks after each label (labels:changed): the run's metrics, PR curve, histogram and categories.
    const metrics = async () => {
      const answer = await api.invoke("eval:metrics", { runId });
      if (!answer.ok) throw new Error(answer.error.message);
    };
    const firstMetrics = (await timed(metrics)).ms;
    const refreshes: number[] = [];
    for (let i = 0; i < 20; i++) {
      value(await api.invoke("review:label", { datasetId, itemId: `item-${(i * 7919) % ITEMS}`, label: i % 2 === 0 ? "safe" : "unsafe", session: "bench" }));
      refreshes.push((await timed(metrics)).ms);
    }
    const filtered = (offset: number) => queue({ offset, asOf: first.asOf, filter: { unlabeled: true } });
    const filteredFirst = (await timed(() => filtered(0))).ms;
    const snapshot = [];
    for (let i = 0; i < 5; i++) snapshot.push((await timed(() => filtered(100 * (i + 1)))).ms);
    console.log(`review queue at ${ITEMS.toLocaleString("en")} items, through AppHost (a page is 100 items):`);
    console.log(`  open the queue (first page, labels and run results joined)  ${ms(open)}`);
    console.log(`  a page half-way in, as of the first page                    ${ms(far)}`);
    console.log(`  next unlabeled item                                        ${ms(seek)}`);
    console.log(`  the unlabeled filter, as of before ${COMMITS} labels: first page ${filteredFirst.toFixed(0)} ms (every item read once), then a page ${ms(snapshot)}`);
    console.log(`  label commit (review:label answered = committed)           ${ms(commits)}`);
    console.log(`  metrics + PR curve + histogram: first ${firstMetrics.toFixed(0)} ms, after one label ${ms(refreshes)} (target ≤ 250 ms: ${median(refreshes) <= 250 ? "met" : "NOT met"})`);
  } finally {
    test.dispose();
  }
}

async function startServe(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(process.cwd(), "bin", "guardbench.js"), "serve", "--port", "0"], { env: { ...process.env, GUARDBENCH_HOME: home }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`guardbench serve exited (${code}):\n${output}`)));
  });
  return { child, url };
}

async function heap(page: Page): Promise<{ used: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("Performance.enable");
  const { metrics } = await cdp.send("Performance.getMetrics");
  const metric = (name: string) => metrics.find((entry) => entry.name === name)?.value ?? NaN;
  await cdp.detach();
  return { used: metric("JSHeapUsedSize"), nodes: metric("Nodes") };
}

async function benchRenderer(home: string, runId: number): Promise<void> {
  if (!existsSync(join(process.cwd(), "dist", "renderer", "index.html"))) throw new Error("the renderer is not built: run `npm run build` first");
  const { child, url } = await startServe(home);
  const browser = await chromium.launch({ executablePath: process.env.BENCH_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.getByRole("heading", { name: "Classify", level: 1 }).waitFor();
    const before = await heap(page);
    await page.keyboard.press("Alt+6");
    await page.getByRole("button", { name: `Review run ${runId}`, exact: true }).click();
    const progress = page.getByRole("status").filter({ hasText: / labelled$/ });
    await progress.waitFor();
    const current = (index: number) => page.getByRole("region", { name: `Item item-${index}`, exact: true });
    await current(0).waitFor();
    const open = await heap(page);

    // Moving: j, each waiting for the next item to show.
    const moves: number[] = [];
    for (let index = 1; index <= 60; index++) {
      const { ms: took } = await timed(async () => {
        await page.keyboard.press("j");
        await current(index).waitFor();
      });
      moves.push(took);
    }
    // Labelling: u, each waiting until its row shows the label saved.
    const labels: number[] = [];
    for (let index = 60; index < 100; index++) {
      const row = page.locator(`li[aria-posinset="${index + 1}"]`);
      const { ms: took } = await timed(async () => {
        await page.keyboard.press("u");
        await row.getByText(/^unsafe$/).waitFor();
      });
      labels.push(took);
    }
    // Across the whole queue: End, Home, and PageDown through many pages; twice, to see whether memory keeps growing.
    const travel = async () => {
      await page.keyboard.press("End");
      await current(ITEMS - 1).waitFor();
      for (let jump = 0; jump < 80; jump++) await page.keyboard.press("PageUp");
      await current(ITEMS - 801).waitFor();
      await page.keyboard.press("Home");
      await current(0).waitFor();
      for (let jump = 0; jump < 60; jump++) await page.keyboard.press("PageDown");
      await current(600).waitFor();
      return heap(page);
    };
    const travelled = await travel();
    const again = await travel();
    console.log(`\nrenderer (Chromium, guardbench serve) with the ${ITEMS.toLocaleString("en")}-item queue:`);
    console.log(`  JS heap: ${mib(before.used)} before opening Review, ${mib(open.used)} with the queue open, ${mib(travelled.used)} after End, 80 PageUps, Home and 60 PageDowns, ${mib(again.used)} after doing that again`);
    console.log(`  DOM nodes: ${before.nodes} before, ${open.nodes} with the queue open, ${travelled.nodes} and ${again.nodes} after moving (the list holds only the rows in view)`);
    console.log(`  key j → next item on screen     ${ms(moves)} (includes Playwright's round trips)`);
    console.log(`  key u → row shows the label saved ${ms(labels)} (includes Playwright's round trips)`);
  } finally {
    await browser.close();
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

export async function benchLabeling(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), "guardbench-bench-labeling-"));
  try {
    const { datasetId, runId, seconds } = await buildStore(home);
    console.log(`\nlabelling: a ${ITEMS.toLocaleString("en")}-item dataset with a run written in ${seconds.toFixed(1)} s`);
    await benchHost(home, datasetId, runId);
    if (process.env.BENCH_RENDERER !== "0") await benchRenderer(home, runId);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchLabeling();
