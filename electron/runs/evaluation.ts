/**
 * A run measured against the dataset's labels in effect (review labels win over imported ones), with shared/metrics
 * doing the arithmetic. Only scored, labeled items count; the coverage says how many were left out and why.
 */
import type { ParsedReq, RunComparisonReport, RunMetrics } from "../../shared/ipc/contract.ts";
import {
  compareRuns,
  evaluateScores,
  isFlagged,
  mlcommonsCategoryNames,
  nameCategories,
  perCategoryMetrics,
  precisionRecallCurve,
  scoreHistogram,
  type CategorizedItem,
  type RunItem,
  type ScoredItem,
} from "../../shared/metrics/index.ts";
import type { GuardbenchStore } from "../store/index.ts";
import { RunError } from "./errors.ts";
import { joinedItems } from "./runItems.ts";

export const DEFAULT_HISTOGRAM_BINS = 20;

export function runMetrics(store: GuardbenchStore, request: ParsedReq<"eval:metrics">): RunMetrics {
  const run = store.runs.get(request.runId);
  const threshold = request.threshold ?? run.settings.threshold;
  const items = joinedItems(store, run.datasetId, run);
  const scored = items.flatMap((item) => (item.result?.score !== undefined ? [{ ...item, score: item.result.score, predicted: item.result.categories ?? [] }] : []));
  const labeled = scored.flatMap((item) => (item.label ? [{ ...item, label: item.label }] : []));
  const scoredItems: ScoredItem[] = labeled.map((item) => ({ score: item.score, label: item.label.label }));
  const categorized: CategorizedItem[] = labeled.map((item) => ({
    label: item.label.label,
    labelCategories: item.label.categories,
    // The categories the model named count only where it flagged the item at this threshold.
    predictedCategories: isFlagged(item.score, threshold) ? item.predicted : [],
  }));
  const failed = items.filter((item) => item.result?.error !== undefined).length;
  return {
    runId: run.id,
    datasetId: run.datasetId,
    threshold,
    evaluation: evaluateScores(scoredItems, threshold),
    curve: precisionRecallCurve(scoredItems),
    histogram: scoreHistogram(
      scored.map((item) => ({ score: item.score, ...(item.label ? { label: item.label.label } : {}) })),
      request.bins ?? DEFAULT_HISTOGRAM_BINS,
    ),
    perCategory: perCategoryMetrics(categorized),
    categoryNames: nameCategories(run.policy.categories, mlcommonsCategoryNames(store.datasets.mlcommonsCodes(run.datasetId))),
    coverage: { items: items.length, evaluated: labeled.length, unlabeled: scored.length - labeled.length, failed, unscored: items.length - scored.length - failed },
  };
}

/**
 * Two runs of one dataset against the same labels. Items that failed or are not scored yet in a run are absent from
 * it, so they show up in `onlyInBaseline` / `onlyInCandidate` rather than skewing a metric.
 */
export function compareRunsOf(store: GuardbenchStore, request: ParsedReq<"eval:compare">): RunComparisonReport {
  const baseline = store.runs.get(request.baselineRunId);
  const candidate = store.runs.get(request.candidateRunId);
  if (baseline.datasetId !== candidate.datasetId) {
    throw new RunError(
      "run-dataset-mismatch",
      `run ${baseline.id} scored dataset ${baseline.datasetId} (${baseline.datasetName}) and run ${candidate.id} dataset ${candidate.datasetId} (${candidate.datasetName}); only runs of one dataset compare item by item`,
      "Pick two runs of the same dataset.",
    );
  }
  const runItems = (run: typeof baseline): RunItem[] =>
    joinedItems(store, run.datasetId, run).flatMap((item) =>
      item.result?.score !== undefined ? [{ id: item.itemId, score: item.result.score, ...(item.label ? { label: item.label.label } : {}) }] : [],
    );
  const comparison = compareRuns(runItems(baseline), runItems(candidate), {
    threshold: request.threshold ?? baseline.settings.threshold,
    candidateThreshold: request.candidateThreshold ?? request.threshold ?? candidate.settings.threshold,
  });
  return { ...comparison, datasetId: baseline.datasetId, baselineRunId: baseline.id, candidateRunId: candidate.id };
}
