/**
 * The review queue, keyboard-first (keys.ts): the whole queue on the left as a virtualised list (only the rows in view
 * are in the page, however long the dataset), the current item on the right with its conversation, the run's verdict,
 * and the human label (shown as saved only once the main side answered).
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useId, useRef } from "react";
import { ConversationTurns } from "../../components/ConversationTurns.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatScore } from "../../components/format.ts";
import { Kbd, Panel, ScreenHeader } from "../../components/Panel.tsx";
import { RunOptions } from "../../components/RunOptions.tsx";
import { useAppStore } from "../../store/index.ts";
import { datasetsSelectors } from "../datasets/selectors.ts";
import { runsSelectors } from "../runs/selectors.ts";
import { LEADER_KEY } from "./categoryKeys.ts";
import { handleReviewKey } from "./keys.ts";
import { reviewSelectors, shownLabel, type CategoryChip, type ShownLabel } from "./selectors.ts";
import { reviewItemAt } from "./slice.ts";

/** Every queue row has this height (CSS .review-row), so the list can place any row without measuring it. */
const ROW_HEIGHT = 60;

export function ReviewScreen() {
  const datasetId = useAppStore(reviewSelectors.datasetId);
  const note = useRef<HTMLTextAreaElement>(null);
  const queue = useRef<HTMLUListElement>(null);
  useReviewKeys(note, queue);
  useRefreshDatasetsOnLeave();
  return (
    <div className="screen">
      <ScreenHeader
        title="Review"
        description="Label items with the keyboard: j/k move, Shift+J next unlabeled, s safe, u unsafe, the number keys toggle categories (as each chip shows), f full result, n note, z undo. Press ? for all keys."
      />
      <QueuePicker />
      {datasetId === undefined ? (
        <p className="empty">Choose a dataset (and a run) to review.</p>
      ) : (
        <>
          <Filters />
          <QueueProgress />
          <div className="review-layout">
            <QueueList listRef={queue} />
            <CurrentItem noteRef={note} />
          </div>
        </>
      )}
    </div>
  );
}

/** The dataset list counts labels (safe / unsafe / reviewed): re-read it once when the reviewer leaves, not per key. */
function useRefreshDatasetsOnLeave() {
  const refreshDatasets = useAppStore((s) => s.refreshDatasets);
  useEffect(
    () => () => {
      void refreshDatasets();
    },
    [refreshDatasets],
  );
}

function useReviewKeys(note: React.RefObject<HTMLTextAreaElement | null>, queue: React.RefObject<HTMLUListElement | null>) {
  const moveReview = useAppStore((s) => s.moveReview);
  const selectReviewItem = useAppStore((s) => s.selectReviewItem);
  const nextUnlabeled = useAppStore((s) => s.nextUnlabeled);
  const labelCurrent = useAppStore((s) => s.labelCurrent);
  const toggle = useAppStore((s) => s.toggleReviewCategorySlot);
  const setLeaders = useAppStore((s) => s.setReviewKeyLeaders);
  const undo = useAppStore((s) => s.undoLabel);
  const openResult = useAppStore((s) => s.openResult);
  const leaders = useAppStore(reviewSelectors.keyLeaders);
  const total = useAppStore(reviewSelectors.total);
  const runId = useAppStore(reviewSelectors.runId);
  const itemId = useAppStore((s) => reviewSelectors.current(s)?.itemId);
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const handled = handleReviewKey(
        event,
        {
          move: moveReview,
          moveToEnd: (end) => selectReviewItem(end === "first" ? 0 : total - 1),
          nextUnlabeled: (direction) => void nextUnlabeled(direction),
          label: (label) => void labelCurrent(label),
          toggleCategorySlot: toggle,
          setLeaders,
          openFullResult: () => runId !== undefined && itemId !== undefined && void openResult(runId, itemId),
          focusNote: () => note.current?.focus(),
          leaveNote: () => queue.current?.focus(),
          undo: () => void undo(),
        },
        leaders,
      );
      if (handled) event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [moveReview, selectReviewItem, nextUnlabeled, labelCurrent, toggle, setLeaders, undo, openResult, leaders, total, runId, itemId, note, queue]);
}

