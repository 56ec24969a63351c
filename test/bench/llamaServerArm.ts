/**
 * `npm run bench`, the peer: a real llama.cpp `llama-server` (built by scripts/llama-server.mjs from the llama.cpp
 * node-llama-cpp ships, so the same commit as the local engine) on the same GGUF, driven as its users drive it for batch
 * scoring: `--parallel N` slots, `cache_prompt`, N concurrent `POST /completion` requests with the prompt as token ids
 * and `n_probs` for the top-k of every generated token, greedy. It gives the answer and its tokens' probabilities; no
 * per-category scores, and P(unsafe) only when `unsafe` is among its top k.
 */
import { llamaServerCompletionRequest } from "../../electron/engine/remote/llamaServer.ts";
import { startLlamaServer, type LlamaServerProcess } from "../support/llamaServer.ts";

export interface ServerWork {
  /** prompt tokens the server evaluated (after its prompt cache) */
  promptTokens: number;
  /** tokens it generated */
  generatedTokens: number;
  /** its own timings, summed over requests */
  promptMs: number;
  predictedMs: number;
  requests: number;
}

interface CompletionTimings {
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
}

export class LlamaServerArm {
  private readonly counts: ServerWork = { promptTokens: 0, generatedTokens: 0, promptMs: 0, predictedMs: 0, requests: 0 };

  private constructor(
    private readonly server: LlamaServerProcess,
    private readonly maxTokens: number,
    private readonly topK: number,
  ) {}

  static async start(modelPath: string, options: { parallel: number; threads: number; contextPerSlot: number; maxTokens: number; topK: number }): Promise<LlamaServerArm> {
    const server = await startLlamaServer(modelPath, {
      parallel: options.parallel,
      threads: options.threads,
      contextSize: options.parallel * options.contextPerSlot,
      readyTimeoutMs: 600_000,
    });
    return new LlamaServerArm(server, options.maxTokens, options.topK);
  }

  work(): ServerWork {
    return { ...this.counts };
  }

  async score(promptTokens: number[]): Promise<void> {
    const body = llamaServerCompletionRequest(promptTokens, { maxTokens: this.maxTokens, topLogprobs: this.topK });
    const response = await fetch(`${this.server.url}/completion`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`llama-server answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
    const answer = (await response.json()) as { timings?: CompletionTimings; completion_probabilities?: unknown[] };
    const timings = answer.timings ?? {};
    this.counts.promptTokens += timings.prompt_n ?? 0;
    this.counts.generatedTokens += timings.predicted_n ?? 0;
    this.counts.promptMs += timings.prompt_ms ?? 0;
    this.counts.predictedMs += timings.predicted_ms ?? 0;
    this.counts.requests++;
    if (!Array.isArray(answer.completion_probabilities)) throw new Error("llama-server sent no completion_probabilities: n_probs was ignored");
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
