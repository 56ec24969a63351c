/**
 * Entry point of the engine worker process: one loaded model, calls answered as they come (classifications run
 * concurrently on the scorer's sequences), each cancellable.
 */
import { EngineError, messageOf } from "./errors.ts";
import { LlamaScorer } from "./llama/scorer.ts";
import { detectHardware, estimateModelFileMemory } from "./hardware.ts";
import type { EngineMethods, FromEngine, ToEngine } from "./protocol.ts";
import { promptTextOf } from "../../shared/prompts/index.ts";

interface ParentPort {
  on(event: "message", listener: (message: ToEngine) => void): void;
  post(message: FromEngine): void;
}

/** Electron's utilityProcess exposes `process.parentPort`; child_process.fork gives `process.send`. */
function connectToParent(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: { on(e: "message", l: (e: { data: ToEngine }) => void): void; postMessage(m: FromEngine): void } }).parentPort;
  if (electronPort) return { on: (_event, listener) => electronPort.on("message", (e) => listener(e.data)), post: (m) => electronPort.postMessage(m) };
  if (!process.send) throw new Error("the engine worker must be started as a child process with an IPC channel");
  return { on: (_event, listener) => process.on("message", listener), post: (m) => process.send!(m) };
}

const parent = connectToParent();
// Ctrl+C in a terminal signals the whole process group, this worker included. The command that started it decides
// what an interrupt means (cancel the load, pause a run, shut down) and stops the worker itself; dying here first would
// only look like an engine crash. Without a parent there is no one to answer, so a lost IPC channel ends the worker.
process.on("SIGINT", () => {});
process.on("disconnect", () => process.exit(0));
const running = new Map<number, AbortController>();
let scorer: LlamaScorer | undefined;

function loadedScorer(): LlamaScorer {
  if (!scorer) throw new EngineError("no-model-loaded", "no model is loaded", "Load a model first.");
  return scorer;
}

/** llama.cpp reports every tensor; a whole percent more is worth a message across the process boundary. */
const PROGRESS_STEP = 0.01;

type Handler<M extends keyof EngineMethods> = (params: EngineMethods[M]["params"], signal: AbortSignal, progress: (value: number) => void) => Promise<EngineMethods[M]["result"]>;

const handlers: { [M in keyof EngineMethods]: Handler<M> } = {
  async load(options, signal, progress) {
    const previous = scorer;
    scorer = undefined;
    await previous?.dispose();
    let reported = -1;
    const onProgress = (fraction: number) => {
      if (fraction - reported < PROGRESS_STEP && fraction < 1) return;
      reported = fraction;
      progress(fraction);
    };
    scorer = await LlamaScorer.load(options, { onProgress, signal });
    return scorer.info;
  },
  async unload() {
    const previous = scorer;
    scorer = undefined;
    await previous?.dispose();
    return null;
  },
  classify: ({ request, options }, signal) => loadedScorer().classify(request, options, signal),
  tokenDetails: ({ request, tokens, positions, topK }, signal) => loadedScorer().tokenDetails(request, tokens, positions, topK, signal),
  async tokenizePrompt({ request }) {
    const active = loadedScorer();
    const { prompts, target } = active.buildPrompts(request);
    const tokens = prompts.flatMap(({ prompt }) => active.tokenizePrompt(prompt));
    return { text: promptTextOf(prompts), tokens, pieces: tokens.map((t) => active.pieceOf(t)), target };
  },
  completeTokens: (params, signal) => loadedScorer().completeTokens(params, signal),
  vocabulary: async () => loadedScorer().vocabulary(),
  tokenizeTexts: async (params) => loadedScorer().tokenizeTexts(params),
  describeTokens: async ({ tokens }) => loadedScorer().describeTokens(tokens),
  async detectHardware({ gpu }) {
    // Detection disposes the llama.cpp instance it opens, which a loaded model may share.
    if (scorer) throw new EngineError("engine-busy", "hardware is detected in a worker without a model", "Use detectHardwareInWorker, which starts its own worker.");
    return detectHardware({ gpu });
  },
  async estimateMemory({ paths, contextSize }) {
    const estimates = [];
    for (const path of paths) estimates.push(await estimateModelFileMemory(path, contextSize));
    return estimates;
  },
};

parent.on("message", (message) => {
  if (message.kind === "cancel") {
    running.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  const handler = handlers[message.method] as (params: unknown, signal: AbortSignal, progress: (value: number) => void) => Promise<unknown>;
  const progress = (value: number) => parent.post({ kind: "progress", id: message.id, value });
  handler(message.params, controller.signal, progress)
    .then((value) => parent.post({ kind: "reply", id: message.id, ok: true, value }))
    .catch((error: unknown) => {
      const data = error instanceof EngineError ? error.toData() : { code: "engine-failed" as const, message: messageOf(error) };
      parent.post({ kind: "reply", id: message.id, ok: false, error: data });
    })
    .finally(() => running.delete(message.id));
});

parent.post({ kind: "ready" });