function QueuePicker() {
  const datasets = useAppStore(datasetsSelectors.list);
  const runs = useAppStore(runsSelectors.list);
  const datasetId = useAppStore(reviewSelectors.datasetId);
  const runId = useAppStore(reviewSelectors.runId);
  const openReview = useAppStore((s) => s.openReview);
  const ids = { dataset: useId(), run: useId() };
  const datasetRuns = runs.filter((run) => run.datasetId === datasetId);
  return (
    <div className="inline-form review-picker">
      <label htmlFor={ids.dataset} className="field-label">
        Dataset
      </label>
      <select id={ids.dataset} className="select select-small" value={datasetId ?? ""} onChange={(event) => event.target.value !== "" && void openReview(Number(event.target.value))}>
        <option value="">Choose…</option>
        {datasets.map((dataset) => (
          <option key={dataset.id} value={dataset.id}>
            {dataset.name}
          </option>
        ))}
      </select>
      <label htmlFor={ids.run} className="field-label">
        Run
      </label>
      <select id={ids.run} className="select select-small" value={runId ?? ""} disabled={datasetId === undefined} onChange={(event) => datasetId !== undefined && void openReview(datasetId, event.target.value === "" ? undefined : Number(event.target.value))}>
        <option value="">(labels only)</option>
        <RunOptions runs={datasetRuns} withState />
      </select>
    </div>
  );
}

function Filters() {
  const filter = useAppStore(reviewSelectors.filter);
  const runId = useAppStore(reviewSelectors.runId);
  const categories = useAppStore(reviewSelectors.categories);
  const setFilter = useAppStore((s) => s.setReviewFilter);
  const categoryId = useId();
  const thresholdId = useId();
  const shownThreshold = useAppStore(reviewSelectors.threshold);
  return (
    <fieldset className="review-filters">
      <legend className="visually-hidden">Filters</legend>
      <label>
        <input type="checkbox" checked={filter.disagreements} disabled={runId === undefined} onChange={(event) => void setFilter({ disagreements: event.target.checked })} /> Disagreements
      </label>
      <label>
        <input type="checkbox" checked={filter.uncertain} disabled={runId === undefined} onChange={(event) => void setFilter({ uncertain: event.target.checked })} /> Uncertain (near the threshold)
      </label>
      <label>
        <input type="checkbox" checked={filter.unlabeled} onChange={(event) => void setFilter({ unlabeled: event.target.checked })} /> Unlabeled
      </label>
      <label htmlFor={thresholdId}>Threshold</label>
      <input
        id={thresholdId}
        className="input input-narrow"
        type="number"
        min={0}
        max={1}
        step={0.01}
        disabled={runId === undefined}
        placeholder={shownThreshold !== undefined ? String(shownThreshold) : "the run's"}
        value={filter.threshold ?? ""}
        onChange={(event) => {
          const value = event.target.value === "" ? undefined : Number(event.target.value);
          if (value === undefined || (value >= 0 && value <= 1)) void setFilter({ threshold: value });
        }}
      />
      <label htmlFor={categoryId}>Category</label>
      <select id={categoryId} className="select select-small" value={filter.category ?? ""} onChange={(event) => void setFilter({ category: event.target.value || undefined })}>
        <option value="">Any</option>
        {categories.map((category) => (
          <option key={category.code} value={category.code}>
            {category.code} {category.name}
          </option>
        ))}
      </select>
    </fieldset>
  );
}

/** "213 / 450 labelled", where the reviewer is, and the threshold the queue's verdicts are read at. */
function QueueProgress() {
  const total = useAppStore(reviewSelectors.total);
  const labeled = useAppStore(reviewSelectors.labeled);
  const index = useAppStore(reviewSelectors.index);
  const threshold = useAppStore(reviewSelectors.threshold);
  const loading = useAppStore(reviewSelectors.loading);
  if (loading && total === 0) return null;
  return (
    <div className="review-progress">
      <progress aria-label="Labelling progress" value={labeled} max={Math.max(total, 1)} />
      <span role="status" className="small">
        {labeled} / {total} labelled
      </span>
      <span className="muted small">
        {total > 0 ? `item ${index + 1} of ${total}` : "no items"}
        {threshold !== undefined ? ` · threshold ${threshold}` : ""}
      </span>
    </div>
  );
}

