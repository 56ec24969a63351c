import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClassificationResult } from "../../../shared/classify/result.ts";
import { presetPolicy, type Policy } from "../../../shared/taxonomy/index.ts";
import { LATEST_SCHEMA_VERSION, openStore, StoreError, type GuardbenchStore, type Migration, migrations } from "../../../electron/store/index.ts";
import { resultWithScore } from "../../fixtures/storedResults.ts";
import { REPO_ROOT } from "../../support/paths.ts";

let home: string;
let dbPath: string;
const opened: GuardbenchStore[] = [];

function open(options: Parameters<typeof openStore>[1] = {}): GuardbenchStore {
  const store = openStore(dbPath, options);
  opened.push(store);
  return store;
}

function storeErrorOf(run: () => unknown): StoreError {
  try {
    run();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error("expected a StoreError");
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "guardbench-store-"));
  dbPath = join(home, "guardbench.db");
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(home, { recursive: true, force: true });
});

const renamed = (policy: Policy, name: string): Policy => ({ ...policy, name });

describe("the store", () => {
  it("creates the database in WAL mode at the latest schema version", () => {
    open().close();
    opened.pop();
    const raw = new Database(dbPath, { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(raw.pragma("user_version", { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(["policies", "classifications"]));
    } finally {
      raw.close();
    }
  });

  it("applies only the migrations a database has not had yet", () => {
    open().close();
    opened.pop();
    const added: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      description: "a later issue's table",
      up: (db) => db.exec("CREATE TABLE later_feature (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
    };
    // Reopening with one more migration runs that one alone (re-running version 1 would fail: its tables exist).
    open({ migrations: [...migrations, added] });
    const raw = new Database(dbPath, { readonly: true });
    try {
      expect(raw.pragma("user_version", { simple: true })).toBe(LATEST_SCHEMA_VERSION + 1);
      expect(raw.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'later_feature'").get()).toEqual({ n: 1 });
    } finally {
      raw.close();
    }
  });

  it("is migrated once when several processes open the new database at the same moment", async () => {
    const goFile = join(home, "go");
    const children = Array.from({ length: 3 }, () =>
      spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test", "fixtures", "openStoreProcess.ts"), dbPath, goFile], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] }),
    );
    const outputs = children.map((child) => {
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      return { text: () => output, exited };
    });
    // Every process has loaded and waits; then all open together, and the slowed first migration keeps the others
    // waiting for the write lock after they read the schema version.
    while (!outputs.every((output) => output.text().includes("ready"))) await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(goFile, "");
    await Promise.all(outputs.map((output) => output.exited));
    expect(outputs.map((output) => output.text())).toEqual(children.map(() => "ready\nopened\n"));
    const raw = new Database(dbPath, { readonly: true });
    try {
      expect(raw.pragma("user_version", { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    } finally {
      raw.close();
    }
  }, 60_000);

  it("refuses a database from a newer Guardbench", () => {
    const raw = new Database(dbPath);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    const error = storeErrorOf(() => open());
    expect(error.code).toBe("database-too-new");
    expect(error.message).toContain(dbPath);
  });

  it("keeps every saved version of a policy and survives reopening", () => {
    const store = open();
    const first = presetPolicy("llama-guard-3-8b");
    const edited: Policy = { ...first, categories: first.categories.map((c) => (c.code === "S6" ? { ...c, enabled: false } : c)) };
    expect(store.policies.save(renamed(first, "team"))).toMatchObject({ name: "team", version: 1 });
    expect(store.policies.save(renamed(edited, "team"))).toMatchObject({ name: "team", version: 2 });
    expect(store.policies.save(renamed(first, "other"))).toMatchObject({ name: "other", version: 1 });
    store.close();
    opened.pop();

    const reopened = open();
    expect(reopened.policies.list().map((p) => [p.name, p.latestVersion, p.versions.length])).toEqual([
      ["other", 1, 1],
      ["team", 2, 2],
    ]);
    expect(reopened.policies.get("team", 1).policy).toEqual(renamed(first, "team"));
    expect(reopened.policies.get("team").version).toBe(2);
    expect(reopened.policies.get("team").policy.categories.find((c) => c.code === "S6")?.enabled).toBe(false);
    expect(storeErrorOf(() => reopened.policies.get("team", 3))).toMatchObject({ code: "not-found", message: 'policy "team" has no version 3' });
  });

  it("records classifications and pages through them newest first", () => {
    const store = open();
    const policy = presetPolicy("llama-guard-3-1b");
    const ids = [1, 2, 3].map((n) =>
      store.history.add({
        turns: [{ role: "user", content: `question ${n}\nwith a second line` }],
        policy,
        modelPath: "/models/m.gguf",
        family: "llama-guard-3-1b",
        result: fakeResult(n === 2 ? "unsafe" : "safe"),
      }),
    );
    const firstPage = store.history.list({ limit: 2 });
    expect(firstPage.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    expect(firstPage.items[1]).toMatchObject({ verdict: "unsafe", categories: ["S3"], flagged: true, preview: "question 2 with a second line" });
    const secondPage = store.history.list({ limit: 2, beforeId: firstPage.nextBeforeId! });
    expect(secondPage).toEqual({ items: [expect.objectContaining({ id: ids[0] })] });
    const entry = store.history.get(ids[1]!);
    expect(entry.turns[0]!.content).toBe("question 2\nwith a second line");
    expect(entry.policy).toEqual(policy);
    expect(entry.result.pUnsafe).toBe(0.8);
    expect(storeErrorOf(() => store.history.get(999)).code).toBe("not-found");
  });

  it("reports a file that is not a SQLite database and leaves it untouched", () => {
    const content = "this is somebody's notes file, not a database\n".repeat(10);
    writeFileSync(dbPath, content);
    const error = storeErrorOf(() => open());
    expect(error.code).toBe("database-corrupt");
    expect(error.message).toContain(dbPath);
    expect(error.hint).toMatch(/Move or rename/);
    expect(readFileSync(dbPath, "utf8")).toBe(content);
  });

  it("reports a SQLite file with a damaged header and leaves it untouched", () => {
    open().close();
    opened.pop();
    const bytes = readFileSync(dbPath);
    bytes.write("garbage", 0, "latin1");
    writeFileSync(dbPath, bytes);
    expect(storeErrorOf(() => open()).code).toBe("database-corrupt");
    expect(readFileSync(dbPath).equals(bytes)).toBe(true);
  });

  it("reports a database another program holds exclusively, at open", () => {
    open().close();
    opened.pop();
    const holder = new Database(dbPath);
    try {
      // Exclusive locking mode keeps the lock after the first write, as a crashed or hostile program might.
      holder.pragma("locking_mode = EXCLUSIVE");
      holder.exec("BEGIN EXCLUSIVE; COMMIT;");
      const error = storeErrorOf(() => open({ busyTimeoutMs: 50 }));
      expect(error.code).toBe("database-locked");
      expect(error.message).toContain(dbPath);
      expect(error.hint).toMatch(/Close other Guardbench/);
    } finally {
      holder.close();
    }
  });

  it("reports a write blocked by another connection's transaction, and writes once it is released", () => {
    const store = open({ busyTimeoutMs: 50 });
    const holder = new Database(dbPath);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const error = storeErrorOf(() => store.policies.save(presetPolicy("llama-guard-2")));
      expect(error.code).toBe("database-locked");
      holder.exec("ROLLBACK");
      expect(store.policies.save(presetPolicy("llama-guard-2")).version).toBe(1);
    } finally {
      holder.close();
    }
  });
});

function fakeResult(verdict: "safe" | "unsafe"): ClassificationResult {
  return verdict === "unsafe" ? resultWithScore(0.8, ["S3"]) : resultWithScore(0.1);
}

describe("imports that never finished", () => {
  const item = (id: string) => ({ id, turns: [{ role: "user" as const, content: `item ${id}` }], categories: [] });
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000);
  const source = (name: string) => ({ name, sourcePath: `/data/${name}.jsonl`, sourceSha256: "c".repeat(64), format: "jsonl" as const });

  it("lose their items, and are listed as failed, at the next import once they have written nothing for an hour; one still writing is kept", () => {
    // Written from another machine sharing the home folder, whose processes cannot be asked whether they still run.
    const elsewhere = open({ processIdentity: { host: "another-machine", pid: 4242, token: "t" } });
    const killed = elsewhere.datasets.beginImport({ ...source("killed"), startedAt: hoursAgo(3) });
    elsewhere.datasets.addItems(killed, [item("a"), item("b")], 0, hoursAgo(2));
    const slow = elsewhere.datasets.beginImport({ ...source("slow"), startedAt: hoursAgo(3) });
    elsewhere.datasets.addItems(slow, [item("c")], 0, hoursAgo(0.25));

    const store = open();
    const next = store.datasets.beginImport(source("next"));
    store.datasets.addItems(next, [item("d")], 0);
    store.datasets.finishImport(next, { badRowCount: 0, badRows: [] });

    const raw = new Database(dbPath, { readonly: true });
    try {
      const datasets = raw.prepare("SELECT id FROM datasets ORDER BY id").all() as { id: number }[];
      expect(datasets.map((d) => d.id)).toEqual([killed, slow, next]);
      const items = raw.prepare("SELECT item_key FROM dataset_items ORDER BY id").all() as { item_key: string }[];
      expect(items.map((i) => i.item_key)).toEqual(["c", "d"]);
    } finally {
      raw.close();
    }
    expect(store.datasets.list().map((d) => d.name)).toEqual(["next"]);
    const failed = store.datasets.failedImports();
    expect(failed.map((f) => [f.datasetId, f.name])).toEqual([[killed, "killed"]]);
    expect(failed[0]!.reason).toBe("The import did not finish: it wrote nothing for over an hour. The 2 item(s) it had written were removed. Import the file again.");
    expect(store.datasets.dismissFailedImport(killed)).toBe(true);
    expect(store.datasets.failedImports()).toEqual([]);
    expect(store.datasets.dismissFailedImport(slow)).toBe(false);
  });

  it("refuse a writer that comes back after being taken for dead, so no half dataset ever becomes visible", () => {
    const frozen = open({ processIdentity: { host: "another-machine", pid: 4242, token: "t" } });
    const stale = frozen.datasets.beginImport({ ...source("frozen"), startedAt: hoursAgo(3) });
    frozen.datasets.addItems(stale, [item("a")], 0, hoursAgo(2));
    open().datasets.beginImport(source("other"));
    expect(() => frozen.datasets.addItems(stale, [item("b")], 1)).toThrow(/was taken for dead/);
    expect(() => frozen.datasets.finishImport(stale, { badRowCount: 0, badRows: [] })).toThrow(/was taken for dead/);
    expect(frozen.datasets.list().map((d) => d.name)).not.toContain("frozen");
  });
});

describe("JSON read back from SQLite", () => {
  /** One of everything that has a JSON column, with the ids to find it again. */
  function filledStore() {
    const store = open();
    const policy = presetPolicy("llama-guard-3-1b");
    store.policies.save(renamed(policy, "team"));
    const historyId = store.history.add({ turns: [{ role: "user", content: "hi" }], policy, modelPath: "/models/m.gguf", family: "llama-guard-3-1b", result: fakeResult("unsafe") });
    const datasetId = store.datasets.beginImport({ name: "mapped", sourcePath: "/data/mapped.csv", sourceSha256: "d".repeat(64), format: "csv", mapping: { prompt: "text", label: "is_harmful" } });
    store.datasets.addItems(datasetId, [
      { id: "a", turns: [{ role: "user", content: "first" }], label: "unsafe", categories: ["violence"] },
      { id: "b", turns: [{ role: "user", content: "second" }], label: "unsafe", categories: [], mlcommons: ["S1"] },
    ], 0);
    store.datasets.finishImport(datasetId, { badRowCount: 1, badRows: [{ row: 3, line: 4, reason: "no text" }] });
    const [a, b] = store.datasets.itemsWithLabels(datasetId);
    const label = store.labels.record(datasetId, "a", { label: "safe", categories: ["S2"], who: "tester" });
    const runId = store.runs.create({
      datasetId,
      model: { path: "/models/m.gguf", sha256: "e".repeat(64), sizeBytes: 1, family: "llama-guard-3-1b" },
      policy,
      settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1 },
      origin: "app",
    });
    store.runs.recordResult(runId, a!.rowId, { ok: true, result: fakeResult("unsafe") });
    store.runs.recordResult(runId, b!.rowId, { ok: false, error: { code: "engine-crashed", message: "the engine stopped" } });
    store.runs.setState(runId, "failed", { code: "model-changed", message: "the model file changed" });
    return { store, ids: { historyId, datasetId, runId, itemA: a!.rowId, itemB: b!.rowId, labelEvent: label.eventId } };
  }

  type Filled = ReturnType<typeof filledStore>;
  /** table, column, the row's key (as the message names it, and its WHERE clause), a read that goes through the column, JSON of the wrong shape, what the message says about it */
  const columns: Array<[string, string, (ids: Filled["ids"]) => [string | number, string], (filled: Filled) => unknown, string, RegExp]> = [
    ["policies", "json", () => ['"team" version 1', "name = 'team' AND version = 1"], ({ store }) => store.policies.get("team", 1), '{"name":"team"}', /family/],
    ["classifications", "conversation_json", (ids) => [ids.historyId, `id = ${ids.historyId}`], ({ store, ids }) => store.history.get(ids.historyId), '{"turns":[{"role":"wizard","content":"x"}]}', /turns\[0\]\.role: role must be user, assistant or system/],
    ["classifications", "policy_json", (ids) => [ids.historyId, `id = ${ids.historyId}`], ({ store, ids }) => store.history.get(ids.historyId), "[]", /expected object/],
    ["classifications", "result_json", (ids) => [ids.historyId, `id = ${ids.historyId}`], ({ store, ids }) => store.history.get(ids.historyId), '{"verdict":"maybe"}', /verdict: /],
    ["classifications", "categories_json", (ids) => [ids.historyId, `id = ${ids.historyId}`], ({ store }) => store.history.list(), "[1]", /\[0\]: .*expected string/],
    ["datasets", "bad_rows_json", (ids) => [ids.datasetId, `id = ${ids.datasetId}`], ({ store, ids }) => store.datasets.badRows(ids.datasetId), '[{"row":"three"}]', /\[0\]\.row: .*expected number/],
    ["datasets", "mapping_json", (ids) => [ids.datasetId, `id = ${ids.datasetId}`], ({ store }) => store.datasets.list(), '{"label":"x"}', /prompt: /],
    ["dataset_items", "turns_json", (ids) => [ids.itemA, `id = ${ids.itemA}`], ({ store, ids }) => store.datasets.item(ids.datasetId, "a"), '{"role":"user"}', /expected array/],
    ["dataset_items", "mlcommons_json", (ids) => [ids.itemB, `id = ${ids.itemB}`], ({ store, ids }) => store.datasets.itemsWithLabels(ids.datasetId), '"S1"', /expected array/],
    ["label_events", "categories_json", (ids) => [ids.labelEvent, `id = ${ids.labelEvent}`], ({ store, ids }) => store.labels.history(ids.itemA), '{"S2":true}', /expected array/],
    ["runs", "settings_json", (ids) => [ids.runId, `id = ${ids.runId}`], ({ store }) => store.runs.list(), '{"threshold":"high","topK":5,"check":"last","sequences":1}', /threshold: .*expected number/],
    ["runs", "policy_json", (ids) => [ids.runId, `id = ${ids.runId}`], ({ store, ids }) => store.runs.get(ids.runId), "{}", /name: /],
    ["runs", "stop_reason_json", (ids) => [ids.runId, `id = ${ids.runId}`], ({ store, ids }) => store.runs.get(ids.runId), '{"code":7}', /code: .*expected string/],
    ["results", "result_json", (ids) => [`run ${ids.runId}, item row ${ids.itemA}`, `run_id = ${ids.runId} AND item_id = ${ids.itemA}`], ({ store, ids }) => store.runs.result(ids.runId, ids.itemA), '{"verdict":"unsafe"}', /categories: /],
    ["results", "categories_json", (ids) => [`run ${ids.runId}, item row ${ids.itemA}`, `run_id = ${ids.runId} AND item_id = ${ids.itemA}`], ({ store, ids }) => store.runs.results(ids.runId), "null", /expected array/],
    ["results", "error_json", (ids) => [`run ${ids.runId}, item row ${ids.itemB}`, `run_id = ${ids.runId} AND item_id = ${ids.itemB}`], ({ store, ids }) => store.runs.results(ids.runId), '{"message":"x"}', /code: /],
  ];

  function overwrite(table: string, column: string, where: string, value: string): void {
    // Another connection, as a hand edit (or a damaged page) would be: the store's own never writes such a value.
    const raw = new Database(dbPath);
    try {
      raw.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${where}`).run(value);
    } finally {
      raw.close();
    }
  }

  it("reads every column back as it was written", () => {
    const filled = filledStore();
    for (const [, , , read] of columns) expect(() => read(filled)).not.toThrow();
    expect(filled.store.runs.get(filled.ids.runId)).toMatchObject({ settings: { threshold: 0.5, topK: 5, check: "last", sequences: 1 }, stopReason: { code: "model-changed" } });
    expect(filled.store.datasets.summary(filled.ids.datasetId).mapping).toEqual({ prompt: "text", label: "is_harmful" });
  });

  it.each(columns)("names %s.%s, its row and the problem when the column is not JSON", (table, column, key, read) => {
    const filled = filledStore();
    const [row, where] = key(filled.ids);
    overwrite(table, column, where, "{not json");
    const error = storeErrorOf(() => read(filled));
    expect(error.code).toBe("row-invalid");
    expect(error.message).toContain(`the ${column} of ${table} row ${row} in ${dbPath} is not valid JSON (`);
    expect(error.hint).toBeTruthy();
  });

  it.each(columns)("names %s.%s, its row and what is wrong when the column holds another shape", (table, column, key, read, wrongShape, problem) => {
    const filled = filledStore();
    const [row, where] = key(filled.ids);
    overwrite(table, column, where, wrongShape);
    const error = storeErrorOf(() => read(filled));
    expect(error.code).toBe("row-invalid");
    expect(error.message).toContain(`the ${column} of ${table} row ${row} in ${dbPath} does not hold what Guardbench stores there: `);
    expect(error.message).toMatch(problem);
  });
});
