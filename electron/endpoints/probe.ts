/**
 * The `endpoints:test` probe: is a saved endpoint up, how fast does it answer, and does it serve the model it is saved
 * with. The key rides inside the RemoteEndpoint (savedEndpoints.ts fetched it): nothing here logs or returns it.
 */
import type { EndpointProbe } from "../../shared/ipc/contract.ts";
import type { RemoteEndpoint } from "../../shared/remote/endpoint.ts";
import { RemoteEngineError } from "../engine/remote/errors.ts";
import { requestJson } from "../engine/remote/http.ts";

function root(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}

/**
 * One probe: an OpenAI-compatible server lists its models (`GET /v1/models`); llama-server answers `GET /health` (and
 * lists its model on `/v1/models` when it can). Never throws for a server that is down: the report says so.
 */
export async function probeEndpoint(endpoint: RemoteEndpoint, timeoutMs = 5_000): Promise<EndpointProbe> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  const get = (path: string) => requestJson({ endpointName: endpoint.name, url: new URL(`${root(endpoint.baseUrl)}${path}`), method: "GET", apiKey: endpoint.apiKey, signal });
  try {
    if (endpoint.kind === "llama-server") {
      await get("/health");
      const latencyMs = Math.round(performance.now() - started);
      const models = await get("/v1/models").then(modelIds, () => []);
      return { name: endpoint.name, reachable: true, latencyMs, models, modelServed: true };
    }
    const models = modelIds(await get("/v1/models"));
    const latencyMs = Math.round(performance.now() - started);
    const modelServed = models.includes(endpoint.model);
    return {
      name: endpoint.name,
      reachable: true,
      latencyMs,
      models,
      modelServed,
      ...(modelServed
        ? {}
        : { error: { code: "model-not-served", message: `${endpoint.name} does not serve a model named ${JSON.stringify(endpoint.model)} (it serves ${models.map((m) => JSON.stringify(m)).join(", ") || "none"})`, hint: "Set the endpoint's model to the served model name (vLLM's --served-model-name)." } }),
    };
  } catch (error) {
    const data = error instanceof RemoteEngineError ? error.toData() : { code: "connection-failed", message: `cannot reach ${endpoint.name}` };
    return { name: endpoint.name, reachable: data.code !== "connection-failed" && data.code !== "timeout", models: [], error: data };
  }
}

function modelIds(body: unknown): string[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.flatMap((entry) => (typeof (entry as { id?: unknown })?.id === "string" ? [(entry as { id: string }).id] : []));
}
