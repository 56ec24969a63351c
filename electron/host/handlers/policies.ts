import { ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function policyHandlers({ store }: HostServices): HandlerGroup {
  return {
    name: "policies",
    handlers: {
      "policies:list": async ({ includeHidden }) => ok({ policies: store.policies.list(includeHidden !== undefined ? { includeHidden } : {}) }),
      "policies:get": async ({ name, version }) => ok(store.policies.get(name, version)),
      "policies:save": async ({ policy }) => ok(store.policies.save(policy)),
      "policies:delete-version": async ({ name, version }) => ok(store.policies.deleteVersion(name, version)),
    },
  };
}
