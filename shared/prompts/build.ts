import type { Turn } from "../conversation/types.ts";
import { isPromptFamily, presetPolicy, validatePolicy, type Policy, type PromptFamily } from "../taxonomy/index.ts";
import { buildChatJudgePrompt } from "./chatJudge.ts";
import { checkTurns } from "./conversation.ts";
import { buildLlamaGuardPrompt } from "./llamaGuard.ts";
import { splitPartsAt, type PromptPart } from "./parts.ts";
import type { BuildPromptOptions, BuildPromptResult, BuiltPrompt } from "./types.ts";

/**
 * Builds the prompt a classifier of `family` gets for `turns` (user/assistant, alternating, user
 * first), classifying the last turn. `policy` defaults to the family's preset, with which the Llama
 * Guard families render byte-identically to their official template. Never throws: invalid input is
 * an error value, as the templates' raise_exception would be.
 */
export function buildPrompt(
  family: PromptFamily,
  turns: readonly Turn[],
  policy?: Policy,
  options: BuildPromptOptions = {},
): BuildPromptResult {
  if (!isPromptFamily(family)) return { ok: false, error: { code: "unknown_family", message: `Unknown prompt family ${JSON.stringify(family)}.` } };
  const usedPolicy = policy ?? presetPolicy(family);
  if (usedPolicy.family !== family && !options.allowPolicyOfOtherFamily)
    return {
      ok: false,
      error: {
        code: "policy_family_mismatch",
        message: `Policy "${usedPolicy.name}" was written for ${usedPolicy.family}, not ${family}; its categories would be printed in a layout the model was not trained on.`,
      },
    };
  const policyError = validatePolicy(usedPolicy);
  if (policyError) return { ok: false, error: policyError };
  const turnError = checkTurns(turns);
  if (turnError) return { ok: false, error: turnError };

  const prompt = family === "chat-judge" ? buildChatJudgePrompt(turns, usedPolicy) : buildLlamaGuardPrompt(family, turns, usedPolicy);
  return { ok: true, prompt };
}

/** What the engine tokenises: `text` parts with special-token parsing off, `special` parts as single tokens; BOS added by llama.cpp. */
export function renderForEngine(prompt: BuiltPrompt): PromptPart[] {
  return prompt.engineParts.map((part) => ({ ...part }));
}

/**
 * `engineParts` cut where the conversation starts: `prefix` depends only on policy and role (evaluate
 * once, keep its KV state), `conversation` is the per-item suffix.
 */
export function splitEngineParts(prompt: BuiltPrompt): { prefix: PromptPart[]; conversation: PromptPart[] } {
  // engineParts only drop characters from the front of `text`.
  const droppedLength = prompt.text.length - prompt.engineParts.reduce((length, part) => length + part.text.length, 0);
  const [prefix, conversation] = splitPartsAt(prompt.engineParts, prompt.conversationStart - droppedLength);
  return { prefix, conversation };
}
