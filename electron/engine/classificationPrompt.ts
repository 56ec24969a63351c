/**
 * The prompt a classification evaluates, built from the request as every engine builds it — the local scorer and the
 * remote engine alike — so that both judge the same turn with the same text.
 */
import { prepareForClassification } from "../../shared/conversation/index.ts";
import { guardFamilyOf } from "../../shared/families/registry.ts";
import { embeddedTemplateOptions } from "../../shared/families/embeddedTemplate.ts";
import type { FamilyPrompt } from "../../shared/families/types.ts";
import { buildPrompt, type BuiltPrompt } from "../../shared/prompts/index.ts";
import { presetPolicy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import { EngineError } from "./errors.ts";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";
import type { LoadedModelInfo } from "./engine.ts";

type Target = "prompt" | "response";

function preparedTurns(request: ClassifyRequest) {
  const prepared = prepareForClassification({ turns: request.turns }, request.check ?? "last");
  if (!prepared.ok) throw new EngineError("conversation-invalid", prepared.error.message, "Fix the conversation's roles and try again.");
  return prepared;
}

/** The one prompt of a family that builds one per conversation (every family but the per-category ones). */
export function buildClassificationPrompt(family: PromptFamily, request: ClassifyRequest): { prompt: BuiltPrompt; target: Target } {
  const prepared = preparedTurns(request);
  const built = buildPrompt(family, prepared.turns, request.policy ?? presetPolicy(family));
  if (!built.ok) throw new EngineError("prompt-invalid", built.error.message);
  return { prompt: built.prompt, target: prepared.target };
}

/**
 * What a family whose prompt is the model file's own template (Llama Guard 4, a custom guard) needs of the loaded file,
 * and a custom guard's definition.
 */
export type ModelTemplateSource = Pick<LoadedModelInfo, "chatTemplate" | "specialTokens" | "customGuard" | "controlTokens">;

/**
 * The family's prompt or prompts (one per enabled category for ShieldGemma and Granite Guardian), from its registry
 * object; a family that renders the file's own template gets it with the vocabulary's BOS/EOS text.
 */
export function buildFamilyPrompts(family: PromptFamily, request: ClassifyRequest, model: ModelTemplateSource = {}): { prompt: FamilyPrompt<string>; target: Target } {
  const prepared = preparedTurns(request);
  const guard = guardFamilyOf({ family, ...(model.customGuard && { customGuard: model.customGuard }) });
  const options = guard.needsEmbeddedTemplate ? { ...embeddedTemplateOptions(model.chatTemplate, model.specialTokens), ...(model.controlTokens && { specialTokens: model.controlTokens }) } : {};
  const built = guard.buildPrompt(prepared.turns, request.policy ?? presetPolicy(family), options);
  if (!built.ok) throw new EngineError("prompt-invalid", built.error.message);
  return { prompt: built.prompt, target: prepared.target };
}
