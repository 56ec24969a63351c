/**
 * What the remote-engine integration tests share: `guardbench worker` child processes on loopback, a forwarding proxy
 * that records or stalls requests, and the comparison with the local engine.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { startWorkerProcess, type WorkerProcess } from "./workerProcess.ts";

export type { WorkerProcess };
import { hasTokenDetails, type ClassificationResult } from "../../shared/classify/result.ts";

/** The name the test workers serve the programmed model (test/fixtures/guardAnswers.ts) under. */
export const MODEL_NAME = "unsafe-s3";

/** Starts `guardbench worker` serving the programmed model as MODEL_NAME (see test/support/workerProcess.ts). */
export function startWorker(modelPath: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  return startWorkerProcess(modelPath, { name: MODEL_NAME, extraArgs, env });
}

export interface Proxy {
  url: string;
  /** requests seen, in order, with their JSON bodies (GET: undefined) */
  requests: Array<{ method: string; path: string; body: unknown }>;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target`, recording it; from request `stallAfter + 1` on it answers nothing at all (as a
 * wedged server would), model-list probes included.
 */
export async function startProxy(target: string, options: { stallAfter?: number } = {}): Promise<Proxy> {
  const requests: Proxy["requests"] = [];
  const held: ServerResponse[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString()));
    request.on("end", () => {
      requests.push({ method: request.method!, path: request.url!, body: text ? JSON.parse(text) : undefined });
      if (requests.length > (options.stallAfter ?? Infinity)) {
        held.push(response);
        return;
      }
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (request.headers.authorization) headers.authorization = request.headers.authorization;
      fetch(`${target}${request.url}`, { method: request.method, headers, ...(text ? { body: text } : {}) })
        .then(async (answer) => response.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text()))
        .catch((error: unknown) => response.writeHead(502).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of held) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface SameAsLocalOptions {
  /** asserts that a remote probability agrees with the local one (default: within 1e-6) */
  close?(actual: number, expected: number, what: string): void;
  /**
   * Alternatives at or below this probability tie (a programmed model gives every unprogrammed token logit 0), and
   * which of them fill a top-k list is each implementation's tie-break: only those above it are compared, in order.
   * Without it, the whole lists are.
   */
  tiesBelow?: number;
}

/** The remote result carries what the local engine computes, to 1e-6 for probabilities, and says where it came from. */
export function expectSameAsLocal(remote: ClassificationResult, local: ClassificationResult, options: SameAsLocalOptions = {}): void {
  const close = options.close ?? ((actual: number, expected: number, what: string) => expect(Math.abs(actual - expected), what).toBeLessThan(1e-6));
  expect(remote.verdict).toBe(local.verdict);
  expect(remote.categories).toEqual(local.categories);
  expect(remote.outputText).toBe(local.outputText);
  expect(remote.decisionTokenIndex).toBe(local.decisionTokenIndex);
  expect(remote.target).toBe(local.target);
  expect(remote.prompt).toEqual(local.prompt);
  expect(remote.flagged).toBe(local.flagged);
  close(remote.pUnsafe, local.pUnsafe, "P(unsafe)");
  close(remote.pSafe, local.pSafe, "P(safe)");
  close(remote.pUnsafeNormalized, local.pUnsafeNormalized, "normalised P(unsafe)");
  expect(remote.tokens.map((t) => [t.id, t.text])).toEqual(local.tokens.map((t) => [t.id, t.text]));
  remote.tokens.forEach((token, i) => {
    const expected = local.tokens[i]!;
    // Both engines score with every token's details here (no deferTokenDetails).
    if (!hasTokenDetails(token) || !hasTokenDetails(expected)) throw new Error(`token ${i} has no probability and alternatives`);
    close(token.p, expected.p, `token ${i}`);
    const compared = options.tiesBelow === undefined ? expected.top : expected.top.filter((alternative) => alternative.p > options.tiesBelow!);
    const top = options.tiesBelow === undefined ? token.top : token.top.slice(0, compared.length);
    expect(top.map((t) => [t.id, t.text])).toEqual(compared.map((t) => [t.id, t.text]));
    compared.forEach((alternative, j) => close(top[j]!.p, alternative.p, `token ${i} alternative ${j}`));
  });
  expect(remote.categoryScores.map((c) => [c.code, c.name])).toEqual(local.categoryScores.map((c) => [c.code, c.name]));
  remote.categoryScores.forEach((score, i) => close(score.p, local.categoryScores[i]!.p, `category ${score.code}`));
  expect(remote.probabilitySource).toBe("server-top-k");
}
