/**
 * Killing the process at the worst moment: real child processes (`guardbench run`, a labeling session through AppHost),
 * killed with SIGKILL while they write, then the store is read back and the work resumed. No timing is asserted: the
 * tests wait for what the child printed, and the child prints a result or a label only after it is committed.
 */
import Database from "better-sqlite3";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importIntoStore } from "../../../electron/datasets/storeImport.ts";
import { databasePathFor, openStore } from "../../../electron/store/index.ts";
import type { ProgrammedModel } from "../../fixtures/models.ts";
import { numberedRows, writeDataset, writeUnsafeS3Model } from "../../support/runs.ts";

const execFileAsync = promisify(execFile);
const bin = join(process.cwd(), "bin", "guardbench.js");
const ITEMS = 40;

let dir: string;
let model: ProgrammedModel;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-crash-"));
  model = await writeUnsafeS3Model(join(dir, "guard.gguf"));
  // Long prompts, so that scoring 40 items takes seconds while the kill follows the third result at once.
  await writeDataset(join(dir, "forty.jsonl"), numberedRows(ITEMS, 250));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runArgs = () => ["run", "--dataset", "forty.jsonl", "--model", model.path, "--family", "llama-guard-3-1b", "--cpu", "--threads", "1", "--sequences", "2"];

function envFor(home: string): NodeJS.ProcessEnv {
  return { ...process.env, GUARDBENCH_HOME: home };
}

/** Reads the child's stdout line by line; SIGKILLs it as soon as `enough` lines have come. Resolves once it has exited. */
async function killAfterLines(child: ChildProcess, enough: number): Promise<{ lines: string[]; signal: NodeJS.Signals | null; stderr: string }> {
  const lines: string[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  const reader = createInterface({ input: child.stdout! });
  reader.on("line", (line) => {
    lines.push(line);
    if (lines.length === enough) child.kill("SIGKILL");
  });
  const signal = await exited;
  return { lines, signal, stderr };
}

interface ResultRow {
  id: number;
  item_key: string;
  finished_at: string;
  score: number | null;
}

function storedResults(home: string): ResultRow[] {
  const db = new Database(databasePathFor(home), { readonly: true });
  try {
    return db
      .prepare("SELECT r.id, i.item_key, r.finished_at, r.score FROM results r JOIN dataset_items i ON i.id = r.item_id ORDER BY i.position")
      .all() as ResultRow[];
  } finally {
    db.close();
  }
}

describe("guardbench run killed mid-run", () => {
  it("keeps every finished result, and the same command resumes without scoring any item twice", async () => {
    const home = join(dir, "home-run");
    const child = spawn(process.execPath, [bin, ...runArgs()], { cwd: dir, env: envFor(home), stdio: ["ignore", "pipe", "pipe"] });
    const killed = await killAfterLines(child, 3);
    expect(killed.signal).toBe("SIGKILL");

    const before = storedResults(home);
    expect(before.length, "the run finished before it could be killed; the dataset is too quick to score").toBeLessThan(ITEMS);
    // Every line printed was a committed result (and maybe a few more were committed but not printed).
    const printedIds = killed.lines.map((line) => (JSON.parse(line) as { id: string }).id);
    expect(before.map((row) => row.item_key)).toEqual(expect.arrayContaining(printedIds));
    const store = openStore(databasePathFor(home));
    try {
      expect(store.runs.list().map((run) => [run.state, run.counts.scored])).toEqual([["running", before.length]]);
    } finally {
      store.close();
    }

    const resumed = await execFileAsync(process.execPath, [bin, ...runArgs()], { cwd: dir, env: envFor(home), maxBuffer: 1 << 24 });
    expect(resumed.stderr).toContain(`continuing run 1: ${before.length} of ${ITEMS} item(s) already have a result`);
    // The classifications this invocation made: exactly the items without a result.
    expect(resumed.stderr).toContain(`run 1 done: ${ITEMS} scored, 0 failed; ${ITEMS - before.length} classified now, ${before.length} from earlier`);

    const after = storedResults(home);
    expect(after).toHaveLength(ITEMS);
    // The results stored before the kill are the same rows, untouched.
    expect(after.filter((row) => before.some((b) => b.id === row.id))).toEqual(before);
    // Standard output holds the whole run, each item once: the stored results first, then the new ones.
    const ids = resumed.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { id: string }).id);
    expect(new Set(ids).size).toBe(ITEMS);
    expect(ids.slice(0, before.length)).toEqual(before.map((row) => row.item_key));
  });

  it("writes --out only once the run is complete, and refuses to continue with a changed model file", async () => {
    const home = join(dir, "home-out");
    const outPath = join(dir, "out.jsonl");
    const child = spawn(process.execPath, [bin, ...runArgs(), "--out", outPath], { cwd: dir, env: envFor(home), stdio: ["ignore", "pipe", "pipe"] });
    await killAfterLines(child, 2);
    await expect(readFile(outPath, "utf8")).rejects.toMatchObject({ code: "ENOENT" });

    const original = await readFile(model.path);
    try {
      // Same path, other bytes: a retrained or re-quantised file copied over the old one.
      await writeFile(model.path, Buffer.concat([original, Buffer.from("extra")]));
      const refused = await execFileAsync(process.execPath, [bin, ...runArgs(), "--out", outPath], { cwd: dir, env: envFor(home) }).catch((error: { code: number; stderr: string }) => error);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/the model changed: .*guard\.gguf is not the file run 1 started with.*\n.*--new-run/) });
    } finally {
      await writeFile(model.path, original);
    }
    const completed = await execFileAsync(process.execPath, [bin, ...runArgs(), "--out", outPath], { cwd: dir, env: envFor(home), maxBuffer: 1 << 24 });
    expect(completed.stderr).toContain(`run 1 done: ${ITEMS} scored`);
    const lines = (await readFile(outPath, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { id: string; label: string; score: number; verdict: string });
    expect(lines.map((line) => line.id)).toEqual(numberedRows(ITEMS).map((row) => row.id));
    expect(lines[1]).toMatchObject({ id: "item-001", label: "unsafe", verdict: "unsafe", categories: ["S3"], flagged: true });
  });
});

