/**
 * Runs (one model + one policy version + settings over one dataset) and their results, one row per (run, item) written
 * as the item finishes. A scored item's row never changes afterwards: `recordResult` refuses to overwrite it, so a
 * resumed run can never score an item twice, whatever goes wrong in the run manager. A failed item's row (an error
 * instead of a score) may be replaced when the item is retried. The one later write to a scored row adds the token
 * details a batch run deferred (`recordTokenDetails`), once, when the result is first opened; no stored number changes.
 */
import type { z } from "zod";
import { classificationResultSchema, hasTokenDetails, type ClassificationResult, type DetailedToken } from "../../shared/classify/result.ts";
import { runSettingsSchema, type RunDeletion, type RunDetail, type RunSettings, type RunState, type RunSummary } from "../../shared/ipc/contract.ts";
import { resultErrorSchema, type ResultError } from "../../shared/ipc/index.ts";
import { policySchema, type PromptFamily } from "../../shared/taxonomy/index.ts";
import { effectiveSettings } from "../../shared/families/decision.ts";
import { canonicalJson } from "../../shared/format/canonicalJson.ts";
import { sameCustomGuard } from "../../shared/families/customGuard.ts";
import { familyOf } from "../../shared/families/registry.ts";
import type { SqliteDatabase } from "./database.ts";
import { StoreError } from "./errors.ts";
import { nextIdExpression } from "./retiredIds.ts";
import { parseStoredJson, storedTextListSchema } from "./storedJson.ts";

export interface NewRun extends Pick<RunDetail, "datasetId" | "model" | "policy" | "policyVersion" | "settings" | "origin"> {
  /** `guardbench run`'s identity of the invocation (electron/runs/cliRunKey.ts) */
  runKey?: string;
  createdAt?: Date;
}

/** A result as stored: the classification without the prompt text, which the run's policy and the item rebuild exactly. */
const storedClassificationSchema = classificationResultSchema.extend({ prompt: classificationResultSchema.shape.prompt.pick({ tokenCount: true }) });

export type StoredClassification = z.output<typeof storedClassificationSchema>;

export type ItemOutcomeRecord = { ok: true; result: ClassificationResult } | { ok: false; error: ResultError };

/** One result, short: what queues, metrics and exports read. */
export interface ResultLine {
  itemRowId: number;
  score?: number;
  verdict?: ClassificationResult["verdict"];
  categories?: string[];
  error?: ResultError;
}

interface ResultLineRow {
  item_id: number;
  score: number | null;
  verdict: ResultLine["verdict"] | null;
  categories_json: string | null;
  error_json: string | null;
}

export interface PendingItem {
  rowId: number;
  itemId: string;
}

interface RunRow {
  id: number;
  dataset_id: number;
  dataset_name: string;
  item_count: number;
  model_path: string;
  model_sha256: string;
  model_size: number;
  family: PromptFamily;
  policy_name: string;
  policy_version: number | null;
  policy_json: string;
  settings_json: string;
  state: RunState;
  stop_reason_json: string | null;
  origin: RunSummary["origin"];
  created_at: string;
  finished_at: string | null;
  name: string | null;
  note: string | null;
  scored: number;
  failed: number;
}

const RUN_COLUMNS = `
  SELECT r.*, d.name AS dataset_name, d.item_count,
         (SELECT COUNT(*) FROM results x WHERE x.run_id = r.id AND x.score IS NOT NULL) AS scored,
         (SELECT COUNT(*) FROM results x WHERE x.run_id = r.id AND x.error_code IS NOT NULL) AS failed
  FROM runs r JOIN datasets d ON d.id = r.dataset_id`;

/** A run as a deletion sees it: whether something may be scoring it. */
export interface RunActivity {
  id: number;
  state: RunState;
  /** the process scoring it, while one does (see RunRepository.claim) */
  ownerPid: number | null;
}

/** Called inside a deletion's transaction with the runs it would remove; throws to refuse the deletion. */
export type RunDeletionCheck = (runs: readonly RunActivity[]) => void;

/** The runs with this id, or of this dataset, as a deletion sees them. */
export function runActivity(db: SqliteDatabase, column: "id" | "dataset_id", id: number): RunActivity[] {
  const rows = db.prepare(`SELECT id, state, owner_pid FROM runs WHERE ${column} = ? ORDER BY id`).all(id) as Array<{ id: number; state: RunState; owner_pid: number | null }>;
  return rows.map((row) => ({ id: row.id, state: row.state, ownerPid: row.owner_pid }));
}

/** States a run ends in: they get a finish time. */
const FINAL_STATES: ReadonlySet<RunState> = new Set(["done", "cancelled"]);

