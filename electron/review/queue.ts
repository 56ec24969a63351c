/**
 * The review queue: a dataset's items filtered and ordered for labeling, paged by offset.
 *
 * Offsets stay true while the reviewer labels: the filters read labels as of a point in the label history (`asOf`,
 * which the first page answers and the next pages pass back), so an item labeled since neither leaves an "unlabeled"
 * queue nor shifts the items after it onto another page. Each item still shows the label it has now.
 *
 * Speed at 100,000 items: the whole dataset in file order (no filter) is paged in SQL, a page at a time. A filtered or
 * re-ordered queue has to look at every item once: that selection is kept (a few per store) for the pages after the
 * first, since its members cannot change (labels are read as of `asOf`, and it is dropped when the run's results
 * change); each page then reads again only the labels given since.
 */
import type { EffectiveLabel, ParsedReq, ReviewItem, ReviewPage, RunDetail } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore, ItemLabelRow, ResultLine } from "../store/index.ts";
import { RunError } from "../runs/errors.ts";
import { disagrees, joinedItems, outcomeOf, type JoinedItem } from "../runs/runItems.ts";

export const DEFAULT_REVIEW_PAGE = 50;

type QueueRequest = Omit<ParsedReq<"review:queue">, "offset" | "limit">;

interface QueueContext {
  run?: RunDetail;
  threshold?: number;
  /** the newest label event now */
  latest: number;
  /** the label history point the filters read */
  asOf: number;
}

/** A filtered or re-ordered queue's members in order, with their labels and results as they were when it was made. */
interface Selection {
  key: string;
  resultsVersion?: string;
  items: JoinedItem[];
  byRow: Map<number, JoinedItem>;
  /** the newest label event when it was made: labels given after it are read again per page */
  madeAt: number;
  labeled: number;
}

const KEPT_SELECTIONS = 3;
const selections = new WeakMap<GuardbenchStore, Selection[]>();

function contextOf(store: GuardbenchStore, request: QueueRequest): QueueContext {
  const filter = request.filter ?? {};
  const order = request.order ?? "dataset";
  const run = request.runId !== undefined ? store.runs.get(request.runId) : undefined;
  const needsScores = [filter.disagreements ? "the disagreements filter" : "", filter.uncertainMargin !== undefined ? "the uncertainty filter" : "", order !== "dataset" ? `the "${order}" order` : ""].filter(Boolean);
  if (!run && needsScores.length > 0) {
    throw new RunError("run-required", `${needsScores.join(" and ")} ${needsScores.length > 1 ? "read" : "reads"} a run's scores, but no runId was given`, "Pass the runId of a run of this dataset.");
  }
  if (run && run.datasetId !== request.datasetId) {
    throw new RunError("run-dataset-mismatch", `run ${run.id} scored dataset ${run.datasetId} (${run.datasetName}), not dataset ${request.datasetId}`, "Pick a run of this dataset (runs:list with its datasetId).");
  }
  const latest = store.labels.latestEventId();
  const threshold = filter.threshold ?? run?.settings.threshold;
  return { ...(run ? { run } : {}), ...(threshold !== undefined ? { threshold } : {}), latest, asOf: Math.min(request.asOf ?? latest, latest) };
}

/** Whether the queue is the whole dataset in file order, which SQL pages directly. */
function isWholeDataset(request: QueueRequest): boolean {
  const filter = request.filter ?? {};
  return (request.order ?? "dataset") === "dataset" && !filter.disagreements && filter.uncertainMargin === undefined && filter.category === undefined && !filter.unlabeled;
}

function select(store: GuardbenchStore, request: QueueRequest, context: QueueContext): Selection {
  const filter = request.filter ?? {};
  const order = request.order ?? "dataset";
  const { threshold, asOf, latest, run } = context;
  const key = JSON.stringify([request.datasetId, request.runId, filter, order, threshold, asOf]);
  const resultsVersion = run ? store.runs.resultsVersion(run.id) : undefined;
  const kept = selections.get(store) ?? [];
  const found = kept.find((selection) => selection.key === key && selection.resultsVersion === resultsVersion);
  if (found) {
    store.datasets.requireDataset(request.datasetId);
    return found;
  }

  const items = joinedItems(store, request.datasetId, run);
  // Only the items whose label changed after `asOf` read differently from now: usually the few labeled since.
  const then = asOf < latest ? store.labels.labelsAsOf(request.datasetId, asOf) : undefined;
  const labelThen = (item: JoinedItem): Pick<EffectiveLabel, "label" | "categories"> | undefined => (then?.has(item.rowId) ? then.get(item.rowId) : item.label);
  const distance = (item: JoinedItem): number | undefined => (item.result?.score !== undefined && threshold !== undefined ? Math.abs(item.result.score - threshold) : undefined);
  const matches = (item: JoinedItem): boolean => {
    const label = labelThen(item);
    if (filter.unlabeled && label) return false;
    if (filter.disagreements && disagrees({ label, result: item.result }, threshold!) !== true) return false;
    if (filter.uncertainMargin !== undefined && !((distance(item) ?? Infinity) < filter.uncertainMargin)) return false;
    if (filter.category !== undefined && !(label?.categories.includes(filter.category) || item.result?.categories?.includes(filter.category))) return false;
    return true;
  };
  const members = items.filter(matches);
  // Unscored items sort after scored ones; ties keep dataset order (Array.prototype.sort is stable).
  if (order === "uncertainty") members.sort((a, b) => (distance(a) ?? Infinity) - (distance(b) ?? Infinity));
  if (order === "score") members.sort((a, b) => (b.result?.score ?? -Infinity) - (a.result?.score ?? -Infinity));
  const selection: Selection = {
    key,
    ...(resultsVersion !== undefined ? { resultsVersion } : {}),
    items: members,
    byRow: new Map(members.map((item) => [item.rowId, item])),
    madeAt: latest,
    labeled: members.reduce((count, item) => count + (item.label ? 1 : 0), 0),
  };
  selections.set(store, [selection, ...kept].slice(0, KEPT_SELECTIONS));
  return selection;
}

