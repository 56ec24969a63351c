/**
 * The prompt a classification evaluates, built from the request as every engine builds it — the local scorer and the
 * remote engine alike — so that both judge the same turn with the same text.
 */
import { prepareForClassification } from "../../shared/conversation/index.ts";
import { buildPrompt, type BuiltPrompt } from "../../shared/prompts/index.ts";
import { presetPolicy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import { EngineError } from "./errors.ts";
import type { ClassifyRequest } from "../../shared/ipc/contract.ts";

export function buildClassificationPrompt(family: PromptFamily, request: ClassifyRequest): { prompt: BuiltPrompt; target: "prompt" | "response" } {
  const prepared = prepareForClassification({ turns: request.turns }, request.check ?? "last");
  if (!prepared.ok) throw new EngineError("conversation-invalid", prepared.error.message, "Fix the conversation's roles and try again.");
  const built = buildPrompt(family, prepared.turns, request.policy ?? presetPolicy(family));
  if (!built.ok) throw new EngineError("prompt-invalid", built.error.message);
  return { prompt: built.prompt, target: prepared.target };
}