export class RunRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Creates the run in state "running"; committed when this returns. */
  create(run: NewRun): number {
    const info = this.db
      .prepare(
        `INSERT INTO runs (id, dataset_id, model_path, model_sha256, model_size, family, policy_name, policy_version, policy_json, settings_json,
                           state, origin, run_key, created_at)
         VALUES (${nextIdExpression("runs")}, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(
        run.datasetId,
        run.model.path,
        run.model.sha256,
        run.model.sizeBytes,
        run.model.family,
        run.policy.name,
        run.policyVersion ?? null,
        JSON.stringify(run.policy),
        JSON.stringify(withFamilyDefaults(run.settings, run.model.family)),
        run.origin,
        run.runKey ?? null,
        (run.createdAt ?? new Date()).toISOString(),
      );
    return Number(info.lastInsertRowid);
  }

  get(runId: number): RunDetail {
    const row = this.row(runId);
    return { ...summaryOf(this.db, row), policy: parseStoredJson(this.db, policySchema, row.policy_json, { table: "runs", row: row.id, column: "policy_json" }, "Start a new run.") };
  }

  /** Newest first. */
  list(datasetId?: number): RunSummary[] {
    const rows = (
      datasetId === undefined
        ? this.db.prepare(`${RUN_COLUMNS} ORDER BY r.id DESC`).all()
        : this.db.prepare(`${RUN_COLUMNS} WHERE r.dataset_id = ? ORDER BY r.id DESC`).all(datasetId)
    ) as RunRow[];
    return rows.map((row) => summaryOf(this.db, row));
  }

  /**
   * Deletes the run and its results in one transaction; its dataset, the items and their labels stay. `check` sees the
   * run first, under the write lock (no process can start scoring it in between), and throws to refuse.
   */
  delete(runId: number, check: RunDeletionCheck): RunDeletion {
    return this.db
      .transaction((): RunDeletion => {
        this.row(runId);
        check(runActivity(this.db, "id", runId));
        const { results } = this.db.prepare("SELECT COUNT(*) AS results FROM results WHERE run_id = ?").get(runId) as { results: number };
        this.db.prepare("DELETE FROM runs WHERE id = ?").run(runId);
        return { runId, results };
      })
      .immediate();
  }

  /** The newest run `guardbench run` made for this identity. */
  findByKey(runKey: string): number | undefined {
    return (this.db.prepare("SELECT id FROM runs WHERE run_key = ? ORDER BY id DESC LIMIT 1").get(runKey) as { id: number } | undefined)?.id;
  }

  /** Runs in a state, oldest first (start-up resumes interrupted runs in the order they were started). */
  inState(state: RunState, origin: RunSummary["origin"]): number[] {
    return (this.db.prepare("SELECT id FROM runs WHERE state = ? AND origin = ? ORDER BY id").all(state, origin) as { id: number }[]).map((row) => row.id);
  }

  setState(runId: number, state: RunState, stopReason?: ResultError, now: Date = new Date()): void {
    this.db
      .prepare("UPDATE runs SET state = ?, stop_reason_json = ?, finished_at = ? WHERE id = ?")
      .run(state, stopReason ? JSON.stringify(stopReason) : null, FINAL_STATES.has(state) ? now.toISOString() : null, runId);
  }

  /**
   * Records who scored the run this session: the endpoints (added to those of earlier sessions, in order) and whether
   * the local engine took part.
   */
  recordScorers(runId: number, endpoints: readonly string[], includeLocal: boolean): void {
    this.db
      .transaction(() => {
        const settings = settingsOf(this.db, this.row(runId));
        const names = [...new Set([...(settings.endpoints ?? []), ...endpoints])];
        const next: RunSettings = { ...settings, endpoints: names, includeLocal: Boolean(settings.includeLocal) || includeLocal };
        this.db.prepare("UPDATE runs SET settings_json = ? WHERE id = ?").run(JSON.stringify(next), runId);
      })
      .immediate();
  }

  /**
   * The newest other run of the same dataset whose scores this run's would equal: the same model file (by content),
   * family and family settings (and custom guard), policy text, check and top-k, scored by the same engines (an endpoint's server computes its own float32
   * probabilities, and may serve another build of the model). The threshold is not part of it: it only decides which scores are flagged,
   * which every reader computes from the score (isFlagged), so a run that differs only by its threshold needs no
   * classification of its own.
   */
  scoringTwin(runId: number): number | undefined {
    const run = this.get(runId);
    const candidates = this.db
      .prepare(
        `SELECT id, policy_json, settings_json FROM runs
         WHERE dataset_id = ? AND model_sha256 = ? AND family = ? AND id <> ?
           AND EXISTS (SELECT 1 FROM results x WHERE x.run_id = runs.id AND x.score IS NOT NULL)
         ORDER BY id DESC`,
      )
      .all(run.datasetId, run.model.sha256, run.model.family, runId) as { id: number; policy_json: string; settings_json: string }[];
    const policy = canonicalJson(run.policy);
    const familySettings = canonicalJson(run.settings.familySettings ?? {});
    return candidates.find((candidate) => {
      const settings = storedSettings(this.db, candidate.id, candidate.settings_json, run.model.family);
      const candidatePolicy = parseStoredJson(this.db, policySchema, candidate.policy_json, { table: "runs", row: candidate.id, column: "policy_json" });
      return (
        settings.check === run.settings.check &&
        settings.topK === run.settings.topK &&
        canonicalJson(settings.familySettings ?? {}) === familySettings &&
        sameCustomGuard(settings.customGuard, run.settings.customGuard) &&
        sameScorers(settings, run.settings) &&
        canonicalJson(candidatePolicy) === policy
      );
    })?.id;
  }

  /**
   * Copies the scores `fromRunId` has for items this run has no result for (failures are not copied: they are scored
   * again), and notes the source in the run's settings. Returns how many were copied; committed when this returns.
   */
  copyScores(fromRunId: number, toRunId: number): number {
    return this.db
      .transaction(() => {
        const info = this.db
          .prepare(
            `INSERT INTO results (run_id, item_id, score, verdict, categories_json, result_json, error_code, error_json, finished_at)
             SELECT ?, x.item_id, x.score, x.verdict, x.categories_json, x.result_json, NULL, NULL, x.finished_at FROM results x
             WHERE x.run_id = ? AND x.score IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM results y WHERE y.run_id = ? AND y.item_id = x.item_id)`,
          )
          .run(toRunId, fromRunId, toRunId);
        if (info.changes > 0) {
          const settings: RunSettings = { ...settingsOf(this.db, this.row(toRunId)), scoresFrom: fromRunId };
          this.db.prepare("UPDATE runs SET settings_json = ? WHERE id = ?").run(JSON.stringify(settings), toRunId);
        }
        return info.changes;
      })
      .immediate();
  }

  /**
   * Sets the user's name and/or note (undefined: unchanged; "": removed, the name then is the generated one). Committed
   * when this returns.
   */
  setNameAndNote(runId: number, changes: { name?: string; note?: string }): void {
    this.row(runId);
    const value = (text: string | undefined) => (text === undefined ? undefined : text.trim() === "" ? null : text.trim());
    const name = value(changes.name);
    const note = value(changes.note);
    this.db
      .prepare("UPDATE runs SET name = CASE WHEN ? THEN ? ELSE name END, note = CASE WHEN ? THEN ? ELSE note END WHERE id = ?")
      .run(name !== undefined ? 1 : 0, name ?? null, note !== undefined ? 1 : 0, note ?? null, runId);
  }

  /** The run's settings with the concurrency the current engine gives it. */
  updateSequences(runId: number, sequences: number): void {
    const settings = { ...settingsOf(this.db, this.row(runId)), sequences };
    this.db.prepare("UPDATE runs SET settings_json = ? WHERE id = ?").run(JSON.stringify(settings), runId);
  }

  /**
   * Marks process `pid` as the one scoring the run, unless another process that is still alive already does (two
   * processes scoring one run would each score the items the other has not finished). Returns the holder when refused.
   */
  claim(runId: number, pid: number, isAlive: (pid: number) => boolean): { ok: true } | { ok: false; ownerPid: number } {
    return this.db
      .transaction((): { ok: true } | { ok: false; ownerPid: number } => {
        const owner = (this.db.prepare("SELECT owner_pid FROM runs WHERE id = ?").get(runId) as { owner_pid: number | null } | undefined)?.owner_pid ?? null;
        if (owner !== null && owner !== pid && isAlive(owner)) return { ok: false, ownerPid: owner };
        this.db.prepare("UPDATE runs SET owner_pid = ? WHERE id = ?").run(pid, runId);
        return { ok: true };
      })
      .immediate();
  }

  release(runId: number, pid: number): void {
    this.db.prepare("UPDATE runs SET owner_pid = NULL WHERE id = ? AND owner_pid = ?").run(runId, pid);
  }

  /** Items with no result yet (and, with `retryFailed`, those whose classification failed), in dataset order. */
  pendingItems(runId: number, options: { retryFailed: boolean }): PendingItem[] {
    this.row(runId);
    const rows = this.db
      .prepare(
        `SELECT i.id AS row_id, i.item_key FROM runs r
         JOIN dataset_items i ON i.dataset_id = r.dataset_id
         LEFT JOIN results x ON x.run_id = r.id AND x.item_id = i.id
         WHERE r.id = ? AND (x.id IS NULL OR (? AND x.error_code IS NOT NULL))
         ORDER BY i.position`,
      )
      .all(runId, options.retryFailed ? 1 : 0) as { row_id: number; item_key: string }[];
    return rows.map((row) => ({ rowId: row.row_id, itemId: row.item_key }));
  }

  /**
   * Stores one item's outcome; committed when this returns. Replaces only a failure: an item that already has a score
   * is never scored again, and trying is a `conflict` (a bug, reported rather than silently overwriting).
   */
  recordResult(runId: number, itemRowId: number, outcome: ItemOutcomeRecord, now: Date = new Date()): void {
    const { score, verdict, categories, result, errorCode, error } = outcome.ok
      ? { score: outcome.result.score, verdict: outcome.result.verdict, categories: JSON.stringify(outcome.result.categories), result: JSON.stringify(storedOf(outcome.result)), errorCode: null, error: null }
      : { score: null, verdict: null, categories: null, result: null, errorCode: outcome.error.code, error: JSON.stringify(outcome.error) };
    const info = this.db
      .prepare(
        `INSERT INTO results (run_id, item_id, score, verdict, categories_json, result_json, error_code, error_json, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, item_id) DO UPDATE SET
           score = excluded.score, verdict = excluded.verdict, categories_json = excluded.categories_json, result_json = excluded.result_json,
           error_code = excluded.error_code, error_json = excluded.error_json, finished_at = excluded.finished_at
         WHERE results.error_code IS NOT NULL`,
      )
      .run(runId, itemRowId, score, verdict, categories, result, errorCode, error, now.toISOString());
    if (info.changes !== 1) {
      throw new StoreError("conflict", `item row ${itemRowId} of run ${runId} already has a score; a run never scores an item twice`, "This is a bug in Guardbench. Please report it.");
    }
  }

  /**
   * Fills in the probability and alternatives of generated tokens that were stored without them. Only those: a token
   * that has its details keeps them, and tokens that are not the stored ones (another id at a position) are refused.
   */
  recordTokenDetails(runId: number, itemRowId: number, details: ReadonlyMap<number, DetailedToken>): StoredClassification {
    const stored = this.result(runId, itemRowId)?.result;
    if (!stored) throw new StoreError("not-found", `item row ${itemRowId} of run ${runId} has no stored result`, "Open an item that was scored.");
    const tokens = stored.tokens.map((token, position) => {
      const detail = details.get(position);
      if (!detail || hasTokenDetails(token)) return token;
      if (detail.id !== token.id) throw new StoreError("conflict", `token ${position} of item row ${itemRowId} in run ${runId} is ${token.id}, not ${detail.id}`, "This is a bug in Guardbench. Please report it.");
      return { ...token, p: detail.p, top: detail.top };
    });
    const updated = { ...stored, tokens };
    this.db.prepare("UPDATE results SET result_json = ? WHERE run_id = ? AND item_id = ? AND score IS NOT NULL").run(JSON.stringify(updated), runId, itemRowId);
    return updated;
  }

  /** Every result of the run, short, keyed by item row. */
  results(runId: number): Map<number, ResultLine> {
    const rows = this.db.prepare("SELECT item_id, score, verdict, categories_json, error_json FROM results WHERE run_id = ?").all(runId) as ResultLineRow[];
    return new Map(rows.map((row) => [row.item_id, this.resultLineOf(runId, row)]));
  }

  /** The results of some items of the run (a page of the review queue), keyed by item row. */
  resultsOf(runId: number, itemRowIds: readonly number[]): Map<number, ResultLine> {
    const select = this.db.prepare("SELECT item_id, score, verdict, categories_json, error_json FROM results WHERE run_id = ? AND item_id = ?");
    const lines = new Map<number, ResultLine>();
    for (const rowId of itemRowIds) {
      const row = select.get(runId, rowId) as ResultLineRow | undefined;
      if (row) lines.set(rowId, this.resultLineOf(runId, row));
    }
    return lines;
  }

  /**
   * Changes whenever a result that a count or a metric reads is written: a new result, or a failure replaced by a score.
   * A stored score never changes (recordResult refuses), so the number of results and of failures is enough — and both
   * are read from indexes alone (the unique (run, item) one and results_failed), without touching 100,000 rows.
   */
  resultsVersion(runId: number): string {
    const count = this.db.prepare("SELECT COUNT(*) FROM results WHERE run_id = ?").pluck().get(runId) as number;
    const failed = this.db.prepare("SELECT COUNT(*) FROM results INDEXED BY results_failed WHERE run_id = ? AND error_code IS NOT NULL").pluck().get(runId) as number;
    return `${count}:${failed}`;
  }

  private resultLineOf(runId: number, row: ResultLineRow): ResultLine {
    const where = (column: string) => ({ table: "results", row: `run ${runId}, item row ${row.item_id}`, column });
    return row.score !== null
      ? { itemRowId: row.item_id, score: row.score, verdict: row.verdict!, categories: parseStoredJson(this.db, storedTextListSchema, row.categories_json ?? "[]", where("categories_json")) }
      : { itemRowId: row.item_id, error: parseStoredJson(this.db, resultErrorSchema, row.error_json ?? "", where("error_json")) };
  }

  /** One item's full result. */
  result(runId: number, itemRowId: number): { result?: StoredClassification; error?: ResultError; finishedAt: string } | undefined {
    const row = this.db.prepare("SELECT result_json, error_json, finished_at FROM results WHERE run_id = ? AND item_id = ?").get(runId, itemRowId) as
      | { result_json: string | null; error_json: string | null; finished_at: string }
      | undefined;
    if (!row) return undefined;
    const where = (column: string) => ({ table: "results", row: `run ${runId}, item row ${itemRowId}`, column });
    return {
      ...(row.result_json ? { result: parseStoredJson(this.db, storedClassificationSchema, row.result_json, where("result_json")) } : {}),
      ...(row.error_json ? { error: parseStoredJson(this.db, resultErrorSchema, row.error_json, where("error_json")) } : {}),
      finishedAt: row.finished_at,
    };
  }

  private row(runId: number): RunRow {
    const row = this.db.prepare(`${RUN_COLUMNS} WHERE r.id = ?`).get(runId) as RunRow | undefined;
    if (!row) throw new StoreError("not-found", `there is no run ${runId}`, "List the runs (runs:list) to see their ids.");
    return row;
  }
}

function storedOf(result: ClassificationResult): StoredClassification {
  return { ...result, prompt: { tokenCount: result.prompt.tokenCount } };
}

function settingsOf(db: SqliteDatabase, row: RunRow): RunSettings {
  return storedSettings(db, row.id, row.settings_json, row.family);
}

function storedSettings(db: SqliteDatabase, runId: number, json: string, family: PromptFamily): RunSettings {
  return withFamilyDefaults(parseStoredJson(db, runSettingsSchema, json, { table: "runs", row: runId, column: "settings_json" }), family);
}

/**
 * Every setting of the family at its value, its default where none is given: a run that leaves a default implicit is
 * the same run as one that names it (for score reuse and `guardbench run`'s resume), and runs stored before runs took
 * family settings were scored at the defaults. A setting the family no longer has is dropped.
 */
function withFamilyDefaults(settings: RunSettings, family: PromptFamily): RunSettings {
  const { familySettings, ...rest } = settings;
  const declared = familyOf(family).settings;
  return declared.length === 0 ? rest : { ...rest, familySettings: effectiveSettings(declared, familySettings) };
}

function summaryOf(db: SqliteDatabase, row: RunRow): RunSummary {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    model: { path: row.model_path, sha256: row.model_sha256, sizeBytes: row.model_size, family: row.family },
    policyName: row.policy_name,
    ...(row.policy_version !== null ? { policyVersion: row.policy_version } : {}),
    settings: settingsOf(db, row),
    state: row.state,
    ...(row.stop_reason_json ? { stopReason: parseStoredJson(db, resultErrorSchema, row.stop_reason_json, { table: "runs", row: row.id, column: "stop_reason_json" }) } : {}),
    counts: { items: row.item_count, scored: row.scored, failed: row.failed, pending: row.item_count - row.scored - row.failed },
    origin: row.origin,
    createdAt: row.created_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.note !== null ? { note: row.note } : {}),
  };
}

/** Whether two runs were scored by the same engines: the local one alone, or the same endpoints (with or without it). */
function sameScorers(a: RunSettings, b: RunSettings): boolean {
  const endpoints = (settings: RunSettings) => [...(settings.endpoints ?? [])].sort().join("\n");
  const local = (settings: RunSettings) => (settings.endpoints ?? []).length === 0 || settings.includeLocal === true;
  return endpoints(a) === endpoints(b) && local(a) === local(b);
}
