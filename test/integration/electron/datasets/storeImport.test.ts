/**
 * Dataset imports that cannot finish (issue #11): the disk fills up halfway — so that even removing what was written
 * fails — or the importing process is killed. What they wrote must not stay forever: the next start removes it and
 * shows the import as failed, while an import still running in another process is left alone. Real SQLite, real child
 * processes.
 */
import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppHost } from "../../../../electron/host/createAppHost.ts";
import { importIntoStore } from "../../../../electron/datasets/storeImport.ts";
import { databasePathFor, openStore, StoreError, THIS_PROCESS } from "../../../../electron/store/index.ts";
import { value } from "../../../support/runs.ts";

let dir: string;
let bigFile: string;
const BIG_ROWS = 200_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-imports-"));
  bigFile = join(dir, "big.jsonl");
  const rows = Array.from({ length: BIG_ROWS }, (_, i) => JSON.stringify({ id: `r${i}`, messages: [{ role: "user", content: `question number ${i}` }], label: i % 2 ? "safe" : "unsafe" }));
  await writeFile(bigFile, `${rows.join("\n")}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rawCount(home: string, sql: string): number {
  const db = new Database(databasePathFor(home), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const itemsStored = (home: string) => rawCount(home, "SELECT COUNT(*) AS n FROM dataset_items");

/**
 * The disk fills up under the store: SQLite may grow the database by only a few more pages (`max_page_count`, so its
 * inserts fail with its own SQLITE_FULL), and a removal — which needs room in the write-ahead log on a really full disk —
 * fails with the same error, until `free()`.
 */
function fillDisk(store: ReturnType<typeof openStore>): { free(): void } {
  const db = (store.datasets as unknown as { db: Database.Database }).db;
  const pages = db.pragma("page_count", { simple: true }) as number;
  db.pragma(`max_page_count = ${pages + 40}`);
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    if (/^\s*DELETE/i.test(sql)) throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    return prepare(sql);
  }) as typeof db.prepare;
  return {
    free: () => {
      db.prepare = prepare;
      db.pragma("max_page_count = 1073741823");
    },
  };
}

describe("an import that fills the disk", () => {
  it("reports the disk-full error, and the next start removes what it wrote and lists it as failed", async () => {
    const home = join(dir, "disk-full");
    const store = openStore(databasePathFor(home));
    fillDisk(store);
    const error = await importIntoStore(store, { path: bigFile }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: "database-unavailable" });
    expect((error as StoreError).message).toMatch(/database or disk is full/);
    expect((error as StoreError).hint).toMatch(/free space.*it is removed, and the import listed as failed, when Guardbench next starts/);
    expect(store.datasets.list()).toEqual([]);
    store.close();
    const written = itemsStored(home);
    expect(written).toBeGreaterThan(0);

    // The next start: another process (same machine, same pid as the dead one by chance, but not the same process).
    const later = openStore(databasePathFor(home), { processIdentity: { ...THIS_PROCESS, token: "a later process" } });
    try {
      expect(itemsStored(home)).toBe(0);
      const failed = later.datasets.failedImports();
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ name: "big", sourcePath: bigFile });
      expect(failed[0]!.reason).toBe(
        `The import did not finish: the process importing it ended (it was closed or killed, or the disk was full). The ${written} item(s) it had written were removed. Import the file again.`,
      );
      expect(later.datasets.list()).toEqual([]);
    } finally {
      later.close();
    }

    // The app shows it as failed until it is dismissed.
    const app = createAppHost({ home, env: {}, transport: "websocket" });
    try {
      const api = app.host.client();
      const listed = value(await api.invoke("datasets:list", {}));
      expect(listed.datasets).toEqual([]);
      expect(listed.failedImports.map((f) => f.name)).toEqual(["big"]);
      expect(value(await api.invoke("datasets:dismiss-failed-import", { datasetId: listed.failedImports[0]!.datasetId }))).toEqual({ dismissed: true });
      expect(value(await api.invoke("datasets:list", {})).failedImports).toEqual([]);
    } finally {
      app.dispose();
    }
  });

  it("is cleaned up by the next import in the same session once the disk has room again", async () => {
    const home = join(dir, "disk-full-same-session");
    const store = openStore(databasePathFor(home));
    try {
      const disk = fillDisk(store);
      await expect(importIntoStore(store, { path: bigFile })).rejects.toMatchObject({ code: "database-unavailable" });
      const written = itemsStored(home);
      expect(written).toBeGreaterThan(0);
      disk.free();
      await writeFile(join(dir, "small.jsonl"), '{"id": "a", "messages": [{"role": "user", "content": "hi"}]}\n');
      const small = await importIntoStore(store, { path: join(dir, "small.jsonl") });
      expect(small.dataset.items).toBe(1);
      expect(itemsStored(home)).toBe(1);
      expect(store.datasets.failedImports().map((f) => [f.name, f.reason])).toEqual([
        ["big", `The import stopped with an error and could not clean up. The ${written} item(s) it had written were removed. Import the file again.`],
      ]);
    } finally {
      store.close();
    }
  });
});

/** Starts an import in its own process and resolves once it has committed at least one batch. */
async function importInChild(home: string): Promise<{ child: ChildProcess; lines: string[]; exited: Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(process.cwd(), "test", "fixtures", "importProcess.ts"), home, bigFile], { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    reader.on("line", (line) => {
      lines.push(line);
      if (line.startsWith("written ")) resolve();
    });
    child.once("exit", () => reject(new Error(`the import process ended before writing: ${stderr}`)));
  });
  return { child, lines, exited };
}

describe("an import whose process is killed", () => {
  it("is removed and listed as failed at the next start", async () => {
    const home = join(dir, "killed");
    const { child, exited } = await importInChild(home);
    child.kill("SIGKILL");
    await exited;
    expect(itemsStored(home)).toBeGreaterThan(0);
    expect(itemsStored(home)).toBeLessThan(BIG_ROWS);

    const store = openStore(databasePathFor(home));
    try {
      expect(itemsStored(home)).toBe(0);
      const failed = store.datasets.failedImports();
      expect(failed.map((f) => f.name)).toEqual(["big"]);
      expect(failed[0]!.reason).toMatch(/^The import did not finish: the process importing it ended/);
    } finally {
      store.close();
    }
  });

  it("but one still running in another process is left alone, and finishes", async () => {
    const home = join(dir, "alive");
    const { child, lines, exited } = await importInChild(home);
    // Frozen, not dead: its process still exists, as a slow import's does.
    child.kill("SIGSTOP");
    const written = itemsStored(home);
    const store = openStore(databasePathFor(home));
    try {
      expect(store.datasets.failedImports()).toEqual([]);
      expect(itemsStored(home)).toBe(written);
    } finally {
      store.close();
    }
    child.kill("SIGCONT");
    await exited;
    const done = lines.find((line) => line.startsWith("done "));
    expect(done).toBe(`done 1 ${BIG_ROWS}`);
    expect(itemsStored(home)).toBe(BIG_ROWS);
  });
});
