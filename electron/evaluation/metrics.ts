/**
 * A run measured against the dataset's labels in effect (review labels win over imported ones), with shared/metrics
 * doing the arithmetic. Only scored, labeled items count; the coverage says how many were left out and why.
 */
import type { ComparedItem, ParsedReq, RunComparisonReport, RunDetail, RunMetrics, RunSummary } from "../../shared/ipc/contract.ts";
import { diffPolicies } from "../../shared/taxonomy/index.ts";
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
import { RunError } from "../runs/errors.ts";
import { itemResult, type TokenDetailSource } from "./itemResult.ts";
import { currentJoinedItems, datasetMlcommonsCodes } from "./joinedItemsCache.ts";

export const DEFAULT_HISTOGRAM_BINS = 20;

export function runMetrics(store: GuardbenchStore, request: ParsedReq<"eval:metrics">): RunMetrics {
  const run = store.runs.get(request.runId);
  const threshold = request.threshold ?? run.settings.threshold;
  const items = currentJoinedItems(store, run);
  // Plain loops over the cached rows: at 100,000 items, spreading each into new objects costs more than the metrics.
  const scoredItems: ScoredItem[] = [];
  const categorized: CategorizedItem[] = [];
  const histogramItems: Parameters<typeof scoreHistogram>[0][number][] = [];
  let failed = 0;
  for (const item of items) {
    const result = item.result;
    if (result?.score === undefined) {
      if (result?.error !== undefined) failed++;
      continue;
    }
    const label = item.label;
    histogramItems.push(label ? { score: result.score, label: label.label } : { score: result.score });
    if (!label) continue;
    scoredItems.push({ score: result.score, label: label.label });
    categorized.push({
      label: label.label,
      labelCategories: label.categories,
      // The categories the model named count only where it flagged the item at this threshold.
      predictedCategories: isFlagged(result.score, threshold) ? (result.categories ?? []) : [],
    });
  }
  const scored = histogramItems.length;
  const labeled = scoredItems.length;
  return {
    runId: run.id,
    datasetId: run.datasetId,
    threshold,
    evaluation: evaluateScores(scoredItems, threshold),
    curve: precisionRecallCurve(scoredItems),
    histogram: scoreHistogram(histogramItems, request.bins ?? DEFAULT_HISTOGRAM_BINS),
    perCategory: perCategoryMetrics(categorized),
    categoryNames: nameCategories(run.policy.categories, mlcommonsCategoryNames(datasetMlcommonsCodes(store, run.datasetId))),
    coverage: { items: items.length, evaluated: labeled, unlabeled: scored - labeled, failed, unscored: items.length - scored - failed },
  };
}

/**
 * Two runs of one dataset against the same labels. Items that failed or are not scored yet in a run are absent from
 * it, so they show up in `onlyInBaseline` / `onlyInCandidate` rather than skewing a metric.
 */
export function compareRunsOf(store: GuardbenchStore, request: ParsedReq<"eval:compare">): RunComparisonReport {
  const { baseline, candidate } = runsOfOneDataset(store, request);
  const runItems = (run: typeof baseline): RunItem[] =>
    currentJoinedItems(store, run).flatMap((item) =>
      item.result?.score !== undefined
        ? [{ id: item.itemId, score: item.result.score, verdict: item.result.verdict!, categories: item.result.categories ?? [], ...(item.label ? { label: item.label.label } : {}) }]
        : [],
    );
  const comparison = compareRuns(runItems(baseline), runItems(candidate), thresholdsOf(request, baseline, candidate));
  return { ...comparison, datasetId: baseline.datasetId, baselineRunId: baseline.id, candidateRunId: candidate.id };
}

/**
 * One item of two runs side by side: both full results (each flagged at its comparison threshold), the label, and how
 * the candidate's policy differs from the baseline's (the prompt difference the flip may come from).
 */
export async function compareItemOf(store: GuardbenchStore, request: ParsedReq<"eval:compare-item">, details?: TokenDetailSource): Promise<ComparedItem> {
  const { baseline, candidate } = runsOfOneDataset(store, request);
  const thresholds = thresholdsOf(request, baseline, candidate);
  const [baselineItem, candidateItem] = [
    await itemResult(store, baseline.id, request.itemId, details, thresholds.threshold),
    await itemResult(store, candidate.id, request.itemId, details, thresholds.candidateThreshold),
  ];
  return {
    itemId: request.itemId,
    baseline: baselineItem,
    candidate: candidateItem,
    baselineRun: { id: baseline.id, policyName: baseline.policyName, ...(baseline.policyVersion !== undefined ? { policyVersion: baseline.policyVersion } : {}), modelPath: baseline.model.path },
    candidateRun: { id: candidate.id, policyName: candidate.policyName, ...(candidate.policyVersion !== undefined ? { policyVersion: candidate.policyVersion } : {}), modelPath: candidate.model.path },
    policyDiff: diffPolicies(baseline.policy, candidate.policy),
  };
}

/** Both thresholds of a comparison: the one asked for, else each run's own. */
function thresholdsOf(request: { threshold?: number | undefined; candidateThreshold?: number | undefined }, baseline: RunSummary, candidate: RunSummary): { threshold: number; candidateThreshold: number } {
  return {
    threshold: request.threshold ?? baseline.settings.threshold,
    candidateThreshold: request.candidateThreshold ?? request.threshold ?? candidate.settings.threshold,
  };
}

function runsOfOneDataset(store: GuardbenchStore, request: { baselineRunId: number; candidateRunId: number }): { baseline: RunDetail; candidate: RunDetail } {
  const baseline = store.runs.get(request.baselineRunId);
  const candidate = store.runs.get(request.candidateRunId);
  if (baseline.datasetId !== candidate.datasetId) {
    throw new RunError(
      "run-dataset-mismatch",
      `run ${baseline.id} scored dataset ${baseline.datasetId} (${baseline.datasetName}) and run ${candidate.id} dataset ${candidate.datasetId} (${candidate.datasetName}); only runs of one dataset compare item by item`,
      "Pick two runs of the same dataset.",
    );
  }
  return { baseline, candidate };
}
