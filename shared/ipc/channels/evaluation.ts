/** A run measured against the labels, two runs compared, one item's full result (handlers: electron/host/handlers/evaluation.ts). */
import { z } from "zod";
import { thresholdSchema, type ClassificationResult } from "../../classify/result.ts";
import type { Turn } from "../../conversation/types.ts";
import type { CategoryNaming, HistogramBin, PerCategoryReport, PrecisionRecallCurve, RunComparison, ScoreEvaluation } from "../../metrics/index.ts";
import type { PolicyDiff } from "../../taxonomy/index.ts";
import type { ResultError } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { itemIdSchema, runIdSchema } from "./fields.ts";
import type { EffectiveLabel, LabelEvent } from "./review.ts";

export interface RunMetrics {
  runId: number;
  datasetId: number;
  threshold: number;
  evaluation: ScoreEvaluation;
  curve: PrecisionRecallCurve;
  /** every scored item, labeled or not */
  histogram: HistogramBin[];
  /** labels' categories against the categories the model named on the items it flagged */
  perCategory: PerCategoryReport;
  /**
   * The names of the categories: the run's policy's, and the dataset's where it has them (MLCommons codes); with the
   * codes the two name differently, whose per-category numbers compare different hazards.
   */
  categoryNames: CategoryNaming;
  coverage: {
    items: number;
    /** scored and labeled: what the metrics count */
    evaluated: number;
    /** scored but without a label */
    unlabeled: number;
    failed: number;
    /** no result yet */
    unscored: number;
  };
}

export interface RunComparisonReport extends RunComparison {
  datasetId: number;
  baselineRunId: number;
  candidateRunId: number;
}

export interface ItemResultDetail {
  runId: number;
  datasetId: number;
  itemId: string;
  position: number;
  turns: Turn[];
  label?: EffectiveLabel;
  /** every label event of the item, oldest first (undone ones included, marked) */
  labelHistory: LabelEvent[];
  /** absent while unscored, or when the classification failed (`error`) */
  result?: ClassificationResult;
  error?: ResultError;
  finishedAt?: string;
}

/** Which run an item comes from, named as the side-by-side view heads its column. */
export interface ComparedRun {
  id: number;
  policyName: string;
  policyVersion?: number;
  modelPath: string;
}

/** One item of two runs side by side (eval:compare-item). */
export interface ComparedItem {
  itemId: string;
  baseline: ItemResultDetail;
  candidate: ItemResultDetail;
  baselineRun: ComparedRun;
  candidateRun: ComparedRun;
  /** the candidate's policy against the baseline's: the prompt difference a flip may come from */
  policyDiff: PolicyDiff;
}

const compareFields = {
  baselineRunId: runIdSchema,
  candidateRunId: runIdSchema,
  /** default: each run's own threshold */
  threshold: thresholdSchema.optional(),
  candidateThreshold: thresholdSchema.optional(),
};

export const evaluationChannels = {
  /**
   * A run measured against the current labels at a threshold (default: the run's): precision, recall, F1, FPR, AUPRC,
   * the PR curve, a score histogram (`bins`, default 20) and per-category metrics.
   */
  "eval:metrics": {
    request: z.strictObject({ runId: runIdSchema, threshold: thresholdSchema.optional(), bins: z.number().int().min(1).max(200).optional() }),
    answer: answer<RunMetrics>(),
  },
  /** Two runs over one dataset: metric deltas (candidate − baseline) and the items whose verdict flipped. */
  "eval:compare": {
    request: z.strictObject(compareFields),
    answer: answer<RunComparisonReport>(),
  },
  /** One item of both runs side by side: both results (flagged at the comparison's thresholds), the label, the policy diff. */
  "eval:compare-item": { request: z.strictObject({ ...compareFields, itemId: itemIdSchema }), answer: answer<ComparedItem>() },
  /** One item of a run: its conversation, label history and full result (the prompt text rebuilt from the stored policy). */
  /** `threshold`: the one the result's flag is shown at (default: the run's) */
  "results:get": { request: z.strictObject({ runId: runIdSchema, itemId: itemIdSchema, threshold: thresholdSchema.optional() }), answer: answer<ItemResultDetail>() },
} as const satisfies ChannelTable;
