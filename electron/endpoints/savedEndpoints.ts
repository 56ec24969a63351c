/**
 * Saved endpoints turned into what the remote engine takes, the key fetched from the key store at the last moment.
 * Keys stay inside RemoteEndpoint objects: nothing here logs or returns them.
 */
import type { EndpointInfo } from "../../shared/ipc/contract.ts";
import type { RemoteEndpoint } from "../../shared/remote/endpoint.ts";
import { CodedError } from "../../shared/errors/codedError.ts";
import type { SecretStore } from "./keyStore.ts";
import type { GuardbenchStore } from "../store/index.ts";

export class EndpointError extends CodedError<"endpoint-not-found"> {}

export interface ScoringEndpoint {
  endpoint: RemoteEndpoint;
  /** classifications in flight on it */
  concurrency: number;
}

/** The saved endpoints called `names`, with their keys; refuses a name that is not saved (or no longer). */
export async function resolveSavedEndpoints(store: GuardbenchStore, secrets: SecretStore, names: readonly string[]): Promise<ScoringEndpoint[]> {
  const resolved: ScoringEndpoint[] = [];
  for (const name of names) {
    const info = store.endpoints.find(name);
    if (!info) throw new EndpointError("endpoint-not-found", `no saved endpoint is named ${JSON.stringify(name)}`, "Save it again (endpoints:save), or start the run with the endpoints that exist (endpoints:list).");
    resolved.push({ endpoint: await withKey(info, secrets), concurrency: info.concurrency });
  }
  return resolved;
}

export async function withKey(info: EndpointInfo, secrets: SecretStore): Promise<RemoteEndpoint> {
  const apiKey = info.hasApiKey ? await secrets.get(info.name) : undefined;
  return { name: info.name, baseUrl: info.baseUrl, kind: info.kind, model: info.model, ...(apiKey ? { apiKey } : {}) };
}