function QueueList({ listRef }: { listRef: React.RefObject<HTMLUListElement | null> }) {
  const total = useAppStore(reviewSelectors.total);
  const index = useAppStore(reviewSelectors.index);
  const loading = useAppStore(reviewSelectors.loading);
  const error = useAppStore(reviewSelectors.error);
  const ensureRange = useAppStore((s) => s.ensureReviewRange);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 6 });
  const rows = virtualizer.getVirtualItems();
  const first = rows[0]?.index;
  const last = rows.at(-1)?.index;
  useEffect(() => {
    if (first !== undefined && last !== undefined) void ensureRange(first, last);
  }, [first, last, ensureRange]);
  useEffect(() => {
    if (total > 0) virtualizer.scrollToIndex(index, { align: "auto" });
  }, [index, total, virtualizer]);
  if (error && total === 0) return <ErrorMessage error={error} title="Could not load the queue" />;
  if (loading && total === 0) return <p className="status-line">Loading the queue…</p>;
  if (total === 0) return <p className="empty">No item matches these filters.</p>;
  return (
    <div className="review-queue" ref={scroller}>
      {error && <ErrorMessage error={error} title="Could not load part of the queue" />}
      <ul aria-label="Review queue" tabIndex={-1} ref={listRef} className="review-queue-rows" style={{ height: virtualizer.getTotalSize() }}>
        {rows.map((row) => (
          <QueueRow key={row.key} position={row.index} total={total} current={row.index === index} top={row.start} />
        ))}
      </ul>
    </div>
  );
}

function QueueRow({ position, total, current, top }: { position: number; total: number; current: boolean; top: number }) {
  const item = useAppStore((s) => reviewItemAt(s.review, position));
  const pending = useAppStore((s) => (item ? s.review.pending[item.itemId] : undefined));
  const select = useAppStore((s) => s.selectReviewItem);
  const text = item?.turns[0]?.content ?? "";
  return (
    <li
      className={`review-row${current ? " review-row-current" : ""}`}
      aria-current={current ? "true" : undefined}
      aria-posinset={position + 1}
      aria-setsize={total}
      style={{ transform: `translateY(${top}px)` }}
    >
      <button type="button" className="review-row-button" tabIndex={current ? 0 : -1} onClick={() => select(position)}>
        {item ? (
          <>
            <span className="review-row-text">
              <span className="muted">{position + 1}.</span> {text.length > 90 ? `${text.slice(0, 89)}…` : text}
            </span>
            <span className="review-row-meta small">
              {item.result?.ok && <span className="mono">{formatScore(item.result.score)}</span>}
              {item.disagreement && <span className="badge badge-danger">disagrees</span>}
              <LabelBadge shown={shownLabel(item, pending)} />
            </span>
          </>
        ) : (
          <span className="review-row-text muted">{position + 1}. Loading…</span>
        )}
      </button>
    </li>
  );
}

function LabelBadge({ shown }: { shown: ShownLabel }) {
  if (shown.state === "none") return <span className="muted">unlabeled</span>;
  const text = shown.state === "saving" ? `${shown.label} (saving…)` : shown.state === "failed" ? `${shown.label} (not saved)` : shown.label;
  return <span className={`verdict verdict-small verdict-${shown.label}${shown.state === "saved" ? "" : " label-pending"}`}>{text}</span>;
}

