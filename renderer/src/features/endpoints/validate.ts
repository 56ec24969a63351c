/**
 * The add/edit form's checks, the same rules `endpoints:save` applies on the main side (shared/ipc/contract.ts), so a
 * mistake is shown next to its field before anything is sent.
 */
import { MAX_ENDPOINT_CONCURRENCY } from "../../../../shared/ipc/index.ts";
import type { EndpointKind } from "../../../../shared/remote/endpoint.ts";
import type { EndpointDraft } from "./slice.ts";

export interface EndpointFields {
  name: string;
  baseUrl: string;
  kind: EndpointKind;
  model: string;
  apiKey: string;
  clearApiKey: boolean;
  /** as typed; empty means the main side's default */
  concurrency: string;
}

export type FieldErrors = Partial<Record<"name" | "baseUrl" | "model" | "apiKey" | "concurrency", string>>;

const NAME_PATTERN = /^[\p{L}\p{N}._:@ -]+$/u;

export function validateEndpoint(fields: EndpointFields, takenNames: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  const name = fields.name.trim();
  if (name === "") errors.name = "Give the endpoint a name.";
  else if (name.length > 100) errors.name = "A name may hold at most 100 characters.";
  else if (!NAME_PATTERN.test(name)) errors.name = "Use only letters, digits, spaces and . _ - : @";
  else if (takenNames.includes(name)) errors.name = `There is already an endpoint called ${name}.`;

  const baseUrl = fields.baseUrl.trim();
  if (baseUrl === "") errors.baseUrl = "Give the server's address, e.g. http://gpu-box:8000.";
  else {
    let url: URL | undefined;
    try {
      url = new URL(baseUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) errors.baseUrl = "The address must start with http:// or https://.";
    else if (url.username !== "" || url.password !== "") errors.baseUrl = "Leave credentials out of the address; put a key in API key.";
  }

  if (fields.model.trim() === "") errors.model = "Give the served model name.";
  if (fields.apiKey !== "" && !/^[\x21-\x7e]+$/.test(fields.apiKey)) errors.apiKey = "The key contains spaces, line breaks or other characters a key never has.";

  const concurrency = fields.concurrency.trim();
  if (concurrency !== "") {
    const value = Number(concurrency);
    if (!Number.isInteger(value) || value < 1 || value > MAX_ENDPOINT_CONCURRENCY) errors.concurrency = `A whole number from 1 to ${MAX_ENDPOINT_CONCURRENCY}.`;
  }
  return errors;
}

export function draftOf(fields: EndpointFields): EndpointDraft {
  const concurrency = fields.concurrency.trim();
  return {
    name: fields.name.trim(),
    baseUrl: fields.baseUrl.trim(),
    kind: fields.kind,
    model: fields.model.trim(),
    ...(fields.apiKey !== "" ? { apiKey: fields.apiKey } : fields.clearApiKey ? { clearApiKey: true } : {}),
    ...(concurrency !== "" && { concurrency: Number(concurrency) }),
  };
}
