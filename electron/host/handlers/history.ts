import { ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function historyHandlers({ store }: HostServices): HandlerGroup {
  return {
    name: "history",
    handlers: {
      "history:list": async (request) => ok(store.history.list(request)),
      "history:get": async ({ id }) => ok(store.history.get(id)),
      "history:delete": async ({ ids }) => ok({ deleted: store.history.delete(ids) }),
    },
  };
}
