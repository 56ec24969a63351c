import { ok } from "../../../shared/ipc/result.ts";
import { presetPolicy } from "../../../shared/taxonomy/index.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function classifyHandlers({ engineControl, store }: HostServices): HandlerGroup {
  return {
    name: "classify",
    handlers: {
      "classify:run": async ({ turns, policy, check, options, policyVersion, record }) => {
        const { result, model } = await engineControl.classify({ turns, policy, check }, options);
        if (record === false) return ok({ result });
        // The engine uses the family's preset when no policy is given; the history records what was actually used.
        const usedPolicy = policy ?? presetPolicy(model.family);
        const historyId = store.history.add({
          turns,
          policy: usedPolicy,
          ...(policyVersion && policyVersion.name === usedPolicy.name ? { policyVersion: policyVersion.version } : {}),
          modelPath: model.path,
          family: model.family,
          result,
        });
        return ok({ result, historyId });
      },
    },
  };
}
