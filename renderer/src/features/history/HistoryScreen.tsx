/** Past classifications, newest first; Open shows one again on the Classify screen. */
import type { HistorySummary } from "../../../../shared/ipc/index.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatDateTime, formatScore } from "../../components/format.ts";
import { Panel, ScreenHeader } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { historySelectors } from "./selectors.ts";

export function HistoryScreen() {
  const items = useAppStore(historySelectors.items);
  const hasMore = useAppStore(historySelectors.hasMore);
  const loading = useAppStore(historySelectors.loading);
  const error = useAppStore(historySelectors.error);
  const loadMore = useAppStore((s) => s.loadMoreHistory);
  const refresh = useAppStore((s) => s.refreshHistory);
  return (
    <div className="screen">
      <ScreenHeader title="History" description="Every classification is kept on this machine. Open one to see its conversation and result again.">
        <button type="button" className="button" onClick={() => void refresh()}>
          Refresh
        </button>
      </ScreenHeader>
      <Panel title="Classifications">
        {error && <ErrorMessage error={error} />}
        {items.length === 0 && !loading ? (
          <p className="empty">No classifications yet.</p>
        ) : (
          <table className="table history-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Verdict</th>
                <th scope="col">P(unsafe)</th>
                <th scope="col">Checked turn</th>
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

function HistoryRow({ item }: { item: HistorySummary }) {
  const open = useAppStore((s) => s.openHistoryEntry);
  const openingId = useAppStore(historySelectors.openingId);
  return (
    <tr>
      <td className="nowrap">{formatDateTime(item.createdAt)}</td>
      <td>
        <span className={`verdict verdict-small verdict-${item.verdict}`}>{item.verdict}</span>
        {item.categories.length > 0 && <span className="mono small"> {item.categories.join(", ")}</span>}
        {item.flagged && <span className="badge badge-danger">flagged</span>}
      </td>
      <td className="mono">{formatScore(item.pUnsafe)}</td>
      <td className="history-preview">
        <span className="muted small">{item.target === "prompt" ? "prompt" : "response"}: </span>
        {item.preview}
      </td>
      <td className="small">
        {item.policyName}
        {item.policyVersion ? ` v${item.policyVersion}` : ""}
        <div className="muted">{FAMILY_LABELS[item.family]}</div>
      </td>
      <td>
        <button type="button" className="button button-small" onClick={() => void open(item.id)} aria-label={`Open classification ${item.id}`}>
          {openingId === item.id ? "Opening…" : "Open"}
        </button>
      </td>
    </tr>
  );
}
