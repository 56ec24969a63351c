/**
 * The moderation API's audit trail: one row per moderated input (when auditing is on), so that a team can later take a
 * sample of real traffic into the review queue and measure the policy on it. Content is stored only in `content` mode;
 * otherwise only its sha256, which says whether two calls carried the same text but never what it was.
 */
import type { ModerationAuditMode, ModerationAuditSummary } from "../../shared/ipc/channels/moderation.ts";
import type { SqliteDatabase } from "./database.ts";

export interface ModerationAuditEntry {
  createdAt: Date;
  requestId: string;
  inputIndex: number;
  contentSha256: string;
  /** only when the user opted in to storing content */
  content?: string;
  modelName: string;
  modelPath: string;
  /** sha256 of the model file; undefined while it is still being hashed */
  modelSha256?: string;
  family: string;
  policyName: string;
  policyVersion?: number;
  flagged: boolean;
  verdict: string;
  score: number;
  /** the policy's codes the model named */
  categories: string[];
  /** the OpenAI-shaped result that was answered */
  openai: unknown;
}

export interface AuditedCall {
  id: number;
  createdAt: string;
  content: string;
  flagged: boolean;
  verdict: string;
  score: number;
  categories: string[];
  modelName: string;
  modelSha256?: string;
  policyName: string;
  policyVersion?: number;
}

interface AuditRow {
  id: number;
  created_at: string;
  content: string;
  flagged: number;
  verdict: string;
  score: number;
  categories_json: string;
  model_name: string;
  model_sha256: string | null;
  policy_name: string;
  policy_version: number | null;
}

export class ModerationAuditRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Stores a call's inputs in one transaction: committed when this returns. */
  record(entries: readonly ModerationAuditEntry[]): void {
    const insert = this.db.prepare(
      `INSERT INTO moderation_audit (created_at, request_id, input_index, content_sha256, content, model_name, model_path, model_sha256, family,
                                     policy_name, policy_version, flagged, verdict, score, categories_json, openai_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const entry of entries) {
        insert.run(
          entry.createdAt.toISOString(),
          entry.requestId,
          entry.inputIndex,
          entry.contentSha256,
          entry.content ?? null,
          entry.modelName,
          entry.modelPath,
          entry.modelSha256 ?? null,
          entry.family,
          entry.policyName,
          entry.policyVersion ?? null,
          entry.flagged ? 1 : 0,
          entry.verdict,
          entry.score,
          JSON.stringify(entry.categories),
          JSON.stringify(entry.openai),
        );
      }
    })();
  }

  summary(): ModerationAuditSummary {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS calls, COUNT(content) AS with_content, COALESCE(SUM(flagged), 0) AS flagged, MIN(created_at) AS first, MAX(created_at) AS last
         FROM moderation_audit`,
      )
      .get() as { calls: number; with_content: number; flagged: number; first: string | null; last: string | null };
    return { inputs: row.calls, withContent: row.with_content, flagged: row.flagged, ...(row.first ? { first: row.first } : {}), ...(row.last ? { last: row.last } : {}) };
  }

  /**
   * A random sample of the audited inputs whose content was stored (only those can be reviewed), at most `n`, oldest
   * first; `flagged` keeps only flagged (true) or unflagged (false) ones.
   */
  sampleWithContent(n: number, options: { flagged?: boolean } = {}): AuditedCall[] {
    const filter = options.flagged === undefined ? "" : `AND flagged = ${options.flagged ? 1 : 0}`;
    const rows = this.db
      .prepare(`SELECT * FROM (SELECT * FROM moderation_audit WHERE content IS NOT NULL ${filter} ORDER BY random() LIMIT ?) ORDER BY id`)
      .all(n) as AuditRow[];
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      content: row.content,
      flagged: row.flagged === 1,
      verdict: row.verdict,
      score: row.score,
      categories: JSON.parse(row.categories_json) as string[],
      modelName: row.model_name,
      ...(row.model_sha256 ? { modelSha256: row.model_sha256 } : {}),
      policyName: row.policy_name,
      ...(row.policy_version === null ? {} : { policyVersion: row.policy_version }),
    }));
  }

  /** The app's audit setting; 'off' until the user changes it. */
  mode(): ModerationAuditMode {
    const row = this.db.prepare("SELECT audit FROM moderation_settings WHERE id = 1").get() as { audit: ModerationAuditMode } | undefined;
    return row?.audit ?? "off";
  }

  setMode(mode: ModerationAuditMode, now: Date = new Date()): void {
    this.db.prepare("INSERT INTO moderation_settings (id, audit, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET audit = excluded.audit, updated_at = excluded.updated_at").run(mode, now.toISOString());
  }
}
