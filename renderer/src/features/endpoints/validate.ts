/**
 * The add/edit form's checks: the draft the form would send, parsed with the schema `endpoints:save` is checked with on
 * the main side (shared/ipc/channels/endpoints.ts), each problem shown next to its field before anything is sent. Only
 * the check that a new endpoint's name is not taken is the form's own (saving under a taken name replaces it).
 */
import { requestSchemas } from "../../../../shared/ipc/index.ts";
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

const CHECKED_FIELDS = ["name", "baseUrl", "model", "apiKey", "concurrency"] as const;
type CheckedField = (typeof CHECKED_FIELDS)[number];

export type FieldErrors = Partial<Record<CheckedField, string>>;

function isCheckedField(key: PropertyKey | undefined): key is CheckedField {
  return (CHECKED_FIELDS as readonly PropertyKey[]).includes(key!);
}

/** "give the endpoint a name" → "Give the endpoint a name." */
function asSentence(message: string): string {
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

export function validateEndpoint(fields: EndpointFields, takenNames: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  const parsed = requestSchemas["endpoints:save"].safeParse(draftOf(fields));
  for (const issue of parsed.error?.issues ?? []) {
    const field = issue.path[0];
    // The first problem of each field is the one to fix first.
    if (isCheckedField(field) && errors[field] === undefined) errors[field] = asSentence(issue.message);
  }
  const name = fields.name.trim();
  if (errors.name === undefined && takenNames.includes(name)) errors.name = `There is already an endpoint called ${name}.`;
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
