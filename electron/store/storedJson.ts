/**
 * JSON columns read back with the schema of what was written there. A value that is not JSON, or not that shape (a
 * database edited by hand, a disk that lost a page, a bug), becomes a StoreError naming the table, the row and the
 * column, never a value of the wrong type handed on as if it were right.
 */
import { z } from "zod";
import { describeIssues } from "../../shared/ipc/contract.ts";
import type { SqliteDatabase } from "./database.ts";
import { StoreError } from "./errors.ts";

/** Which stored value: `runs` row `3`, column `settings_json`. */
export interface StoredColumn {
  table: string;
  /** the row's key as the table names it ("3", "run 3, item row 17") */
  row: string | number;
  column: string;
}

/** Category codes, hazard codes: lists of text as the store writes them. */
export const storedTextListSchema = z.array(z.string());

/** Enough to see what is wrong without a message the size of the row. */
const ISSUES_SHOWN = 5;

const DEFAULT_HINT =
  "The database was changed outside Guardbench, or damaged. Restore guardbench.db from a backup, or delete that row with a SQLite tool; the rest of the data stays readable.";

export function parseStoredJson<S extends z.ZodType>(db: SqliteDatabase, schema: S, text: string, where: StoredColumn, hint = DEFAULT_HINT): z.output<S> {
  const place = `the ${where.column} of ${where.table} row ${where.row} in ${db.name}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreError("row-invalid", `${place} is not valid JSON (${error instanceof Error ? error.message : String(error)})`, hint);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const { issues } = parsed.error;
    const more = issues.length > ISSUES_SHOWN ? ` (and ${issues.length - ISSUES_SHOWN} more)` : "";
    throw new StoreError("row-invalid", `${place} does not hold what Guardbench stores there: ${describeIssues(issues.slice(0, ISSUES_SHOWN))}${more}`, hint);
  }
  return parsed.data;
}
