/** Remote endpoints ("Scale out"): saved servers that score runs (handlers: electron/host/handlers/endpoints.ts). */
import { z } from "zod";
import { ENDPOINT_KINDS, type EndpointKind } from "../../remote/endpoint.ts";
import type { ResultError } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { noFields } from "./fields.ts";

/** An endpoint's name: what runs, progress and results call it. Letters, digits, `.`, `_`, `-`, `:`, `@` and spaces. */
export const endpointNameSchema = z
  .string({ error: "name must be a string" })
  .trim()
  .min(1, "the endpoint name is empty")
  .max(100, "an endpoint name may hold at most 100 characters")
  .regex(/^[\p{L}\p{N}._:@ -]+$/u, "an endpoint name may hold only letters, digits, spaces and . _ - : @");
export const MAX_ENDPOINT_CONCURRENCY = 64;
const endpointBaseUrlSchema = z
  .string({ error: "baseUrl must be a string" })
  .trim()
  .min(1, "the base URL is empty")
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i, "baseUrl must be an http(s) URL without credentials, e.g. http://gpu-box:8000 (a key goes in apiKey)");
const endpointKindSchema = z.enum(ENDPOINT_KINDS, { error: `kind must be one of ${ENDPOINT_KINDS.join(", ")}` });
/** Same rule as a Hugging Face token: a key with spaces or line breaks would break the Authorization header. */
const apiKeySchema = z
  .string({ error: "apiKey must be a string" })
  .min(1, "the API key is empty (leave apiKey out to keep the stored key, or use clearApiKey)")
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, "the API key contains spaces, line breaks or other characters a key never has");

/** A saved endpoint as the renderer sees it: never the key, only whether there is one. */
export interface EndpointInfo {
  name: string;
  baseUrl: string;
  kind: EndpointKind;
  model: string;
  hasApiKey: boolean;
  /** classifications kept in flight on it */
  concurrency: number;
  createdAt: string;
  updatedAt: string;
}

/** `endpoints:test`: one probe of the server. */
export interface EndpointProbe {
  name: string;
  reachable: boolean;
  /** round trip of the probe, when it answered */
  latencyMs?: number;
  /** the models the server lists (OpenAI `/v1/models`; llama-server: its loaded model) */
  models: string[];
  /** whether the endpoint's `model` is among them (llama-server serves one model: true when reachable) */
  modelServed?: boolean;
  /** why it is unreachable or unusable (never contains the key) */
  error?: ResultError;
}

export const endpointChannels = {
  /** saved remote endpoints (keys never leave the main side: each says only `hasApiKey`) */
  "endpoints:list": { request: noFields, answer: answer<{ endpoints: EndpointInfo[] }>() },
  /**
   * Creates or replaces the endpoint called `name`. `apiKey` is write-only: stored like the Hugging Face token (a 0600
   * file, or the OS keychain in the app), never in the database. Leaving `apiKey` out keeps a stored key;
   * `clearApiKey: true` removes it.
   */
  "endpoints:save": {
    request: z
      .strictObject({
        name: endpointNameSchema,
        baseUrl: endpointBaseUrlSchema,
        kind: endpointKindSchema,
        /** the served model name (vLLM's `--served-model-name`); llama-server ignores it */
        model: z.string({ error: "model must be a string" }).trim().min(1, "the model name is empty").max(500),
        apiKey: apiKeySchema.optional(),
        clearApiKey: z.boolean().optional(),
        /** classifications kept in flight on this endpoint (default 4) */
        concurrency: z.number().int().min(1).max(MAX_ENDPOINT_CONCURRENCY).optional(),
      })
      .refine((request) => !(request.apiKey !== undefined && request.clearApiKey), { message: "give apiKey or clearApiKey, not both" }),
    answer: answer<EndpointInfo>(),
  },
  /** removes the endpoint and its stored key; runs that used it keep its name in their settings */
  "endpoints:remove": { request: z.strictObject({ name: endpointNameSchema }), answer: answer<{ name: string; removed: boolean }>() },
  /** Probes a saved endpoint (`name`): reachable, the models it serves, latency. Never fails for an unreachable server: the report says so. */
  "endpoints:test": { request: z.strictObject({ name: endpointNameSchema }), answer: answer<EndpointProbe>() },
} as const satisfies ChannelTable;
