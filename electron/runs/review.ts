/** The review queue: a dataset's items filtered and ordered for labeling, a page at a time. */
import type { ParsedReq, ReviewItem, ReviewPage } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore } from "../store/index.ts";
import { RunError } from "./errors.ts";
import { disagrees, joinedItems, outcomeOf, type JoinedItem } from "./runItems.ts";

export const DEFAULT_REVIEW_PAGE = 50;

export function reviewQueue(store: GuardbenchStore, request: ParsedReq<"review:queue">): ReviewPage {
  const filter = request.filter ?? {};
  const order = request.order ?? "dataset";
  const run = request.runId !== undefined ? store.runs.get(request.runId) : undefined;
  const needsScores = [filter.disagreements ? "the disagreements filter" : "", filter.uncertainMargin !== undefined ? "the uncertainty filter" : "", order !== "dataset" ? `the "${order}" order` : ""].filter(Boolean);
  if (!run && needsScores.length > 0) {
    throw new RunError("run-required", `${needsScores.join(" and ")} ${needsScores.length > 1 ? "read" : "reads"} a run's scores, but no runId was given`, "Pass the runId of a run of this dataset.");
  }
  const threshold = filter.threshold ?? run?.settings.threshold;
  const items = joinedItems(store, request.datasetId, run);

  const distance = (item: JoinedItem): number | undefined => (item.result?.score !== undefined && threshold !== undefined ? Math.abs(item.result.score - threshold) : undefined);
  const matches = (item: JoinedItem): boolean => {
    if (filter.unlabeled && item.label) return false;
    if (filter.disagreements && disagrees(item, threshold!) !== true) return false;
    if (filter.uncertainMargin !== undefined && !((distance(item) ?? Infinity) < filter.uncertainMargin)) return false;
    if (filter.category !== undefined && !(item.label?.categories.includes(filter.category) || item.result?.categories?.includes(filter.category))) return false;
    return true;
  };
  const selected = items.filter(matches);
  // Unscored items sort after scored ones; ties keep dataset order (Array.prototype.sort is stable).
  if (order === "uncertainty") selected.sort((a, b) => (distance(a) ?? Infinity) - (distance(b) ?? Infinity));
  if (order === "score") selected.sort((a, b) => (b.result?.score ?? -Infinity) - (a.result?.score ?? -Infinity));

  const offset = request.offset ?? 0;
  const limit = request.limit ?? DEFAULT_REVIEW_PAGE;
  const page = selected.slice(offset, offset + limit);
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
    total: selected.length,
    offset,
    limit,
    ...(threshold !== undefined && run ? { threshold } : {}),
  };
}
