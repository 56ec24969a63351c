/**
 * The review queue: a dataset's items filtered and ordered for labeling, paged by offset.
 *
 * Offsets stay true while the reviewer labels: the filters read labels as of a point in the label history (`asOf`,
 * which the first page answers and the next pages pass back), so an item labeled since neither leaves an "unlabeled"
 * queue nor shifts the items after it onto another page. Each item still shows the label it has now.
 */
import type { EffectiveLabel, ParsedReq, ReviewItem, ReviewPage } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore } from "../store/index.ts";
import { RunError } from "./errors.ts";
import { disagrees, joinedItems, outcomeOf, type JoinedItem } from "./runItems.ts";

export const DEFAULT_REVIEW_PAGE = 50;

type QueueRequest = Omit<ParsedReq<"review:queue">, "offset" | "limit">;

interface QueueSelection {
  /** the queue in order */
  items: JoinedItem[];
  threshold?: number;
  /** whether a run was given (then `threshold` is the one the verdicts are read at) */
  withRun: boolean;
  asOf: number;
}

function selectQueue(store: GuardbenchStore, request: QueueRequest): QueueSelection {
  const filter = request.filter ?? {};
  const order = request.order ?? "dataset";
  const run = request.runId !== undefined ? store.runs.get(request.runId) : undefined;
  const needsScores = [filter.disagreements ? "the disagreements filter" : "", filter.uncertainMargin !== undefined ? "the uncertainty filter" : "", order !== "dataset" ? `the "${order}" order` : ""].filter(Boolean);
  if (!run && needsScores.length > 0) {
    throw new RunError("run-required", `${needsScores.join(" and ")} ${needsScores.length > 1 ? "read" : "reads"} a run's scores, but no runId was given`, "Pass the runId of a run of this dataset.");
  }
  const threshold = filter.threshold ?? run?.settings.threshold;
  const items = joinedItems(store, request.datasetId, run);
  const latest = store.labels.latestEventId();
  const asOf = Math.min(request.asOf ?? latest, latest);
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
  const selected = items.filter(matches);
  // Unscored items sort after scored ones; ties keep dataset order (Array.prototype.sort is stable).
  if (order === "uncertainty") selected.sort((a, b) => (distance(a) ?? Infinity) - (distance(b) ?? Infinity));
  if (order === "score") selected.sort((a, b) => (b.result?.score ?? -Infinity) - (a.result?.score ?? -Infinity));
  return { items: selected, ...(threshold !== undefined ? { threshold } : {}), withRun: run !== undefined, asOf };
}

export function reviewQueue(store: GuardbenchStore, request: ParsedReq<"review:queue">): ReviewPage {
  const { items, threshold, withRun, asOf } = selectQueue(store, request);
  const offset = request.offset ?? 0;
  const limit = request.limit ?? DEFAULT_REVIEW_PAGE;
  const page = items.slice(offset, offset + limit);
  const turns = store.datasets.turnsOf(page.map((item) => item.rowId));
  return {
    items: page.map((item): ReviewItem => {
      const disagreement = threshold !== undefined ? disagrees(item, threshold) : undefined;
      return {
        itemId: item.itemId,
        position: item.position,
        turns: turns.get(item.rowId)!,
        ...(item.label ? { label: item.label } : {}),
        ...(item.result && threshold !== undefined ? { result: outcomeOf(item.result, threshold) } : {}),
        ...(disagreement !== undefined ? { disagreement } : {}),
      };
    }),
    total: items.length,
    offset,
    limit,
    ...(threshold !== undefined && withRun ? { threshold } : {}),
    asOf,
    labeled: items.reduce((count, item) => count + (item.label ? 1 : 0), 0),
  };
}

/** The queue place of the nearest item after (or before) `from` that has no label now. */
export function nextUnlabeled(store: GuardbenchStore, request: ParsedReq<"review:next-unlabeled">): { index?: number } {
  const { from, direction, ...queue } = request;
  const { items } = selectQueue(store, queue);
  const step = direction === "previous" ? -1 : 1;
  for (let index = from + step; index >= 0 && index < items.length; index += step) {
    if (!items[index]!.label) return { index };
  }
  return {};
}
