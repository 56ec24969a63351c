import { ok } from "../../../shared/ipc/result.ts";
import { recordReviewLabel, undoReviewLabel } from "../../review/labeling.ts";
import { nextUnlabeled, reviewQueue } from "../../review/queue.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function reviewHandlers({ store }: HostServices): HandlerGroup {
  return {
    name: "review",
    handlers: {
      "review:queue": async (request) => ok(reviewQueue(store, request)),
      "review:next-unlabeled": async (request) => ok(nextUnlabeled(store, request)),
      // The label is committed when recordReviewLabel returns, before the answer is sent.
      "review:label": async (request) => ok(recordReviewLabel(store, request)),
      "review:undo": async (request) => ok(undoReviewLabel(store, request)),
    },
  };
}
