/**
 * What the remote-engine integration tests share: `guardbench worker` child processes on loopback, a forwarding proxy
 * that records or stalls requests, and the comparison with the local engine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";
import { hasTokenDetails, type ClassificationResult } from "../../shared/classify/result.ts";

/** The name the test workers serve the programmed model (test/fixtures/guardAnswers.ts) under. */
export const MODEL_NAME = "unsafe-s3";

export interface WorkerProcess {
  /** `http://127.0.0.1:<port>`: the endpoint's base URL */
  url: string;
  child: ChildProcess;
  /** Ctrl+C, as a user stops it */
  stop(): Promise<void>;
  /** SIGKILL: a machine that dies */
  kill(): Promise<void>;
}

/** Starts `guardbench worker` on a free loopback port with the test settings and waits for the URL it prints. */
export async function startWorker(modelPath: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const bin = join(process.cwd(), "bin", "guardbench.js");
  const args = [bin, "worker", "--model", modelPath, "--family", "llama-guard-3-1b", "--name", MODEL_NAME, "--port", "0", "--cpu", "--threads", "1", "--context", "2048", ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /at (http:\/\/\S+)\/v1/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`guardbench worker exited with ${code} before serving: ${stderr.trim()}`)));
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
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
