/** Saved policies. A save never changes a stored row: it adds the next version under the policy's name. */
import type { PolicySummary, PolicyVersionInfo, StoredPolicy } from "../../shared/ipc/contract.ts";
import { policySchema, type Policy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import type { SqliteDatabase } from "./database.ts";
import { StoreError } from "./errors.ts";
import { parseStoredJson } from "./storedJson.ts";

interface PolicyRow {
  name: string;
  version: number;
  family: PromptFamily;
  json: string;
  saved_at: string;
}

export class PolicyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Stores `policy` as the next version of `policy.name`; committed when this returns. */
  save(policy: Policy, now: Date = new Date()): PolicyVersionInfo & { name: string } {
    const savedAt = now.toISOString();
    // IMMEDIATE takes the write lock before reading the latest version, so two writers can never pick the same number.
    return this.db
      .transaction(() => {
        const latest = this.db.prepare("SELECT MAX(version) AS version FROM policies WHERE name = ?").get(policy.name) as { version: number | null };
        const version = (latest.version ?? 0) + 1;
        this.db
          .prepare("INSERT INTO policies (name, version, family, json, saved_at) VALUES (?, ?, ?, ?, ?)")
          .run(policy.name, version, policy.family, JSON.stringify(policy), savedAt);
        return { name: policy.name, version, savedAt };
      })
      .immediate();
  }

  /** Every saved policy, by name, with all its versions (oldest first). */
  list(): PolicySummary[] {
    const rows = this.db.prepare("SELECT name, version, family, saved_at FROM policies ORDER BY name, version").all() as Omit<PolicyRow, "json">[];
    const byName = new Map<string, PolicySummary>();
    for (const row of rows) {
      const summary = byName.get(row.name) ?? { name: row.name, family: row.family, latestVersion: 0, versions: [] };
      summary.versions.push({ version: row.version, savedAt: row.saved_at });
      summary.latestVersion = row.version;
      summary.family = row.family;
      byName.set(row.name, summary);
    }
    return [...byName.values()];
  }

  /** One version, or the latest when `version` is omitted. */
  get(name: string, version?: number): StoredPolicy {
    const row = (
      version === undefined
        ? this.db.prepare("SELECT * FROM policies WHERE name = ? ORDER BY version DESC LIMIT 1").get(name)
        : this.db.prepare("SELECT * FROM policies WHERE name = ? AND version = ?").get(name, version)
    ) as PolicyRow | undefined;
    if (!row) {
      const what = version === undefined ? `no saved policy is named ${JSON.stringify(name)}` : `policy ${JSON.stringify(name)} has no version ${version}`;
      throw new StoreError("not-found", what, "List the saved policies (policies:list) to see names and versions.");
    }
    const where = { table: "policies", row: `${JSON.stringify(row.name)} version ${row.version}`, column: "json" };
    const policy = parseStoredJson(this.db, policySchema, row.json, where, "Save the policy again from the editor (a save adds a new version).");
    return { name: row.name, version: row.version, family: row.family, savedAt: row.saved_at, policy };
  }
}
