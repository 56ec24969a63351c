/** The model library, the catalog, downloads and loading (handlers: electron/host/handlers/models.ts). */
import { z } from "zod";
import { customGuardSchema, type CustomGuardDefinition } from "../../families/customGuard.ts";
import type { Catalog } from "../../models/catalog.ts";
import type { FitAssessment, FitReport, HardwareProfile } from "../../models/fit.ts";
import type { InstalledModel } from "../../models/modelInfo.ts";
import { answer, type ChannelTable } from "./channel.ts";
import type { EngineStatus } from "./engine.ts";
import { familySchema, noFields } from "./fields.ts";
import type { JobStarted } from "./jobs.ts";

const contextSizeSchema = z.number().int().min(256).max(1 << 20);

/** A model named by its library id or by a path outside the library, one of them. */
const modelRefShape = {
  /** an installed model's id */
  id: z.string().min(1).max(1000).optional(),
  /** a GGUF file outside the library: one the user chose (the page) or named (the CLI) */
  path: z.string().min(1).max(4096).optional(),
};
const oneModelRef = [(request: { id?: string | undefined; path?: string | undefined }) => (request.id === undefined) !== (request.path === undefined), { message: "give the model's id or its path, one of them" }] as const;

/** A model file's custom guard as the editor shows it. */
export interface CustomGuardReport {
  /** the file as loads name it */
  path: string;
  /** the definition saved with it; absent: none yet */
  definition?: CustomGuardDefinition;
  savedAt?: string;
  /** the file's own `tokenizer.chat_template` (what a definition without a template renders); absent: the file has none */
  embeddedTemplate?: string;
  /** the prompt the saved definition gives for a short sample conversation, or why it gives none */
  preview?: { ok: true; text: string } | { ok: false; message: string };
}

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
  /** the custom guard saved with a model file (issue #15.3b), with the file's own template for the editor */
  "models:custom-guard": {
    request: z.strictObject(modelRefShape).refine(...oneModelRef),
    answer: answer<CustomGuardReport>(),
  },
  /**
   * Saves (or replaces) a model file's custom guard; loading the file as `custom-guard` then uses it. Refused when the
   * definition's prompt cannot be built for that file (no template anywhere, a template that refuses a conversation).
   */
  "models:save-custom-guard": {
    request: z.strictObject({ ...modelRefShape, definition: customGuardSchema }).refine(...oneModelRef),
    answer: answer<CustomGuardReport>(),
  },
  "models:remove-custom-guard": {
    request: z.strictObject(modelRefShape).refine(...oneModelRef),
    answer: answer<{ path: string; removed: boolean }>(),
  },
  /**
   * Starts a load job: answers `{ jobId }`; `job:done` carries the new EngineStatus. `family` overrides detection;
   * `custom-guard` loads the file with the custom guard saved with it.
   */
  "models:load": {
    request: z
      .strictObject({
        ...modelRefShape,
        family: familySchema.optional(),
        contextSize: contextSizeSchema.optional(),
        /** "cpu" never touches a GPU; "auto" (default) uses one when it works and says why not when it does not */
        compute: z.enum(["auto", "cpu"]).optional(),
      })
      .refine(...oneModelRef),
    answer: answer<JobStarted>(),
  },
  "models:unload": { request: noFields, answer: answer<EngineStatus>() },
} as const satisfies ChannelTable;
