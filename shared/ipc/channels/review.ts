/** Reviewing and labeling a dataset's items (handlers: electron/host/handlers/review.ts). */
import { z } from "zod";
import { thresholdSchema, type VerdictKind } from "../../classify/result.ts";
import type { Turn } from "../../conversation/types.ts";
import { safetyLabelSchema, type SafetyLabel } from "../../datasets/index.ts";
import type { ResultError } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { datasetIdSchema, itemIdSchema, runIdSchema } from "./fields.ts";

const categoryCodesSchema = z.array(z.string().trim().min(1).max(200)).max(100);

/** An item's label in effect: the latest review label still in effect, else the label it was imported with. */
export interface EffectiveLabel {
  label: SafetyLabel;
  /** hazard codes (review: as chosen; import: the MLCommons codes, or the source's categories when it has none) */
  categories: string[];
  source: "import" | "review";
  /** review labels only */
  eventId?: number;
  note?: string;
  who?: string;
  at?: string;
}

export interface LabelEvent {
  eventId: number;
  datasetId: number;
  itemId: string;
  label: SafetyLabel;
  categories: string[];
  note?: string;
  who: string;
  session?: string;
  at: string;
  /** true once undone (`review:undo`); the event stays in the history */
  undone: boolean;
}

/** A run's outcome for one item, short: what the review queue lists. */
export type ItemOutcome =
  | { ok: true; score: number; verdict: VerdictKind; flagged: boolean; categories: string[] }
  | { ok: false; error: ResultError };

export interface ReviewItem {
  itemId: string;
  /** the item's place in the dataset, from 0 */
  position: number;
  turns: Turn[];
  label?: EffectiveLabel;
  /** with a run: its outcome, absent while the item has not been scored */
  result?: ItemOutcome;
  /** with a run: the verdict at the threshold differs from the label */
  disagreement?: boolean;
}

export interface ReviewPage {
  items: ReviewItem[];
  /** items matching the filters */
  total: number;
  offset: number;
  limit: number;
  /** the threshold the filters and `flagged` used (with a run) */
  threshold?: number;
  /** the label history point the filters read labels as of: the request's `asOf`, else the newest event now */
  asOf: number;
  /** items of the queue (all pages) with a label in effect now, imported or reviewed: the progress "labeled / total" */
  labeled: number;
}

/** Where the queue's order, filters and snapshot are given: the fields `review:queue` and `review:next-unlabeled` share. */
const queueFields = {
  datasetId: datasetIdSchema,
  runId: runIdSchema.optional(),
  filter: z
    .strictObject({
      disagreements: z.boolean().optional(),
      uncertainMargin: z.number().gt(0, "uncertainMargin must be above 0").max(1).optional(),
      category: z.string().trim().min(1).max(200).optional(),
      unlabeled: z.boolean().optional(),
      threshold: thresholdSchema.optional(),
    })
    .optional(),
  /** "dataset" (default): file order; "uncertainty": closest to the threshold first; "score": highest P(unsafe) first */
  order: z.enum(["dataset", "uncertainty", "score"], { error: "order must be dataset, uncertainty or score" }).optional(),
  /**
   * Read the labels the filters look at as they were just after this label event (a page's `asOf`): labels given since
   * do not move items in or out of the queue, so its pages keep their places while the reviewer labels. Every page
   * still shows each item's label as it is now.
   */
  asOf: z.number().int().min(0).optional(),
};

/**
 * Pushed as `labels:changed`: a label of the dataset was given or undone, by this window, another one, or another
 * process writing to the same database (`guardbench label`): its queues and metrics read labels again.
 */
export interface LabelsChanged {
  datasetId: number;
}

export interface UndoOutcome {
  undone: LabelEvent;
  /** the item's label now (an earlier review label, the imported label, or none) */
  current?: EffectiveLabel;
}

export const reviewChannels = {
  /**
   * A page of a dataset's items to review, in the chosen order, each with its current label and (with `runId`) the run's
   * result. Filters combine (all must hold): `disagreements` (the run's verdict at the threshold differs from the label),
   * `uncertainMargin` (|score − threshold| < margin), `category` (labeled or predicted with that code), `unlabeled`.
   * The threshold is the run's unless `filter.threshold` is given.
   */
  "review:queue": {
    request: z.strictObject({
      ...queueFields,
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }),
    answer: answer<ReviewPage>(),
  },
  /**
   * The place (0-based, in the queue `review:queue` pages through with the same fields) of the first item after
   * `from` (`direction` "next", the default) or before it ("previous") that has no label in effect now; `index` is
   * absent when there is none.
   */
  "review:next-unlabeled": {
    request: z.strictObject({
      ...queueFields,
      from: z.number().int().min(-1),
      direction: z.enum(["next", "previous"], { error: "direction must be next or previous" }).optional(),
    }),
    answer: answer<{ index?: number }>(),
  },
  /** Labels one item; answers the saved label event only once it is committed. Earlier labels stay in the item's history. */
  "review:label": {
    request: z.strictObject({
      datasetId: datasetIdSchema,
      itemId: itemIdSchema,
      label: safetyLabelSchema,
      categories: categoryCodesSchema.optional(),
      note: z.string().max(10_000).optional(),
      /** who labeled; default: the operating-system user */
      who: z.string().trim().min(1).max(200).optional(),
      /** a labeling session's id (the review screen makes one), so `review:undo { session }` can step back through it */
      session: z.string().min(1).max(200).optional(),
    }),
    answer: answer<LabelEvent>(),
  },
  /** Undoes the latest label event still in effect: of one item (`datasetId` + `itemId`) or of a labeling `session`. */
  "review:undo": {
    request: z
      .strictObject({ datasetId: datasetIdSchema.optional(), itemId: itemIdSchema.optional(), session: z.string().min(1).max(200).optional() })
      .refine((request) => (request.session !== undefined) !== (request.datasetId !== undefined || request.itemId !== undefined), {
        message: "give datasetId and itemId to undo an item's last label, or session to undo the session's last label (not both)",
      })
      .refine((request) => request.session !== undefined || (request.datasetId !== undefined && request.itemId !== undefined), {
        message: "undoing an item's label needs both datasetId and itemId",
      }),
    answer: answer<UndoOutcome>(),
  },
} as const satisfies ChannelTable;
