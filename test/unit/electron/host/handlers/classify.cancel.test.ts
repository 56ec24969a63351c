/**
 * `classify:cancel` against a classification in progress. The engine here is a stand-in that runs until its signal is
 * aborted, so "in progress" does not depend on how fast a real model answers; the real engine honouring the signal is
 * tested in test/integration/parallelScoring.test.ts and through the run tests.
 */
import { describe, expect, it } from "vitest";
import { classifyHandlers } from "../../../../../electron/host/handlers/classify.ts";
import type { HostServices } from "../../../../../electron/host/services.ts";
import { EngineError } from "../../../../../electron/engine/errors.ts";

function handlersWithEngineThatWaitsForCancel() {
  const recorded: unknown[] = [];
  const engineControl = {
    classify: (_request: unknown, _options: unknown, signal?: AbortSignal) =>
      new Promise((_resolve, reject) => {
        if (!signal) return reject(new Error("the handler passed no signal"));
        signal.addEventListener("abort", () => reject(new EngineError("cancelled", "classify was cancelled")), { once: true });
      }),
  };
  const store = { history: { add: (entry: unknown) => recorded.push(entry) } };
  const group = classifyHandlers({ engineControl, store } as unknown as HostServices);
  const run = group.handlers["classify:run"]!;
  const cancel = group.handlers["classify:cancel"]!;
  return { run, cancel, recorded };
}

const turns = [{ role: "user" as const, content: "hello" }];

describe("classify:cancel", () => {
  it("stops the classification in progress with that request id, and records nothing", async () => {
    const { run, cancel, recorded } = handlersWithEngineThatWaitsForCancel();
    const running = run({ turns, requestId: "a" } as never);
    expect(await cancel({ requestId: "a" } as never)).toEqual({ ok: true, value: { cancelled: true } });
    await expect(running).rejects.toMatchObject({ code: "cancelled" });
    expect(recorded).toEqual([]);
    // Finished: the id no longer names a run in progress.
    expect(await cancel({ requestId: "a" } as never)).toEqual({ ok: true, value: { cancelled: false } });
  });

  it("leaves other classifications running", async () => {
    const { run, cancel } = handlersWithEngineThatWaitsForCancel();
    const first = run({ turns, requestId: "first" } as never);
    const second = run({ turns, requestId: "second" } as never);
    let secondSettled = false;
    void second.catch(() => (secondSettled = true));
    await cancel({ requestId: "first" } as never);
    await expect(first).rejects.toMatchObject({ code: "cancelled" });
    expect(secondSettled).toBe(false);
    await cancel({ requestId: "second" } as never);
    await expect(second).rejects.toMatchObject({ code: "cancelled" });
  });
});
