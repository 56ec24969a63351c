/**
 * Past classifications, newest first: model, policy version and verdict per entry; searched by text, filtered by verdict,
 * model and policy; Open shows one again on the Classify screen, Delete removes it for good (after asking).
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { VerdictKind } from "../../../../shared/classify/result.ts";
import type { HistorySummary } from "../../../../shared/ipc/index.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { fileNameOf, formatDateTime, formatScore } from "../../components/format.ts";
import { Kbd, Panel, ScreenHeader } from "../../components/Panel.tsx";
import { isTyping } from "../../lib/typing.ts";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { historySelectors } from "./selectors.ts";

/** Typing pauses this long before the main side searches again. */
const SEARCH_DEBOUNCE_MS = 250;


export function HistoryScreen() {
  const items = useAppStore(historySelectors.items);
  const hasMore = useAppStore(historySelectors.hasMore);
  const loading = useAppStore(historySelectors.loading);
  const error = useAppStore(historySelectors.error);
  const filters = useAppStore(historySelectors.filters);
  const loadMore = useAppStore((s) => s.loadMoreHistory);
  const refresh = useAppStore((s) => s.refreshHistory);
  const filtered = filters.query.trim() !== "" || filters.verdict !== undefined || filters.modelPath !== undefined || filters.policyName !== undefined;
  return (
    <div className="screen">
      <ScreenHeader title="History" description="Every classification is kept on this machine. Open one to see its conversation and result again.">
        <button type="button" className="button" onClick={() => void refresh()}>
          Refresh
        </button>
      </ScreenHeader>
      <Panel title="Classifications">
        <HistoryFilters />
        {error && <ErrorMessage error={error} />}
        {items.length === 0 && !loading ? (
          <p className="empty">{filtered ? "No classification matches these filters." : "No classifications yet."}</p>
        ) : (
          <table className="table history-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Verdict</th>
                <th scope="col">P(unsafe)</th>
                <th scope="col">Checked turn</th>
                <th scope="col">Model</th>
                <th scope="col">Policy</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <HistoryRow key={item.id} item={item} />
              ))}
            </tbody>
          </table>
        )}
        {hasMore && (
          <button type="button" className="button" onClick={() => void loadMore()} aria-disabled={loading}>
            {loading ? "Loading…" : "Load older"}
          </button>
        )}
      </Panel>
    </div>
  );
}

const VERDICTS: readonly VerdictKind[] = ["unsafe", "safe", "unparseable"];

