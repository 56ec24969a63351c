import { ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function engineHandlers({ engineControl }: HostServices): HandlerGroup {
  return {
    name: "engine",
    handlers: {
      "engine:status": async () => ok(engineControl.status),
    },
  };
}
