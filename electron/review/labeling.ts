/**
 * Giving and undoing review labels, as `review:label` and `review:undo` do: the Review screen (through AppHost) and
 * `guardbench label` both come here, with a request checked against the same contract schema, so a label made in a
 * terminal is the same record as one made on screen.
 */
import { userInfo } from "node:os";
import type { LabelEvent, ParsedReq, UndoOutcome } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore } from "../store/index.ts";

/** Appends the label event; committed when this returns (better-sqlite3 is synchronous). */
export function recordReviewLabel(store: GuardbenchStore, { datasetId, itemId, label, categories, note, who, session }: ParsedReq<"review:label">): LabelEvent {
  return store.labels.record(datasetId, itemId, { label, ...(categories ? { categories } : {}), ...(note ? { note } : {}), who: who ?? localUser(), ...(session ? { session } : {}) });
}

/** Takes back the latest label still in effect, of the session or of the item. */
export function undoReviewLabel(store: GuardbenchStore, { datasetId, itemId, session }: ParsedReq<"review:undo">): UndoOutcome {
  return session !== undefined ? store.labels.undoLatestOfSession(session, localUser()) : store.labels.undoLatestOfItem(datasetId!, itemId!, localUser());
}

/** Who labels when the request does not say: the operating-system account running Guardbench. */
function localUser(): string {
  try {
    return userInfo().username || "local user";
  } catch {
    return "local user";
  }
}
