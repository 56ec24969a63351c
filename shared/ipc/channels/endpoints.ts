/** Remote endpoints ("Scale out"): saved servers that score runs (handlers: electron/host/handlers/endpoints.ts). */
import { z } from "zod";
import { ENDPOINT_KINDS, type EndpointKind } from "../../remote/endpoint.ts";
import type { ResultError } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { noFields } from "./fields.ts";

/*
 * The messages below are what the add/edit form shows next to its fields (renderer/src/features/endpoints/validate.ts
 * parses with these schemas), so each one says what to do, in words that read in the form and in an error message.
 */

/** An endpoint's name: what runs, progress and results call it. Letters, digits, `.`, `_`, `-`, `:`, `@` and spaces. */
export const endpointNameSchema = z
  .string({ error: "name must be a string" })
  .trim()
  .min(1, "give the endpoint a name")
  .max(100, "an endpoint name may hold at most 100 characters")
  .regex(/^[\p{L}\p{N}._:@ -]+$/u, "use only letters, digits, spaces and . _ - : @ in an endpoint name");
export const MAX_ENDPOINT_CONCURRENCY = 64;
const ENDPOINT_URL = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i;

/** Why `url` (trimmed, not empty) cannot be an endpoint's address, most specific reason first; undefined when it can. */
function endpointUrlProblem(url: string): string | undefined {
  if (url === "" || ENDPOINT_URL.test(url)) return undefined;
  if (!/^https?:\/\//i.test(url)) return "the address must start with http:// or https://";
  const authority = url.replace(/^https?:\/\//i, "").split(/[/?#]/)[0]!;
  if (authority.includes("@")) return "leave credentials out of the address; give a key as the API key";
  return "the address must be an http(s) URL without spaces, e.g. http://gpu-box:8000";
}

const endpointBaseUrlSchema = z
  .string({ error: "baseUrl must be a string" })
  .trim()
  .min(1, "give the server's address, e.g. http://gpu-box:8000")
  .max(2048, "an address may hold at most 2048 characters")
  .superRefine((url, context) => {
    const problem = endpointUrlProblem(url);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });
const endpointKindSchema = z.enum(ENDPOINT_KINDS, { error: `kind must be one of ${ENDPOINT_KINDS.join(", ")}` });
/** Same rule as a Hugging Face token: a key with spaces or line breaks would break the Authorization header. */
const apiKeySchema = z
  .string({ error: "apiKey must be a string" })
  .min(1, "the API key is empty (leave apiKey out to keep the stored key, or use clearApiKey)")
  .max(4096, "an API key may hold at most 4096 characters")
  .regex(/^[\x21-\x7e]+$/, "the API key contains spaces, line breaks or other characters a key never has; paste the key alone");
const concurrencyRule = `concurrency must be a whole number from 1 to ${MAX_ENDPOINT_CONCURRENCY}`;
const concurrencySchema = z.number({ error: concurrencyRule }).int(concurrencyRule).min(1, concurrencyRule).max(MAX_ENDPOINT_CONCURRENCY, concurrencyRule);

const servedModelSchema = z.string({ error: "model must be a string" }).trim().min(1, "give the served model name").max(500, "a model name may hold at most 500 characters");

/**
 * An endpoint named for one run only, never saved (`guardbench run --endpoint URL`): its key comes from the command's
 * environment and lives only as long as the run's job in that process.
 */
export const adHocEndpointSchema = z.strictObject({
  name: endpointNameSchema,
  baseUrl: endpointBaseUrlSchema,
  kind: endpointKindSchema,
  model: servedModelSchema,
  apiKey: apiKeySchema.optional(),
  /** classifications kept in flight on it (default 4) */
  concurrency: concurrencySchema.optional(),
});

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
        model: servedModelSchema,
        apiKey: apiKeySchema.optional(),
        clearApiKey: z.boolean().optional(),
        /** classifications kept in flight on this endpoint (default 4) */
        concurrency: concurrencySchema.optional(),
      })
      .refine((request) => !(request.apiKey !== undefined && request.clearApiKey), { message: "give apiKey or clearApiKey, not both" }),
    answer: answer<EndpointInfo>(),
  },
  /** removes the endpoint and its stored key; runs that used it keep its name in their settings */
  "endpoints:remove": { request: z.strictObject({ name: endpointNameSchema }), answer: answer<{ name: string; removed: boolean }>() },
  /** Probes a saved endpoint (`name`): reachable, the models it serves, latency. Never fails for an unreachable server: the report says so. */
  "endpoints:test": { request: z.strictObject({ name: endpointNameSchema }), answer: answer<EndpointProbe>() },
} as const satisfies ChannelTable;
