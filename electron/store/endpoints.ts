/** Saved remote endpoints. API keys are not here: the secret store holds them; a row only says whether there is one. */
import type { EndpointInfo } from "../../shared/ipc/contract.ts";
import type { EndpointKind } from "../../shared/remote/endpoint.ts";
import type { SqliteDatabase } from "./database.ts";
import { StoreError } from "./errors.ts";

interface EndpointRow {
  name: string;
  base_url: string;
  kind: EndpointKind;
  model: string;
  concurrency: number;
  has_api_key: number;
  created_at: string;
  updated_at: string;
}

/** What a save writes: the endpoint without its timestamps, which the store keeps. */
export type EndpointFields = Omit<EndpointInfo, "createdAt" | "updatedAt">;

export const DEFAULT_ENDPOINT_CONCURRENCY = 4;

export class EndpointRepository {
  constructor(private readonly db: SqliteDatabase) {}

  list(): EndpointInfo[] {
    return (this.db.prepare("SELECT * FROM endpoints ORDER BY name").all() as EndpointRow[]).map(toInfo);
  }

  find(name: string): EndpointInfo | undefined {
    const row = this.db.prepare("SELECT * FROM endpoints WHERE name = ?").get(name) as EndpointRow | undefined;
    return row ? toInfo(row) : undefined;
  }

  get(name: string): EndpointInfo {
    const found = this.find(name);
    if (!found) throw new StoreError("not-found", `no saved endpoint is named ${JSON.stringify(name)}`, "List the saved endpoints (endpoints:list), or save it first (endpoints:save).");
    return found;
  }

  /** Creates or replaces the endpoint called `fields.name`; its creation time stays. */
  save(fields: EndpointFields, now: Date = new Date()): EndpointInfo {
    const at = now.toISOString();
    this.db
      .prepare(
        `INSERT INTO endpoints (name, base_url, kind, model, concurrency, has_api_key, created_at, updated_at)
         VALUES (@name, @baseUrl, @kind, @model, @concurrency, @hasApiKey, @at, @at)
         ON CONFLICT (name) DO UPDATE SET base_url = excluded.base_url, kind = excluded.kind, model = excluded.model,
           concurrency = excluded.concurrency, has_api_key = excluded.has_api_key, updated_at = excluded.updated_at`,
      )
      .run({ ...fields, hasApiKey: fields.hasApiKey ? 1 : 0, at });
    return this.get(fields.name);
  }

  remove(name: string): boolean {
    return this.db.prepare("DELETE FROM endpoints WHERE name = ?").run(name).changes > 0;
  }
}

function toInfo(row: EndpointRow): EndpointInfo {
  return {
    name: row.name,
    baseUrl: row.base_url,
    kind: row.kind,
    model: row.model,
    hasApiKey: row.has_api_key === 1,
    concurrency: row.concurrency,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
