/** Every classification run from the workbench, with what it needs to be shown again exactly: conversation, policy, model, result. */
import { z } from "zod";
import { classificationResultSchema } from "../../shared/classify/result.ts";
import { turnSchema, type Turn } from "../../shared/conversation/types.ts";
import type { HistoryEntry, HistoryFacets, HistoryPage, HistorySummary } from "../../shared/ipc/contract.ts";
import { policySchema, type PromptFamily } from "../../shared/taxonomy/index.ts";
import type { SqliteDatabase } from "./database.ts";
import { StoreError } from "./errors.ts";
import { parseStoredJson, storedTextListSchema } from "./storedJson.ts";

/** The conversation column holds `{ turns }`. */
const storedConversationSchema = z.object({ turns: z.array(turnSchema) });

/** `policyVersion`: the saved version the policy came from, when it did. */
export interface NewClassification extends Pick<HistoryEntry, "turns" | "policy" | "policyVersion" | "modelPath" | "family" | "result"> {
  createdAt?: Date;
}

interface SummaryRow {
  id: number;
  created_at: string;
  policy_name: string;
  policy_version: number | null;
  model_path: string;
  family: PromptFamily;
  target: HistorySummary["target"];
  verdict: HistorySummary["verdict"];
  categories_json: string;
  p_unsafe: number;
  flagged: number;
  preview: string;
}

interface EntryRow extends SummaryRow {
  conversation_json: string;
  policy_json: string;
  result_json: string;
}

/** What `history:list` narrows by. */
export interface HistoryQuery {
  limit?: number;
  beforeId?: number;
  query?: string;
  verdict?: HistorySummary["verdict"];
  modelPath?: string;
  policyName?: string;
  policyVersion?: number;
}

interface Clause {
  sql: string;
  value: string | number;
}

/**
 * Each word of the search must occur in the stored conversation. The conversation is stored as JSON, so each word is
 * searched for as JSON spells it (quotes and line breaks escaped); instr() rather than LIKE, whose % and _ a word may hold.
 */
function filterClauses(options: HistoryQuery): Clause[] {
  const clauses: Clause[] = [];
  for (const word of (options.query ?? "").split(/\s+/).filter(Boolean)) {
    clauses.push({ sql: "instr(lower(conversation_json), lower(?)) > 0", value: JSON.stringify(word).slice(1, -1) });
  }
  if (options.verdict) clauses.push({ sql: "verdict = ?", value: options.verdict });
  if (options.modelPath) clauses.push({ sql: "model_path = ?", value: options.modelPath });
  if (options.policyName) clauses.push({ sql: "policy_name = ?", value: options.policyName });
  if (options.policyVersion !== undefined) clauses.push({ sql: "policy_version = ?", value: options.policyVersion });
  return clauses;
}

const PREVIEW_CHARS = 160;
export const DEFAULT_HISTORY_PAGE = 50;

const SUMMARY_COLUMNS = "id, created_at, policy_name, policy_version, model_path, family, target, verdict, categories_json, p_unsafe, flagged, preview";

