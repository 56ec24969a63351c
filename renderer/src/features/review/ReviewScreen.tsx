/**
 * The review queue, keyboard-first (keys.ts): the items on the left, the current one on the right with its
 * conversation, the run's verdict, and the human label (shown as saved only once the main side answered).
 */
import { useEffect, useId, useRef } from "react";
import type { ReviewItem } from "../../../../shared/ipc/index.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatScore } from "../../components/format.ts";
import { Kbd, Panel, ScreenHeader } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { datasetsSelectors } from "../datasets/selectors.ts";
import { runsSelectors } from "../runs/selectors.ts";
import { handleReviewKey } from "./keys.ts";
import { reviewSelectors, shownLabel } from "./selectors.ts";

export function ReviewScreen() {
  const datasetId = useAppStore(reviewSelectors.datasetId);
  const note = useRef<HTMLTextAreaElement>(null);
  const queue = useRef<HTMLUListElement>(null);
  useReviewKeys(note, queue);
  useRefreshDatasetsOnLeave();
  return (
    <div className="screen">
      <ScreenHeader title="Review" description="Label items with the keyboard: j/k move, s safe, u unsafe, 1–9 categories, n note, z undo. Press ? for all keys." />
      <QueuePicker />
      {datasetId === undefined ? (
        <p className="empty">Choose a dataset (and a run) to review.</p>
      ) : (
        <>
          <Filters />
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
  const labelCurrent = useAppStore((s) => s.labelCurrent);
  const toggle = useAppStore((s) => s.toggleReviewCategoryAt);
  const undo = useAppStore((s) => s.undoLabel);
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const handled = handleReviewKey(event, {
        next: () => moveReview(1),
        previous: () => moveReview(-1),
        label: (label) => void labelCurrent(label),
        toggleCategory: toggle,
        focusNote: () => note.current?.focus(),
        leaveNote: () => queue.current?.focus(),
        undo: () => void undo(),
      });
      if (handled) event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [moveReview, labelCurrent, toggle, undo, note, queue]);
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
        {datasetRuns.map((run) => (
          <option key={run.id} value={run.id}>
            Run {run.id} · {run.policyName} · {run.state}
          </option>
        ))}
      </select>
    </div>
  );
}

function Filters() {
  const filter = useAppStore(reviewSelectors.filter);
  const runId = useAppStore(reviewSelectors.runId);
  const categories = useAppStore(reviewSelectors.categories);
  const setFilter = useAppStore((s) => s.setReviewFilter);
  const total = useAppStore(reviewSelectors.total);
  const threshold = useAppStore(reviewSelectors.threshold);
  const categoryId = useId();
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
      <label htmlFor={categoryId}>Category</label>
      <select id={categoryId} className="select select-small" value={filter.category ?? ""} onChange={(event) => void setFilter({ category: event.target.value || undefined })}>
        <option value="">Any</option>
        {categories.map((category) => (
          <option key={category.code} value={category.code}>
            {category.code} {category.name}
          </option>
        ))}
      </select>
      <span className="muted small" role="status">
        {total} items{threshold !== undefined ? ` · threshold ${threshold}` : ""}
      </span>
    </fieldset>
  );
}

function QueueList({ listRef }: { listRef: React.RefObject<HTMLUListElement | null> }) {
  const items = useAppStore(reviewSelectors.items);
  const index = useAppStore(reviewSelectors.index);
  const loading = useAppStore(reviewSelectors.loading);
  const error = useAppStore(reviewSelectors.error);
  const current = useRef<HTMLLIElement>(null);
  useEffect(() => {
    current.current?.scrollIntoView?.({ block: "nearest" });
  }, [index]);
  if (error) return <ErrorMessage error={error} title="Could not load the queue" />;
  if (loading && items.length === 0) return <p className="status-line">Loading the queue…</p>;
  if (items.length === 0) return <p className="empty">No item matches these filters.</p>;
  return (
    <ul className="review-queue" aria-label="Review queue" tabIndex={-1} ref={listRef}>
      {items.map((item, position) => (
        <QueueRow key={item.itemId} item={item} current={position === index} position={position} rowRef={position === index ? current : undefined} />
      ))}
    </ul>
  );
}

