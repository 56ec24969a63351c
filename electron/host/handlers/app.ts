import { ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function appHandlers(services: HostServices): HandlerGroup {
  return {
    name: "app",
    handlers: {
      "app:info": async () =>
        ok({
          name: "guardbench",
          version: services.appVersion,
          home: services.paths.home,
          modelsDir: services.paths.modelsDir,
          databasePath: services.paths.databasePath,
          transport: services.transport,
          platform: process.platform,
          versions: { node: process.versions.node, ...(services.electronVersion ? { electron: services.electronVersion } : {}) },
        }),
    },
  };
}
