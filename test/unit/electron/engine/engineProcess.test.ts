/**
 * How EngineProcess reports a worker that ends, with a stand-in worker whose messages and exit the test controls: a
 * signal sent from outside is not a damaged model, a cancelled load stops the worker at once, and nothing waits forever.
 * The real worker under Ctrl+C is tested in test/integration/hardening/crashes.test.ts.
 */
import { describe, expect, it } from "vitest";
import { EngineProcess, type WorkerHandle } from "../../../../electron/engine/engineProcess.ts";
import type { FromEngine, ToEngine } from "../../../../electron/engine/protocol.ts";

/** A worker that says it is ready and then answers nothing until the test makes it exit. */
function standInWorker() {
  const sent: ToEngine[] = [];
  let exit: ((description: string, signal?: string) => void) | undefined;
  let kills = 0;
  const spawn = (): WorkerHandle => ({
    send: (message) => sent.push(message),
    onMessage: (listener: (message: FromEngine) => void) => queueMicrotask(() => listener({ kind: "ready" })),
    onExit: (listener) => (exit = listener),
    kill: () => kills++,
  });
  return { spawn, sent, exit: (description: string, signal?: string) => exit!(description, signal), kills: () => kills };
}

const load = { modelPath: "/models/m.gguf", family: "llama-guard-3-1b" as const };
const sentCall = async (worker: ReturnType<typeof standInWorker>) => {
  while (!worker.sent.some((m) => m.kind === "call")) await new Promise((resolve) => setImmediate(resolve));
};

describe("EngineProcess when its worker ends", () => {
  it("blames neither the model nor memory when the worker was stopped by a signal from outside", async () => {
    const worker = standInWorker();
    const engine = new EngineProcess(worker.spawn);
    const loading = engine.load(load);
    await sentCall(worker);
    worker.exit("killed by SIGTERM", "SIGTERM");
    const error = (await loading.then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: string; message: string; hint: string };
    expect(error).toMatchObject({ code: "engine-crashed" });
    expect(error.message).toMatch(/stopped by SIGTERM from outside Guardbench/);
    expect(error.hint).not.toMatch(/damaged/);
  });

  it("still suspects the model file when the worker dies on its own", async () => {
    const worker = standInWorker();
    const engine = new EngineProcess(worker.spawn);
    const loading = engine.load(load);
    await sentCall(worker);
    worker.exit("killed by SIGSEGV", "SIGSEGV");
    await expect(loading).rejects.toMatchObject({ code: "engine-crashed", hint: expect.stringMatching(/model file may be damaged/) });
  });

  it("stops the worker when a load is cancelled, failing the load as cancelled at once", async () => {
    const worker = standInWorker();
    const engine = new EngineProcess(worker.spawn);
    const controller = new AbortController();
    const loading = engine.load(load, controller.signal);
    await sentCall(worker);
    controller.abort();
    await expect(loading).rejects.toMatchObject({ code: "cancelled", message: "loading the model was cancelled" });
    expect(worker.kills()).toBe(1);
  });

  it("fails the calls still waiting when it is disposed, instead of leaving them pending forever", async () => {
    const worker = standInWorker();
    const engine = new EngineProcess(worker.spawn);
    const loading = engine.load(load);
    await sentCall(worker);
    engine.dispose();
    await expect(loading).rejects.toMatchObject({ code: "cancelled" });
  });
});