function QueueRow({ item, current, position, rowRef }: { item: ReviewItem; current: boolean; position: number; rowRef?: React.Ref<HTMLLIElement> }) {
  const pending = useAppStore((s) => s.review.pending[item.itemId]);
  const select = useAppStore((s) => s.selectReviewItem);
  const shown = shownLabel(item, pending);
  const text = item.turns[0]?.content ?? "";
  return (
    <li ref={rowRef} className={`review-row${current ? " review-row-current" : ""}`} aria-current={current ? "true" : undefined}>
      <button type="button" className="review-row-button" onClick={() => select(position)}>
        <span className="review-row-text">{text.length > 90 ? `${text.slice(0, 89)}…` : text}</span>
        <span className="review-row-meta small">
          {item.result?.ok && <span className="mono">{formatScore(item.result.score)}</span>}
          {item.disagreement && <span className="badge badge-danger">disagrees</span>}
          <LabelBadge shown={shown} />
        </span>
      </button>
    </li>
  );
}

function LabelBadge({ shown }: { shown: ReturnType<typeof shownLabel> }) {
  if (shown.state === "none") return <span className="muted">unlabeled</span>;
  const text = shown.state === "saving" ? `${shown.label} (saving…)` : shown.state === "failed" ? `${shown.label} (not saved)` : shown.label;
  return <span className={`verdict verdict-small verdict-${shown.label}${shown.state === "saved" ? "" : " label-pending"}`}>{text}</span>;
}

function CurrentItem({ noteRef }: { noteRef: React.RefObject<HTMLTextAreaElement | null> }) {
  const item = useAppStore(reviewSelectors.current);
  const pending = useAppStore((s) => (item ? s.review.pending[item.itemId] : undefined));
  const draft = useAppStore(reviewSelectors.draft);
  const categories = useAppStore(reviewSelectors.categories);
  const toggle = useAppStore((s) => s.toggleReviewCategory);
  const setNote = useAppStore((s) => s.setReviewNote);
  const labelCurrent = useAppStore((s) => s.labelCurrent);
  const undo = useAppStore((s) => s.undoLabel);
  const undoError = useAppStore(reviewSelectors.undoError);
  const openResult = useAppStore((s) => s.openResult);
  const runId = useAppStore(reviewSelectors.runId);
  const noteId = useId();
  if (!item) return null;
  const shown = shownLabel(item, pending);
  return (
    <Panel title={`Item ${item.itemId}`} className="review-item">
      <ol className="review-turns" aria-label="Conversation">
        {item.turns.map((turn, index) => (
          <li key={index} className={`turn turn-${turn.role}`}>
            <span className="turn-number">{turn.role}</span>
            <p className="turn-text review-turn-text">{turn.content}</p>
          </li>
        ))}
      </ol>
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
                Full result
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
        </div>
        {undoError && <ErrorMessage error={undoError} title="Nothing was undone" />}
        {categories.length > 0 && (
          <fieldset className="review-categories">
            <legend className="field-label">Categories (for unsafe)</legend>
            {categories.slice(0, 20).map((category, index) => (
              <label key={category.code} className="review-category">
                <input type="checkbox" checked={draft.categories.includes(category.code)} onChange={() => toggle(category.code)} />
                {index < 9 && <Kbd>{index + 1}</Kbd>} <span className="mono">{category.code}</span> {category.name.replace(/\.\s*$/, "")}
              </label>
            ))}
          </fieldset>
        )}
        <label htmlFor={noteId} className="field-label">
          Note <Kbd>n</Kbd>
        </label>
        <textarea id={noteId} ref={noteRef} className="textarea review-note" rows={2} value={draft.note} onChange={(event) => setNote(event.target.value)} />
      </section>
    </Panel>
  );
}
