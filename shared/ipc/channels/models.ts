/** The model library, the catalog, downloads and loading (handlers: electron/host/handlers/models.ts). */
import { z } from "zod";
import type { Catalog } from "../../models/catalog.ts";
import type { FitAssessment, FitReport, HardwareProfile } from "../../models/fit.ts";
import type { InstalledModel } from "../../models/modelInfo.ts";
import { answer, type ChannelTable } from "./channel.ts";
import type { EngineStatus } from "./engine.ts";
import { familySchema, noFields } from "./fields.ts";
import type { JobStarted } from "./jobs.ts";

const contextSizeSchema = z.number().int().min(256).max(1 << 20);

/** A library entry: the same shape the CLI lists. */
export type ModelSummary = InstalledModel;

export interface ModelList {
  modelsDir: string;
  models: ModelSummary[];
}

export interface CatalogReport {
  catalog: Catalog;
  /** every catalog file rated for this machine, plus installed non-catalog files rated from their headers */
  fit: FitReport & { otherInstalled: Array<{ id: string; assessment: FitAssessment }> };
}

export const modelChannels = {
  /** the model library: downloaded and imported files */
  "models:list": { request: noFields, answer: answer<ModelList>() },
  /** the model catalog rated against this machine, with a recommendation */
  "models:catalog": {
    request: z.strictObject({
      contextSize: contextSizeSchema.optional(),
      /** the catalog model the recommendation prefers (default: the catalog's order, most capable first) */
      preferredModelId: z.string().min(1).max(200).optional(),
    }),
    answer: answer<CatalogReport>(),
  },
  /** RAM, CPU and GPU as the engine sees them */
  "models:hardware": { request: noFields, answer: answer<HardwareProfile>() },
  /** starts a download job: answers `{ jobId }`, then `job:progress` … `job:done` with the installed model (DownloadedModel) */
  "models:download": {
    request: z.strictObject({
      repo: z.string().min(3).max(200),
      file: z.string().min(1).max(500),
      revision: z.string().min(1).max(200).optional(),
    }),
    answer: answer<JobStarted>(),
  },
  /**
   * Validates a GGUF file the user chose (see files:*) and copies it into the library (`local/<name>`).
   * `alreadyInstalled`: the same bytes were already in the library under that name; nothing was copied.
   */
  "models:import": {
    request: z.strictObject({ path: z.string().min(1, "the path is empty").max(4096) }),
    answer: answer<{ model: ModelSummary; alreadyInstalled: boolean }>(),
  },
  /**
   * A page that listens for events asks for the model files the OS opened Guardbench with: each waiting one, and every
   * later one, arrives as a `models:open-request` event. `delivered`: how many were waiting.
   */
  "models:open-requests": { request: noFields, answer: answer<{ delivered: number }>() },
  /** deletes a model file from the library (imports are copies, so the original file stays where it was) */
  "models:remove": { request: z.strictObject({ id: z.string().min(1).max(1000) }), answer: answer<{ id: string; path: string }>() },
  /** starts a load job: answers `{ jobId }`; `job:done` carries the new EngineStatus. `family` overrides detection. */
  "models:load": {
    request: z
      .strictObject({
        /** an installed model's id */
        id: z.string().min(1).max(1000).optional(),
        /** a GGUF file outside the library: one the user chose (the page) or named (the CLI) */
        path: z.string().min(1).max(4096).optional(),
        family: familySchema.optional(),
        contextSize: contextSizeSchema.optional(),
        /** "cpu" never touches a GPU; "auto" (default) uses one when it works and says why not when it does not */
        compute: z.enum(["auto", "cpu"]).optional(),
      })
      .refine((request) => (request.id === undefined) !== (request.path === undefined), { message: "give the model's id or its path, one of them" }),
    answer: answer<JobStarted>(),
  },
  "models:unload": { request: noFields, answer: answer<EngineStatus>() },
} as const satisfies ChannelTable;
