import { userInfo } from "node:os";
import { ok } from "../../../shared/ipc/result.ts";
import { nextUnlabeled, reviewQueue } from "../../runs/review.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function reviewHandlers({ store }: HostServices): HandlerGroup {
  return {
    name: "review",
    handlers: {
      "review:queue": async (request) => ok(reviewQueue(store, request)),
      "review:next-unlabeled": async (request) => ok(nextUnlabeled(store, request)),
      // better-sqlite3 is synchronous: the label is committed when record() returns, before the answer is sent.
      "review:label": async ({ datasetId, itemId, label, categories, note, who, session }) =>
        ok(store.labels.record(datasetId, itemId, { label, ...(categories ? { categories } : {}), ...(note ? { note } : {}), who: who ?? localUser(), ...(session ? { session } : {}) })),
      "review:undo": async ({ datasetId, itemId, session }) =>
        ok(session !== undefined ? store.labels.undoLatestOfSession(session, localUser()) : store.labels.undoLatestOfItem(datasetId!, itemId!, localUser())),
    },
  };
}

/** Who labels when the request does not say: the operating-system account running Guardbench. */
function localUser(): string {
  try {
    return userInfo().username || "local user";
  } catch {
    return "local user";
  }
}