/** The selection's items as they are now: labels given since it was made, read again; and how many are labeled now. */
function currentLabels(store: GuardbenchStore, datasetId: number, selection: Selection): { labelOf(item: JoinedItem): EffectiveLabel | undefined; labeled: number } {
  const changed = store.labels.itemsChangedSince(datasetId, selection.madeAt).filter((rowId) => selection.byRow.has(rowId));
  const now = store.datasets.itemsWithLabelsOf(changed);
  let labeled = selection.labeled;
  for (const rowId of changed) labeled += (now.get(rowId)?.label ? 1 : 0) - (selection.byRow.get(rowId)!.label ? 1 : 0);
  return { labelOf: (item) => (now.has(item.rowId) ? now.get(item.rowId)!.label : item.label), labeled };
}

function reviewItemsOf(store: GuardbenchStore, page: ReadonlyArray<ItemLabelRow & { result?: ResultLine }>, threshold: number | undefined): ReviewItem[] {
  const turns = store.datasets.turnsOf(page.map((item) => item.rowId));
  return page.map((item): ReviewItem => {
    const disagreement = threshold !== undefined ? disagrees(item, threshold) : undefined;
    return {
      itemId: item.itemId,
      position: item.position,
      turns: turns.get(item.rowId)!,
      ...(item.label ? { label: item.label } : {}),
      ...(item.result && threshold !== undefined ? { result: outcomeOf(item.result, threshold) } : {}),
      ...(disagreement !== undefined ? { disagreement } : {}),
    };
  });
}

export function reviewQueue(store: GuardbenchStore, request: ParsedReq<"review:queue">): ReviewPage {
  const context = contextOf(store, request);
  const offset = request.offset ?? 0;
  const limit = request.limit ?? DEFAULT_REVIEW_PAGE;
  const shown = { offset, limit, ...(context.threshold !== undefined && context.run ? { threshold: context.threshold } : {}), asOf: context.asOf };
  if (isWholeDataset(request)) {
    const rows = store.datasets.itemsWithLabelsPage(request.datasetId, offset, limit);
    const results = context.run ? store.runs.resultsOf(context.run.id, rows.map((row) => row.rowId)) : undefined;
    const page = rows.map((row) => (results?.has(row.rowId) ? { ...row, result: results.get(row.rowId)! } : row));
    const { items, labels } = store.datasets.summary(request.datasetId);
    return { items: reviewItemsOf(store, page, context.threshold), total: items, labeled: labels.safe + labels.unsafe, ...shown };
  }
  const selection = select(store, request, context);
  const now = currentLabels(store, request.datasetId, selection);
  const page = selection.items.slice(offset, offset + limit).map((item) => {
    const label = now.labelOf(item);
    const { label: _then, ...rest } = item;
    return label ? { ...rest, label } : rest;
  });
  return { items: reviewItemsOf(store, page, context.threshold), total: selection.items.length, labeled: now.labeled, ...shown };
}

/** The queue place of the nearest item after (or before) `from` that has no label now. */
export function nextUnlabeled(store: GuardbenchStore, request: ParsedReq<"review:next-unlabeled">): { index?: number } {
  const { from, direction = "next", ...queue } = request;
  const context = contextOf(store, queue);
  if (isWholeDataset(queue)) {
    const index = store.datasets.nearestUnlabeledPlace(queue.datasetId, from, direction);
    return index === undefined ? {} : { index };
  }
  const selection = select(store, queue, context);
  const now = currentLabels(store, queue.datasetId, selection);
  const step = direction === "previous" ? -1 : 1;
  for (let index = from + step; index >= 0 && index < selection.items.length; index += step) {
    if (!now.labelOf(selection.items[index]!)) return { index };
  }
  return {};
}
