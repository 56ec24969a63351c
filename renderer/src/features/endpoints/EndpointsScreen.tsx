/**
 * Endpoints: the remote servers that can score runs ("Scale out"). List with each one's kind, model, whether a key is
 * stored and its last connection test; add and edit (the key is a write-only password field); test; remove.
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { MAX_ENDPOINT_CONCURRENCY, type EndpointInfo } from "../../../../shared/ipc/index.ts";
import { ENDPOINT_KINDS, type EndpointKind } from "../../../../shared/remote/endpoint.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatDateTime, formatMs } from "../../components/format.ts";
import { Panel, RefreshButton, ScreenHeader } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { endpointsSelectors } from "./selectors.ts";
import type { EndpointTestState } from "./slice.ts";
import { draftOf, validateEndpoint, type EndpointFields, type FieldErrors } from "./validate.ts";

export const KIND_LABELS: Record<EndpointKind, string> = {
  "openai-completions": "OpenAI-compatible completions",
  "llama-server": "llama.cpp llama-server",
};

const KIND_HINTS: Record<EndpointKind, string> = {
  "openai-completions": "vLLM, guardbench worker, or any server with /v1/completions and log-probabilities.",
  "llama-server": "llama.cpp's own /completion; it serves one model and ignores the model name.",
};

export function EndpointsScreen() {
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const form = useRef<HTMLDivElement>(null);
  function edit(name: string) {
    setEditing(name);
    // Bring the form to the keyboard user: its first field takes focus once it shows this endpoint.
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>("input:not([readonly]), select")?.focus());
  }
  return (
    <div className="screen">
      <ScreenHeader title="Endpoints" description="Remote servers that score runs alongside this machine or instead of it. Keys stay on the main side: this screen only says whether one is stored." />
      <div className="stack">
        <EndpointList onEdit={edit} />
        <div ref={form}>
          <EndpointForm key={editing ?? "new"} editing={editing} onDone={() => setEditing(undefined)} />
        </div>
      </div>
    </div>
  );
}

function EndpointList({ onEdit }: { onEdit(name: string): void }) {
  const endpoints = useAppStore(endpointsSelectors.list);
  const loaded = useAppStore(endpointsSelectors.loaded);
  const listError = useAppStore(endpointsSelectors.listError);
  const actionError = useAppStore(endpointsSelectors.actionError);
  const refresh = useAppStore((s) => s.refreshEndpoints);
  return (
    <Panel
      title="Saved endpoints"
      actions={<RefreshButton onRefresh={refresh} />}
    >
      {listError && <ErrorMessage error={listError} title="The endpoints could not be listed" />}
      {actionError && <ErrorMessage error={actionError} />}
      {endpoints.length === 0 ? (
        <p className="empty">{loaded ? "No endpoint yet. Add one below; runs use this machine until then." : "Loading…"}</p>
      ) : (
        <div className="table-scroll">
          <table className="table endpoints-table" aria-label="Endpoint list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Model</th>
                <th scope="col">API key</th>
                <th scope="col">Concurrency</th>
                <th scope="col">Last test</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {endpoints.map((endpoint) => (
                <EndpointRow key={endpoint.name} endpoint={endpoint} onEdit={onEdit} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function EndpointRow({ endpoint, onEdit }: { endpoint: EndpointInfo; onEdit(name: string): void }) {
  const test = useAppStore(endpointsSelectors.test(endpoint.name));
  const testEndpoint = useAppStore((s) => s.testEndpoint);
  const removeEndpoint = useAppStore((s) => s.removeEndpoint);
  const [confirming, setConfirming] = useState(false);
  const { name } = endpoint;
  return (
    <tr>
      <th scope="row" className="endpoint-name">
        {name}
        <div className="muted small endpoint-url">{endpoint.baseUrl}</div>
      </th>
      <td className="small">{KIND_LABELS[endpoint.kind]}</td>
      <td className="small endpoint-model">{endpoint.model}</td>
      <td>{endpoint.hasApiKey ? <span className="badge badge-ok">stored</span> : <span className="badge badge-muted">none</span>}</td>
      <td>{endpoint.concurrency}</td>
      <td className="endpoint-test-cell">
        <TestResult name={name} model={endpoint.model} test={test} />
      </td>
      <td>
        <div className="endpoint-actions">
          <button type="button" className="button button-small" onClick={() => !test.testing && void testEndpoint(name)} aria-label={`Test connection to ${name}`} aria-disabled={test.testing}>
            {test.testing ? "Testing…" : "Test connection"}
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => onEdit(name)} aria-label={`Edit ${name}`}>
            Edit
          </button>
          {confirming ? (
            <>
              <button type="button" className="button button-small button-danger" onClick={() => void removeEndpoint(name).then((removed) => !removed && setConfirming(false))} aria-label={`Confirm removing ${name}`}>
                Remove
              </button>
              <button type="button" className="button button-quiet button-small" onClick={() => setConfirming(false)} aria-label={`Keep ${name}`}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="button button-quiet button-small button-danger-text" onClick={() => setConfirming(true)} aria-label={`Remove ${name}`}>
              Remove
            </button>
          )}
        </div>
        {confirming && <p className="small field-error">Remove {name} and its stored key? Runs that used it keep its name.</p>}
      </td>
    </tr>
  );
}

/** The last connection test, announced politely when it changes. */
function TestResult({ name, model, test }: { name: string; model: string; test: EndpointTestState }) {
  const { probe, error } = test;
  let body: ReactNode = <span className="muted small">not tested</span>;
  if (test.testing) body = <span className="muted small">testing…</span>;
  else if (error) body = <span className="small field-error">Test failed: {error.message}</span>;
  else if (probe && !probe.reachable)
    body = (
      <span className="small">
        <span className="badge badge-danger">unreachable</span> {probe.error?.message}
        {probe.error?.hint && <span className="muted"> {probe.error.hint}</span>}
      </span>
    );
  else if (probe)
    body = (
      <span className="small">
        {/* Reachable but refusing (a wrong key, a 5xx) is not a healthy endpoint: the badge must not look like one. */}
        {probe.error ? <span className="badge badge-danger">refused</span> : <span className={`badge ${probe.modelServed === false ? "badge-accent" : "badge-ok"}`}>reachable</span>}
        {probe.latencyMs !== undefined && ` ${formatMs(probe.latencyMs)}`}
        {probe.modelServed === false ? ` · ${model} is not served` : ""}
        {probe.models.length > 0 && ` · serves ${probe.models.join(", ")}`}
        {probe.error && <span className="field-error"> {probe.error.message}</span>}
        {test.at && <span className="muted"> · {formatDateTime(test.at)}</span>}
      </span>
    );
  return (
    <div role="status" aria-live="polite" aria-label={`Connection test of ${name}`}>
      {body}
    </div>
  );
}