describe("a labeling session killed mid-write", () => {
  it("keeps every label it acknowledged", async () => {
    const home = join(dir, "home-labels");
    const store = openStore(databasePathFor(home));
    let datasetId: number;
    try {
      await writeDataset(join(dir, "ten.jsonl"), numberedRows(10, 8));
      datasetId = (await importIntoStore(store, { path: join(dir, "ten.jsonl") })).dataset.id;
    } finally {
      store.close();
    }
    const itemIds = numberedRows(10).map((row) => row.id);
    const child = spawn(process.execPath, ["--import", "tsx", join(process.cwd(), "test", "fixtures", "labelingProcess.ts"), home, String(datasetId), ...itemIds], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const killed = await killAfterLines(child, 60);
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    const acknowledged = killed.lines.filter((line) => line.startsWith("ack ")).map((line) => {
      const [, eventId, itemId, label] = line.split(" ");
      return { eventId: Number(eventId), itemId: itemId!, label: label! };
    });
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);

    const reopened = openStore(databasePathFor(home));
    try {
      const stored = new Map(itemIds.flatMap((itemId) => reopened.labels.history(reopened.datasets.itemRowId(datasetId, itemId))).map((event) => [event.eventId, event]));
      for (const ack of acknowledged) expect(stored.get(ack.eventId), `label event ${ack.eventId}`).toMatchObject({ itemId: ack.itemId, label: ack.label, who: "crash-test" });
    } finally {
      reopened.close();
    }
  });
});

describe("a database that cannot be used", () => {
  it("stops guardbench run with the reason and a way out, and leaves a corrupt file untouched", async () => {
    const home = join(dir, "home-corrupt");
    const content = "not a database, but somebody's notes\n".repeat(20);
    await mkdir(home, { recursive: true });
    await writeFile(databasePathFor(home), content);
    const failed = await execFileAsync(process.execPath, [bin, ...runArgs()], { cwd: dir, env: envFor(home) }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/is not a usable Guardbench database .* it was left untouched\nMove or rename that file/) });
    expect(await readFile(databasePathFor(home), "utf8")).toBe(content);
  });
});
