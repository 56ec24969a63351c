/** A run measured against the labels, two runs compared, one item's full result (handlers: electron/host/handlers/evaluation.ts). */
import { z } from "zod";
import { thresholdSchema, type ClassificationResult } from "../../classify/result.ts";
import type { Turn } from "../../conversation/types.ts";
import type { CategoryMetrics, CategoryNaming, HistogramBin, PerCategoryReport, PrecisionRecallCurve, RunAgreement, RunComparison, ScoreEvaluation } from "../../metrics/index.ts";
import type { PolicyDiff, PromptFamily } from "../../taxonomy/index.ts";
import type { ResultError } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { itemIdSchema, noFields, runIdSchema } from "./fields.ts";
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

/** One run of a side-by-side comparison: what it is, and its metrics at its threshold. */
export interface SideBySideRun {
  runId: number;
  /** the run's name (its own, or the one generated from what produced it) */
  name: string;
  modelPath: string;
  family: PromptFamily;
  policyName: string;
  policyVersion?: number;
  threshold: number;
  evaluation: ScoreEvaluation;
  curve: PrecisionRecallCurve;
  /** items scored and labeled (what the metrics count), of the dataset's */
  evaluated: number;
  items: number;
  /** the categories of the run's policy (enabled ones): what its verdicts name, and what its mapping maps */
  categories: { code: string; name: string }[];
}

/**
 * Per category of the shared taxonomy — the codes the dataset's labels name — each run's precision and recall of
 * naming it, after its own codes are mapped onto the shared ones (a Llama Guard 1 `O3` onto the dataset's `S3`).
 */
export interface SideBySideCategories {
  sharedCodes: string[];
  /** per run, in the order of `runs`: its code → the shared code it counts as, as used (absent: not counted) */
  mappings: Record<string, string>[];
  rows: { code: string; perRun: (CategoryMetrics | null)[] }[];
  /** unsafe items whose label names no category: no category counts them */
  unknownHazardItems: number;
}

/** Several runs of one dataset at once (eval:side-by-side). */
export interface SideBySideReport {
  datasetId: number;
  runs: SideBySideRun[];
  /** over the items every run scored; `disagreements` holds the first MAX_SIDE_BY_SIDE_DISAGREEMENTS */
  agreement: RunAgreement & { disagreementCount: number };
  perCategory: SideBySideCategories;
}

/**
 * Which shared code each run's categories count as, by run id (as text: a JSON object's keys): `{"3": {"O3": "S3"}}`.
 * A code left out counts as the same shared code when the dataset has it; "" counts it as none.
 */
export const categoryMappingSchema = z.record(
  z.string().regex(/^[1-9][0-9]*$/, "a category mapping is keyed by run id"),
  z.record(z.string().trim().min(1).max(40), z.string().trim().max(40)),
);
export type CategoryMapping = z.output<typeof categoryMappingSchema>;

/** A side-by-side comparison kept under a name (eval:save-comparison): its runs, threshold and category mapping. */
export interface SavedComparison {
  id: number;
  name: string;
  runIds: number[];
  threshold?: number;
  categoryMapping: CategoryMapping;
  savedAt: string;
}

export const MAX_SIDE_BY_SIDE_RUNS = 8;
export const MAX_SIDE_BY_SIDE_DISAGREEMENTS = 500;

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
  /**
   * Two to eight runs of one dataset at once: each run's metrics and PR curve at its threshold (or `threshold` for
   * all), and where they disagree — the items every run scored that they flag differently, and each pair's agreement
   * and Cohen's kappa.
   */
  "eval:side-by-side": {
    request: z.strictObject({
      runIds: z
        .array(runIdSchema)
        .min(2, "choose at least two runs to put side by side")
        .max(MAX_SIDE_BY_SIDE_RUNS, `at most ${MAX_SIDE_BY_SIDE_RUNS} runs side by side`)
        .refine((ids) => new Set(ids).size === ids.length, { message: "a run is chosen twice" }),
      threshold: thresholdSchema.optional(),
      categoryMapping: categoryMappingSchema.optional(),
    }),
    answer: answer<SideBySideReport>(),
  },
  /** Keeps a side-by-side comparison under a name; the same name again replaces it. */
  "eval:save-comparison": {
    request: z.strictObject({
      name: z.string().trim().min(1, "give the comparison a name").max(200, "a comparison name may hold at most 200 characters"),
      runIds: z.array(runIdSchema).min(2, "a comparison has at least two runs").max(MAX_SIDE_BY_SIDE_RUNS),
      threshold: thresholdSchema.optional(),
      categoryMapping: categoryMappingSchema,
    }),
    answer: answer<SavedComparison>(),
  },
  /** the saved comparisons, newest first */
  "eval:comparisons": { request: noFields, answer: answer<{ comparisons: SavedComparison[] }>() },
  "eval:delete-comparison": { request: z.strictObject({ id: z.number().int().positive() }), answer: answer<{ id: number; deleted: boolean }>() },
  /** One item of both runs side by side: both results (flagged at the comparison's thresholds), the label, the policy diff. */
  "eval:compare-item": { request: z.strictObject({ ...compareFields, itemId: itemIdSchema }), answer: answer<ComparedItem>() },
  /** One item of a run: its conversation, label history and full result (the prompt text rebuilt from the stored policy). */
  /** `threshold`: the one the result's flag is shown at (default: the run's) */
  "results:get": { request: z.strictObject({ runId: runIdSchema, itemId: itemIdSchema, threshold: thresholdSchema.optional() }), answer: answer<ItemResultDetail>() },
} as const satisfies ChannelTable;