const EMPTY_FIELDS: EndpointFields = { name: "", baseUrl: "", kind: "openai-completions", model: "", apiKey: "", clearApiKey: false, concurrency: "" };

function fieldsOf(endpoint: EndpointInfo | undefined): EndpointFields {
  if (!endpoint) return EMPTY_FIELDS;
  return { name: endpoint.name, baseUrl: endpoint.baseUrl, kind: endpoint.kind, model: endpoint.model, apiKey: "", clearApiKey: false, concurrency: String(endpoint.concurrency) };
}

function EndpointForm({ editing, onDone }: { editing?: string; onDone(): void }) {
  const existing = useAppStore(endpointsSelectors.endpoint(editing));
  const endpoints = useAppStore(endpointsSelectors.list);
  const saving = useAppStore(endpointsSelectors.saving);
  const saveError = useAppStore(endpointsSelectors.saveError);
  const saveEndpoint = useAppStore((s) => s.saveEndpoint);
  const clearSaveError = useAppStore((s) => s.clearEndpointSaveError);
  const [fields, setFields] = useState<EndpointFields>(() => fieldsOf(existing));
  const [submitted, setSubmitted] = useState(false);
  const base = useId();
  const id = (field: string) => `${base}-${field}`;
  const takenNames = editing ? [] : endpoints.map((endpoint) => endpoint.name);
  const errors: FieldErrors = submitted ? validateEndpoint(fields, takenNames) : {};
  const set = <K extends keyof EndpointFields>(key: K, value: EndpointFields[K]) => setFields((current) => ({ ...current, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (saving || Object.keys(validateEndpoint(fields, takenNames)).length > 0) return;
    const saved = await saveEndpoint(draftOf(fields));
    if (saved) {
      // Forget the typed key with everything else: the main side has it now.
      setFields(EMPTY_FIELDS);
      setSubmitted(false);
      onDone();
    }
  }

  function cancel() {
    clearSaveError();
    onDone();
  }

  const described = (field: keyof FieldErrors, hint?: string) => ({
    "aria-invalid": errors[field] ? true : undefined,
    "aria-describedby": [errors[field] && id(`${field}-error`), hint].filter(Boolean).join(" ") || undefined,
  });
  const fieldError = (field: keyof FieldErrors) =>
    errors[field] && (
      <p id={id(`${field}-error`)} className="field-error">
        {errors[field]}
      </p>
    );

  return (
    <Panel title={editing ? `Edit ${editing}` : "Add an endpoint"}>
      <form className="endpoint-form" onSubmit={(event) => void submit(event)} noValidate aria-label={editing ? `Edit endpoint ${editing}` : "Add an endpoint"}>
        <div className="field">
          <label htmlFor={id("name")} className="field-label">
            Name
          </label>
          <input id={id("name")} className="input" value={fields.name} readOnly={Boolean(editing)} onChange={(event) => set("name", event.target.value)} autoComplete="off" {...described("name", editing ? id("name-hint") : undefined)} />
          {editing && (
            <p id={id("name-hint")} className="field-hint">
              The name identifies the endpoint in runs; to rename, add a new one and remove this one.
            </p>
          )}
          {fieldError("name")}
        </div>
        <div className="field">
          <label htmlFor={id("baseUrl")} className="field-label">
            Base URL
          </label>
          <input id={id("baseUrl")} className="input" type="url" inputMode="url" placeholder="http://gpu-box:8000" value={fields.baseUrl} onChange={(event) => set("baseUrl", event.target.value)} autoComplete="off" {...described("baseUrl")} />
          {fieldError("baseUrl")}
        </div>
        <div className="field">
          <label htmlFor={id("kind")} className="field-label">
            Kind
          </label>
          <select id={id("kind")} className="select" value={fields.kind} onChange={(event) => set("kind", event.target.value as EndpointKind)} aria-describedby={id("kind-hint")}>
            {ENDPOINT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {KIND_LABELS[kind]}
              </option>
            ))}
          </select>
          <p id={id("kind-hint")} className="field-hint">
            {KIND_HINTS[fields.kind]}
          </p>
        </div>
        <div className="field">
          <label htmlFor={id("model")} className="field-label">
            Model
          </label>
          <input id={id("model")} className="input" placeholder="llama-guard-3-8b" value={fields.model} onChange={(event) => set("model", event.target.value)} autoComplete="off" {...described("model")} />
          {fieldError("model")}
        </div>
        <div className="field">
          <label htmlFor={id("apiKey")} className="field-label">
            API key
          </label>
          <input
            id={id("apiKey")}
            className="input"
            type="password"
            value={fields.apiKey}
            onChange={(event) => set("apiKey", event.target.value)}
            autoComplete="new-password"
            spellCheck={false}
            placeholder={existing?.hasApiKey ? "stored — leave empty to keep it" : "optional"}
            {...described("apiKey", id("apiKey-hint"))}
          />
          <p id={id("apiKey-hint")} className="field-hint">
            Sent once to be stored on the main side; it is never shown again.
          </p>
          {fieldError("apiKey")}
          {existing?.hasApiKey && (
            <label className="endpoint-check">
              <input type="checkbox" checked={fields.clearApiKey} disabled={fields.apiKey !== ""} onChange={(event) => set("clearApiKey", event.target.checked)} />
              Remove the stored key
            </label>
          )}
        </div>
        <div className="field">
          <label htmlFor={id("concurrency")} className="field-label">
            Concurrency
          </label>
          <input id={id("concurrency")} className="input input-narrow" type="number" min={1} max={MAX_ENDPOINT_CONCURRENCY} step={1} placeholder="4" value={fields.concurrency} onChange={(event) => set("concurrency", event.target.value)} {...described("concurrency", id("concurrency-hint"))} />
          <p id={id("concurrency-hint")} className="field-hint">
            Classifications kept in flight on this server; empty for the default (4).
          </p>
          {fieldError("concurrency")}
        </div>
        <div className="endpoint-form-actions">
          <button type="submit" className="button button-primary" aria-disabled={saving}>
            {saving ? "Saving…" : editing ? "Save changes" : "Add endpoint"}
          </button>
          {editing && (
            <button type="button" className="button button-quiet" onClick={cancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
      {saveError && <ErrorMessage error={saveError} title="The endpoint could not be saved" />}
    </Panel>
  );
}
