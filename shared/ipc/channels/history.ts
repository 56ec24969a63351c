/** The workbench's classification history (handlers: electron/host/handlers/history.ts). */
import { z } from "zod";
import type { ClassificationResult, VerdictKind } from "../../classify/result.ts";
import type { ClassificationTarget, Turn } from "../../conversation/types.ts";
import type { Policy, PromptFamily } from "../../taxonomy/index.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { filePathSchema } from "./fields.ts";
import { policyNameSchema, versionSchema } from "./policies.ts";

export interface HistorySummary {
  id: number;
  createdAt: string;
  verdict: VerdictKind;
  flagged: boolean;
  pUnsafe: number;
  categories: string[];
  target: ClassificationTarget;
  modelPath: string;
  family: PromptFamily;
  policyName: string;
  policyVersion?: number;
  /** the start of the checked turn, for lists */
  preview: string;
}

export interface HistoryPage {
  items: HistorySummary[];
  /** pass as `beforeId` for the next (older) page; absent on the last page */
  nextBeforeId?: number;
  /** what the filters can choose from (the whole history, unfiltered), on the first page only */
  facets?: HistoryFacets;
}

export interface HistoryFacets {
  /** model files in the history, most recently used first */
  models: Array<{ path: string; entries: number }>;
  /** policies by name, most recently used first, with the saved versions that classified ([] for drafts only) */
  policies: Array<{ name: string; versions: number[]; entries: number }>;
}

export interface HistoryEntry extends Omit<HistorySummary, "preview"> {
  turns: Turn[];
  policy: Policy;
  result: ClassificationResult;
}

export const historyChannels = {
  /** recent classifications, newest first; pass the last item's id as `beforeId` for the next page */
  /**
   * Recent classifications, newest first; pass the last item's id as `beforeId` for the next page. The filters narrow
   * every page alike: `query` (each of its words must occur in the conversation, case-insensitively for ASCII letters),
   * `verdict`, the model file (`modelPath`), the policy (`policyName`, and `policyVersion` for one saved version).
   */
  "history:list": {
    request: z.strictObject({
      limit: z.number().int().min(1).max(500).optional(),
      beforeId: z.number().int().positive().optional(),
      query: z.string({ error: "query must be text" }).max(500, "the search may hold at most 500 characters").optional(),
      verdict: z.enum(["safe", "unsafe", "unparseable"], { error: "verdict must be safe, unsafe or unparseable" }).optional(),
      modelPath: filePathSchema.optional(),
      policyName: policyNameSchema.optional(),
      policyVersion: versionSchema.optional(),
    }),
    answer: answer<HistoryPage>(),
  },
  "history:get": { request: z.strictObject({ id: z.number().int().positive() }), answer: answer<HistoryEntry>() },
  /** deletes these history entries for good; ids not in the history are left out of `deleted` */
  "history:delete": {
    request: z.strictObject({
      ids: z.array(z.number().int().positive(), { error: "ids must be an array of history ids" }).min(1, "name at least one entry to delete").max(500, "delete at most 500 entries at once"),
    }),
    answer: answer<{ deleted: number[] }>(),
  },
} as const satisfies ChannelTable;