function HistoryFilters() {
  const searchId = useId();
  const filters = useAppStore(historySelectors.filters);
  const facets = useAppStore(historySelectors.facets);
  const setFilters = useAppStore((s) => s.setHistoryFilters);
  const [query, setQuery] = useState(filters.query);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (query === filters.query) return;
    const timer = setTimeout(() => void setFilters({ query }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, filters.query, setFilters]);

  // "/" goes to the search, as on most sites with one search box.
  useEffect(() => {
    function onKeyDown(event: globalThis.KeyboardEvent) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      search.current?.focus();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  const policyValue = filters.policyName === undefined ? "" : JSON.stringify([filters.policyName, filters.policyVersion ?? null]);
  return (
    <div className="history-filters" role="search" aria-label="Search the history">
      <div className="field field-grow">
        <label htmlFor={searchId} className="field-label">
          Search the conversations <Kbd>/</Kbd>
        </label>
        <input ref={search} id={searchId} className="input" type="search" value={query} placeholder="Words that must all occur" onChange={(event) => setQuery(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${searchId}-verdict`} className="field-label">
          Verdict
        </label>
        <select id={`${searchId}-verdict`} className="select" value={filters.verdict ?? ""} onChange={(event) => void setFilters({ verdict: (event.target.value || undefined) as VerdictKind | undefined })}>
          <option value="">Any</option>
          {VERDICTS.map((verdict) => (
            <option key={verdict} value={verdict}>
              {verdict}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${searchId}-model`} className="field-label">
          Model
        </label>
        <select id={`${searchId}-model`} className="select" value={filters.modelPath ?? ""} onChange={(event) => void setFilters({ modelPath: event.target.value || undefined })}>
          <option value="">Any</option>
          {(facets?.models ?? []).map((model) => (
            <option key={model.path} value={model.path}>
              {fileNameOf(model.path)} ({model.entries})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${searchId}-policy`} className="field-label">
          Policy
        </label>
        <select
          id={`${searchId}-policy`}
          className="select"
          value={policyValue}
          onChange={(event) => {
            const [policyName, policyVersion] = event.target.value === "" ? [undefined, undefined] : (JSON.parse(event.target.value) as [string, number | null]);
            void setFilters({ policyName, policyVersion: policyVersion ?? undefined });
          }}
        >
          <option value="">Any</option>
          {(facets?.policies ?? []).flatMap((policy) => [
            <option key={policy.name} value={JSON.stringify([policy.name, null])}>
              {policy.name}, any version ({policy.entries})
            </option>,
            ...policy.versions.map((version) => (
              <option key={`${policy.name}@${version}`} value={JSON.stringify([policy.name, version])}>
                {policy.name} v{version}
              </option>
            )),
          ])}
        </select>
      </div>
    </div>
  );
}

function HistoryRow({ item }: { item: HistorySummary }) {
  const open = useAppStore((s) => s.openHistoryEntry);
  const openingId = useAppStore(historySelectors.openingId);
  const confirmingId = useAppStore(historySelectors.confirmingDeleteId);
  const ask = useAppStore((s) => s.askToDeleteHistoryEntry);
  const remove = useAppStore((s) => s.deleteHistoryEntry);
  const confirming = confirmingId === item.id;

  function onKeyDown(event: KeyboardEvent<HTMLTableRowElement>) {
    if (event.key === "Delete" && !isTyping(event.target)) {
      event.preventDefault();
      ask(item.id);
    } else if (event.key === "Escape" && confirming) {
      event.stopPropagation();
      ask(undefined);
    }
  }

  return (
    <tr onKeyDown={onKeyDown}>
      <td className="nowrap">{formatDateTime(item.createdAt)}</td>
      <td>
        <span className={`verdict verdict-small verdict-${item.verdict}`}>{item.verdict}</span>
        {item.categories.length > 0 && <span className="mono small"> {item.categories.join(", ")}</span>}
        {item.flagged && <span className="badge badge-danger">flagged</span>}
      </td>
      <td className="mono">{formatScore(item.pUnsafe)}</td>
      <td className="history-preview">
        <span className="muted small">{item.target === "prompt" ? "prompt" : "response"}: </span>
        {item.preview === "" ? <span className="muted">(empty)</span> : item.preview}
      </td>
      <td className="small history-model">
        <span className="mono">{fileNameOf(item.modelPath)}</span>
        <div className="muted">{FAMILY_LABELS[item.family]}</div>
      </td>
      <td className="small">
        {item.policyName}
        <div className="muted">{item.policyVersion ? `saved version ${item.policyVersion}` : "unsaved draft"}</div>
      </td>
      <td className="nowrap">
        {confirming ? (
          <ConfirmDelete id={item.id} onConfirm={() => void remove(item.id)} onCancel={() => ask(undefined)} />
        ) : (
          <div className="button-row">
            <button type="button" className="button button-small" onClick={() => void open(item.id)} aria-label={`Open classification ${item.id}`}>
              {openingId === item.id ? "Opening…" : "Open"}
            </button>
            <button type="button" className="button button-quiet button-small button-danger-text" onClick={() => ask(item.id)} aria-label={`Delete classification ${item.id}`} aria-keyshortcuts="Delete">
              Delete
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

function ConfirmDelete({ id, onConfirm, onCancel }: { id: number; onConfirm(): void; onCancel(): void }) {
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  return (
    <div className="button-row" role="group" aria-label={`Delete classification ${id}?`}>
      <button ref={confirm} type="button" className="button button-small button-danger" onClick={onConfirm}>
        Delete for good
      </button>
      <button type="button" className="button button-quiet button-small" onClick={onCancel}>
        Keep
      </button>
    </div>
  );
}
