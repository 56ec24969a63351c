/**
 * Ids are never handed out twice (migration 8): SQLite numbers a new row one past the highest id left, so deleting the
 * newest dataset or run would give its id to the next one, and whatever still held the old id (another window, a
 * remembered selection, a cache, an exported file) would silently name the new thing. Deletions record the highest id
 * they removed (the retired_ids triggers); new rows are numbered past both.
 */

/** The SQL expression of the id a new row of `table` gets, for an INSERT's id column (one statement: no race). */
export function nextIdExpression(table: "datasets" | "runs"): string {
  return `(SELECT MAX(COALESCE((SELECT MAX(id) FROM ${table}), 0), COALESCE((SELECT last_id FROM retired_ids WHERE scope = '${table}'), 0)) + 1)`;
}

/** The SQL of the highest version a policy name has had, saved or deleted; one parameter, the name (twice). */
export const LATEST_POLICY_VERSION = `
  SELECT MAX(COALESCE((SELECT MAX(version) FROM policies WHERE name = ?), 0),
             COALESCE((SELECT last_id FROM retired_ids WHERE scope = 'policy:' || ?), 0)) AS version`;
