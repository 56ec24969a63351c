/** The workbench's classification history (handlers: electron/host/handlers/history.ts). */
import { z } from "zod";
import type { ClassificationResult, VerdictKind } from "../../classify/result.ts";
import type { ClassificationTarget, Turn } from "../../conversation/types.ts";
import type { Policy, PromptFamily } from "../../taxonomy/index.ts";
import { answer, type ChannelTable } from "./channel.ts";

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
}

export interface HistoryEntry extends Omit<HistorySummary, "preview"> {
  turns: Turn[];
  policy: Policy;
  result: ClassificationResult;
}

export const historyChannels = {
  /** recent classifications, newest first; pass the last item's id as `beforeId` for the next page */
  "history:list": {
    request: z.strictObject({
      limit: z.number().int().min(1).max(500).optional(),
      beforeId: z.number().int().positive().optional(),
    }),
    answer: answer<HistoryPage>(),
  },
  "history:get": { request: z.strictObject({ id: z.number().int().positive() }), answer: answer<HistoryEntry>() },
} as const satisfies ChannelTable;