export class HistoryRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Records one classification; committed when this returns. Returns its id. */
  add(entry: NewClassification): number {
    const { result } = entry;
    const info = this.db
      .prepare(
        `INSERT INTO classifications (created_at, conversation_json, policy_json, policy_name, policy_version, model_path, family,
                                      target, verdict, categories_json, p_unsafe, flagged, preview, result_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        (entry.createdAt ?? new Date()).toISOString(),
        JSON.stringify({ turns: entry.turns }),
        JSON.stringify(entry.policy),
        entry.policy.name,
        entry.policyVersion ?? null,
        entry.modelPath,
        entry.family,
        result.target,
        result.verdict,
        JSON.stringify(result.categories),
        result.pUnsafe,
        result.flagged ? 1 : 0,
        previewOf(entry.turns, result.target),
        JSON.stringify(result),
      );
    return Number(info.lastInsertRowid);
  }

  /** Newest first, narrowed by the filters (see `history:list`); the first page also says what the filters can choose. */
  list(options: HistoryQuery = {}): HistoryPage {
    const limit = options.limit ?? DEFAULT_HISTORY_PAGE;
    const where = filterClauses(options);
    if (options.beforeId !== undefined) where.push({ sql: "id < ?", value: options.beforeId });
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM classifications${where.length > 0 ? ` WHERE ${where.map((clause) => clause.sql).join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = this.db.prepare(sql).all(...where.map((clause) => clause.value), limit + 1) as SummaryRow[];
    const items = rows.slice(0, limit).map((row) => summaryOf(this.db, row));
    const page: HistoryPage = rows.length > limit ? { items, nextBeforeId: items.at(-1)!.id } : { items };
    return options.beforeId === undefined ? { ...page, facets: this.facets() } : page;
  }

  /** Deletes the entries; answers the ids that were there. Committed when this returns. */
  delete(ids: readonly number[]): number[] {
    const remove = this.db.prepare("DELETE FROM classifications WHERE id = ?");
    return this.db.transaction(() => ids.filter((id) => remove.run(id).changes > 0))();
  }

  private facets(): HistoryFacets {
    const models = this.db
      .prepare("SELECT model_path AS path, COUNT(*) AS entries, MAX(id) AS latest FROM classifications GROUP BY model_path ORDER BY latest DESC")
      .all() as Array<{ path: string; entries: number }>;
    const versions = this.db
      .prepare("SELECT policy_name AS name, policy_version AS version, COUNT(*) AS entries, MAX(id) AS latest FROM classifications GROUP BY policy_name, policy_version ORDER BY latest DESC")
      .all() as Array<{ name: string; version: number | null; entries: number }>;
    const policies = new Map<string, { name: string; versions: number[]; entries: number }>();
    for (const row of versions) {
      const policy = policies.get(row.name) ?? { name: row.name, versions: [], entries: 0 };
      policies.set(row.name, policy);
      policy.entries += row.entries;
      if (row.version !== null) policy.versions.push(row.version);
    }
    for (const policy of policies.values()) policy.versions.sort((a, b) => b - a);
    return { models: models.map(({ path, entries }) => ({ path, entries })), policies: [...policies.values()] };
  }

  get(id: number): HistoryEntry {
    const row = this.db.prepare("SELECT * FROM classifications WHERE id = ?").get(id) as EntryRow | undefined;
    if (!row) throw new StoreError("not-found", `there is no classification ${id} in the history`, "List the history (history:list) to see the ids it holds.");
    const { preview: _preview, ...summary } = summaryOf(this.db, row);
    const where = (column: string) => ({ table: "classifications", row: id, column });
    return {
      ...summary,
      turns: parseStoredJson(this.db, storedConversationSchema, row.conversation_json, where("conversation_json")).turns,
      policy: parseStoredJson(this.db, policySchema, row.policy_json, where("policy_json")),
      result: parseStoredJson(this.db, classificationResultSchema, row.result_json, where("result_json")),
    };
  }
}

function summaryOf(db: SqliteDatabase, row: SummaryRow): HistorySummary {
  return {
    id: row.id,
    createdAt: row.created_at,
    verdict: row.verdict,
    flagged: row.flagged === 1,
    pUnsafe: row.p_unsafe,
    categories: parseStoredJson(db, storedTextListSchema, row.categories_json, { table: "classifications", row: row.id, column: "categories_json" }),
    target: row.target,
    modelPath: row.model_path,
    family: row.family,
    policyName: row.policy_name,
    ...(row.policy_version !== null ? { policyVersion: row.policy_version } : {}),
    preview: row.preview,
  };
}

/** The start of the checked turn: the last user turn for a prompt check, the last assistant turn for a response check. */
function previewOf(turns: readonly Turn[], target: "prompt" | "response"): string {
  const role = target === "prompt" ? "user" : "assistant";
  const text = [...turns].reverse().find((turn) => turn.role === role)?.content ?? "";
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > PREVIEW_CHARS ? `${oneLine.slice(0, PREVIEW_CHARS - 1)}…` : oneLine;
}
