/** The moderation channels of the handler table: the audit setting, and audited calls into a dataset for review. */
import { ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";
import { datasetFromAudit } from "../../moderation/auditDataset.ts";

export function moderationHandlers({ store }: HostServices): HandlerGroup {
  const settings = () => ({ audit: store.moderationAudit.mode(), audited: store.moderationAudit.summary() });
  return {
    name: "moderation",
    handlers: {
      "moderation:settings": async () => ok(settings()),
      "moderation:save-settings": async ({ audit }) => {
        store.moderationAudit.setMode(audit);
        return ok(settings());
      },
      "moderation:audit-to-dataset": async ({ n, name, flagged }) => ok(datasetFromAudit(store, { n, ...(name ? { name } : {}), ...(flagged === undefined ? {} : { flagged }) })),
    },
  };
}
