/** The inference engine's state (handlers: electron/host/handlers/engine.ts; also pushed as the `engine:status` event). */
import type { PromptFamily } from "../../taxonomy/index.ts";
import type { ModelTemplateCheck } from "../../families/index.ts";
import type { ResultError } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import { noFields } from "./fields.ts";

export type EngineState = "idle" | "loading" | "ready" | "failed" | "crashed";

export interface EngineModel {
  /** library id, when the model came from the library */
  id?: string;
  path: string;
  family: PromptFamily;
  /** known once loaded */
  contextSize?: number;
  /** the quantisation the file's header names ("Q4_K_M", "F32" …) */
  quant?: string;
  /** the file's sha256 (lowercase hex), once hashed: hashing runs beside the load, so a `ready` status may come without it and a later one with it */
  sha256?: string;
  /** once loaded: whether Guardbench's prompt for the family equals the file's own chat template's render */
  templateCheck?: ModelTemplateCheck;
  /** a custom guard's name (its definition is the one saved with the model file) */
  customGuardName?: string;
}

export interface EngineCompute {
  device: "gpu" | "cpu";
  /** "cuda", "vulkan", "metal" when on a GPU */
  backend?: string;
  /** why the CPU is used, when it is ("CPU requested", "no GPU detected — CPU inference", a GPU init failure …) */
  reason?: string;
}

/**
 * One object for the whole engine, pushed whole on every change.
 * - idle: no model. loading: `model` and `jobId` say what. ready: `model` and `compute` filled.
 * - failed: the last load failed (`error`). crashed: the worker died (`error`); the next request restarts it and reloads `model`.
 */
export interface EngineStatus {
  state: EngineState;
  model?: EngineModel;
  compute?: EngineCompute;
  error?: ResultError;
  /** the load job, while loading */
  jobId?: string;
  /** ready: conversations classified since the model loaded (in `engine:status` answers; events do not carry it) */
  classified?: number;
}

export const engineChannels = {
  /** the engine's state right now (also pushed as the `engine:status` event whenever it changes) */
  "engine:status": { request: noFields, answer: answer<EngineStatus>() },
} as const satisfies ChannelTable;
