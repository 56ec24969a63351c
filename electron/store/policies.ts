/**
 * Saved policies. A save never changes a stored row: it adds the next version under the policy's name. A deletion
 * removes a version no run used, and hides one a run did (the run names it and may be opened any time); version
 * numbers are never given out twice (retiredIds.ts).
 */
import type { PolicySummary, PolicyVersionDeletion, PolicyVersionInfo, StoredPolicy } from "../../shared/ipc/contract.ts";
import { policySchema, type Policy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import type { SqliteDatabase } from "./database.ts";
import { StoreError } from "./errors.ts";
import { LATEST_POLICY_VERSION } from "./retiredIds.ts";
import { parseStoredJson } from "./storedJson.ts";

interface PolicyRow {
  name: string;
  version: number;
  family: PromptFamily;
  json: string;
  saved_at: string;
  hidden_at: string | null;
}

/** How many runs used each version (runs name a saved version by name and number). */
const VERSIONS_WITH_RUNS = `
  SELECT p.name, p.version, p.family, p.saved_at, p.hidden_at,
         (SELECT COUNT(*) FROM runs r WHERE r.policy_name = p.name AND r.policy_version = p.version) AS runs
  FROM policies p`;

export class PolicyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Stores `policy` as the next version of `policy.name`; committed when this returns. */
  save(policy: Policy, now: Date = new Date()): PolicyVersionInfo & { name: string } {
    const savedAt = now.toISOString();
    // IMMEDIATE takes the write lock before reading the latest version, so two writers can never pick the same number.
    return this.db
      .transaction(() => {
        const latest = this.db.prepare(LATEST_POLICY_VERSION).get(policy.name, policy.name) as { version: number };
        const version = latest.version + 1;
        this.db
          .prepare("INSERT INTO policies (name, version, family, json, saved_at) VALUES (?, ?, ?, ?, ?)")
          .run(policy.name, version, policy.family, JSON.stringify(policy), savedAt);
        return { name: policy.name, version, savedAt };
      })
      .immediate();
  }

  /** Every saved policy, by name, with its versions (oldest first); hidden versions only with `includeHidden`. */
  list(options: { includeHidden?: boolean } = {}): PolicySummary[] {
    const where = options.includeHidden ? "" : " WHERE p.hidden_at IS NULL";
    const rows = this.db.prepare(`${VERSIONS_WITH_RUNS}${where} ORDER BY p.name, p.version`).all() as Array<Omit<PolicyRow, "json"> & { runs: number }>;
    const byName = new Map<string, { summary: PolicySummary; latestShown: boolean }>();
    for (const row of rows) {
      const entry = byName.get(row.name) ?? { summary: { name: row.name, family: row.family, latestVersion: 0, versions: [] }, latestShown: false };
      const hidden = row.hidden_at !== null;
      entry.summary.versions.push({ version: row.version, savedAt: row.saved_at, runs: row.runs, ...(hidden ? { hidden: true } : {}) });
      // The latest version is the one the editor opens: never a hidden one while another is there.
      if (!hidden || !entry.latestShown) {
        entry.summary.latestVersion = row.version;
        entry.summary.family = row.family;
        entry.latestShown ||= !hidden;
      }
      byName.set(row.name, entry);
    }
    return [...byName.values()].map((entry) => entry.summary);
  }

  /** One version (hidden ones too: runs open theirs), or the latest one not hidden when `version` is omitted. */
  get(name: string, version?: number): StoredPolicy {
    const row = (
      version === undefined
        ? this.db.prepare("SELECT * FROM policies WHERE name = ? ORDER BY hidden_at IS NOT NULL, version DESC LIMIT 1").get(name)
        : this.db.prepare("SELECT * FROM policies WHERE name = ? AND version = ?").get(name, version)
    ) as PolicyRow | undefined;
    if (!row) throw this.notFound(name, version);
    const where = { table: "policies", row: `${JSON.stringify(row.name)} version ${row.version}`, column: "json" };
    const policy = parseStoredJson(this.db, policySchema, row.json, where, "Save the policy again from the editor (a save adds a new version).");
    return { name: row.name, version: row.version, family: row.family, savedAt: row.saved_at, ...(row.hidden_at !== null ? { hidden: true } : {}), policy };
  }

  /**
   * Deletes a saved version when no run used it; hides it when one did (the run keeps naming it, and its text stays
   * for the run to show). Committed when this returns.
   */
  deleteVersion(name: string, version: number, now: Date = new Date()): PolicyVersionDeletion {
    return this.db
      .transaction((): PolicyVersionDeletion => {
        const row = this.db.prepare(`${VERSIONS_WITH_RUNS} WHERE p.name = ? AND p.version = ?`).get(name, version) as { runs: number; hidden_at: string | null } | undefined;
        if (!row) throw this.notFound(name, version);
        if (row.runs === 0) {
          this.db.prepare("DELETE FROM policies WHERE name = ? AND version = ?").run(name, version);
          return { name, version, outcome: "deleted", runs: 0 };
        }
        if (row.hidden_at === null) this.db.prepare("UPDATE policies SET hidden_at = ? WHERE name = ? AND version = ?").run(now.toISOString(), name, version);
        return { name, version, outcome: "hidden", runs: row.runs };
      })
      .immediate();
  }

  private notFound(name: string, version: number | undefined): StoreError {
    const what = version === undefined ? `no saved policy is named ${JSON.stringify(name)}` : `policy ${JSON.stringify(name)} has no version ${version}`;
    return new StoreError("not-found", what, "List the saved policies (policies:list) to see names and versions.");
  }
}