function CurrentItem({ noteRef }: { noteRef: React.RefObject<HTMLTextAreaElement | null> }) {
  const item = useAppStore(reviewSelectors.current);
  const index = useAppStore(reviewSelectors.index);
  const total = useAppStore(reviewSelectors.total);
  const pending = useAppStore((s) => (item ? s.review.pending[item.itemId] : undefined));
  const draft = useAppStore(reviewSelectors.draft);
  const setNote = useAppStore((s) => s.setReviewNote);
  const labelCurrent = useAppStore((s) => s.labelCurrent);
  const undo = useAppStore((s) => s.undoLabel);
  const nextUnlabeled = useAppStore((s) => s.nextUnlabeled);
  const seeking = useAppStore(reviewSelectors.seeking);
  const undoError = useAppStore(reviewSelectors.undoError);
  const openResult = useAppStore((s) => s.openResult);
  const runId = useAppStore(reviewSelectors.runId);
  const noteId = useId();
  if (total === 0) return null;
  if (!item) return <p className="status-line">Loading item {index + 1}…</p>;
  const shown = shownLabel(item, pending);
  return (
    <Panel title={`Item ${item.itemId}`} className="review-item">
      <ConversationTurns turns={item.turns} />
      <section className="review-verdict" aria-label="Model verdict">
        {item.result === undefined ? (
          <p className="muted small">{runId === undefined ? "No run chosen: only labels are shown." : "Not scored yet."}</p>
        ) : item.result.ok ? (
          <p>
            Model: <span className={`verdict verdict-small verdict-${item.result.verdict}`}>{item.result.verdict}</span> P(unsafe) <span className="mono">{formatScore(item.result.score)}</span>
            {item.result.flagged && <span className="badge badge-danger">flagged</span>}
            {item.result.categories.length > 0 && <span className="mono small"> {item.result.categories.join(", ")}</span>}
            {runId !== undefined && (
              <button type="button" className="link-button small" onClick={() => void openResult(runId, item.itemId)}>
                Full result <Kbd>f</Kbd>
              </button>
            )}
          </p>
        ) : (
          <ErrorMessage error={item.result.error} title="The classification failed" />
        )}
      </section>
      <section className="review-label" aria-label="Human label">
        <p role="status">
          Label: <LabelBadge shown={shown} />
          {shown.state !== "none" && shown.categories.length > 0 && <span className="mono small"> {shown.categories.join(", ")}</span>}
          {shown.state === "saved" && <span className="muted small"> ({shown.source === "review" ? "reviewed" : "imported"})</span>}
        </p>
        {shown.state === "failed" && shown.error && <ErrorMessage error={shown.error} title="The label was not saved; press s or u again to retry" />}
        <div className="review-actions">
          <button type="button" className="button button-small" onClick={() => void labelCurrent("safe")}>
            Safe <Kbd>s</Kbd>
          </button>
          <button type="button" className="button button-small button-danger" onClick={() => void labelCurrent("unsafe")}>
            Unsafe <Kbd>u</Kbd>
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => void undo()}>
            Undo <Kbd>z</Kbd>
          </button>
          <button type="button" className="button button-quiet button-small" aria-disabled={seeking} onClick={() => !seeking && void nextUnlabeled("next")}>
            {seeking ? "Looking…" : "Next unlabeled"} <Kbd>Shift+J</Kbd>
          </button>
        </div>
        {undoError && <ErrorMessage error={undoError} title="Nothing was undone" />}
        <CategoryChips />
        <label htmlFor={noteId} className="field-label">
          Note <Kbd>n</Kbd>
        </label>
        <textarea id={noteId} ref={noteRef} className="textarea review-note" rows={2} value={draft.note} onChange={(event) => setNote(event.target.value)} />
      </section>
    </Panel>
  );
}

const ORIGIN_NOTE: Record<CategoryChip["origin"], string> = { policy: "", excluded: " (excluded from the policy)", label: " (on the label, not in the policy)" };

function CategoryChips() {
  const chips = useAppStore(reviewSelectors.categoryChips);
  const leaders = useAppStore(reviewSelectors.keyLeaders);
  const toggle = useAppStore((s) => s.toggleReviewCategory);
  if (chips.length === 0) return null;
  return (
    <fieldset className="review-categories">
      <legend className="field-label">Categories (for unsafe)</legend>
      {leaders > 0 && (
        <p className="small" role="status">
          {`${LEADER_KEY} `.repeat(leaders).trim()} … then a digit (Esc cancels)
        </p>
      )}
      {chips.map((chip) => (
        <label key={chip.code} className={`review-category review-category-${chip.origin}`}>
          <input type="checkbox" checked={chip.checked} onChange={() => toggle(chip.code)} />
          <Kbd>{chip.keys}</Kbd> <span className="mono">{chip.code}</span> {chip.name}
          {ORIGIN_NOTE[chip.origin] && <span className="muted small">{ORIGIN_NOTE[chip.origin]}</span>}
        </label>
      ))}
    </fieldset>
  );
}
