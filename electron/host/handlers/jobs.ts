import { ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function jobHandlers({ jobs }: HostServices): HandlerGroup {
  return {
    name: "jobs",
    handlers: {
      "job:list": async () => ok({ jobs: jobs.list() }),
      "job:cancel": async ({ jobId }) => ok({ jobId, cancelled: jobs.cancel(jobId) }),
      "job:pause": async ({ jobId }) => jobs.pause(jobId),
      "job:resume": async ({ jobId }) => jobs.resume(jobId),
    },
  };
}
