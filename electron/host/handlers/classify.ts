import type { ClassificationResult } from "../../../shared/classify/result.ts";
import type { EngineModel } from "../../../shared/ipc/contract.ts";
import { ok } from "../../../shared/ipc/result.ts";
import { presetPolicy } from "../../../shared/taxonomy/index.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

/** Cancels remembered for runs that have not started yet; bounded, so ids nobody runs cannot pile up. */
const EARLY_CANCELS_KEPT = 100;

/**
 * The `classify:run` calls in progress by request id. A cancel may overtake its run (two messages on a socket, two
 * handlers racing): it is remembered, and the run stops as soon as it starts.
 */
class ClassifyCancellation {
  private readonly running = new Map<string, AbortController>();
  private readonly cancelledEarly = new Set<string>();

  start(requestId: string | undefined): { signal?: AbortSignal; finish(): void } {
    if (requestId === undefined) return { finish: () => {} };
    const controller = new AbortController();
    if (this.cancelledEarly.delete(requestId)) controller.abort();
    this.running.set(requestId, controller);
    return {
      signal: controller.signal,
      finish: () => {
        if (this.running.get(requestId) === controller) this.running.delete(requestId);
      },
    };
  }

  cancel(requestId: string): boolean {
    const controller = this.running.get(requestId);
    if (controller) {
      controller.abort();
      return true;
    }
    this.cancelledEarly.add(requestId);
    if (this.cancelledEarly.size > EARLY_CANCELS_KEPT) this.cancelledEarly.delete(this.cancelledEarly.values().next().value!);
    return false;
  }
}

/**
 * The result names the file it came from by quant and hash too. The hash may have arrived while the run went on (it is
 * computed beside the load), so the status of now counts when it is still the same file.
 */
function withProvenance(result: ClassificationResult, model: EngineModel, now: EngineModel | undefined): ClassificationResult {
  const sha256 = model.sha256 ?? (now?.path === model.path ? now.sha256 : undefined);
  return { ...result, model: { ...result.model, ...(model.quant ? { quant: model.quant } : {}), ...(sha256 ? { sha256 } : {}) } };
}

export function classifyHandlers({ engineControl, store }: HostServices): HandlerGroup {
  const cancellation = new ClassifyCancellation();
  return {
    name: "classify",
    handlers: {
      "classify:run": async ({ turns, policy, check, options, policyVersion, record, requestId }) => {
        const call = cancellation.start(requestId);
        try {
          const classified = await engineControl.classify({ turns, policy, check }, options, call.signal);
          const { model } = classified;
          const result = withProvenance(classified.result, model, engineControl.status.model);
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
        } finally {
          call.finish();
        }
      },
      "classify:cancel": async ({ requestId }) => ok({ cancelled: cancellation.cancel(requestId) }),
    },
  };
}
