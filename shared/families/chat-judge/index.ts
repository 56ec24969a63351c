/**
 * The chat judge: a general Llama 2 chat model prompted to answer like Llama Guard (shared/prompts/chatJudge.ts has
 * the design). Its prompt is Guardbench's; the framing is the Llama-2-chat HF template, golden-tested.
 */
import { buildChatJudgePrompt, chatJudgeMessages } from "../../prompts/chatJudge.ts";
import { checkFamilyInputs, singlePrompt } from "../common.ts";
import { llamaGuardDecision, llamaGuardVerdict, taxonomyOf } from "../llama-guard/index.ts";
import type { GuardFamily } from "../types.ts";

export const chatJudge: GuardFamily<"chat-judge"> = {
  id: "chat-judge",
  displayName: "Chat judge (Llama 2 chat)",
  source: {
    kind: "guardbench-design",
    reference: "Guardbench's classification prompt in the Llama-2-chat format (HF meta-llama/Llama-2-13b-chat-hf chat template, test/fixtures/prompt-templates)",
    confidence: "medium",
    caveats: ["A general chat model was not trained on this prompt: expect it to answer off-format more often than a Llama Guard, which the verdict parser reports as unparseable."],
  },
  taxonomy: taxonomyOf("chat-judge", { customCategories: true, exclusions: true }),
  scorableToday: true,
  firstTokenDecision: true,
  needsEmbeddedTemplate: false,
  settings: [],
  buildPrompt(turns, policy, options) {
    const error = checkFamilyInputs(chatJudge, turns, policy, options);
    if (error) return { ok: false, error };
    return singlePrompt(buildChatJudgePrompt(turns, policy));
  },
  templateInputs: (turns, policy) => [{ messages: chatJudgeMessages(turns, policy), variables: {} }],
  // A SentencePiece chat model opens `[/INST] safe` with a space: the leading-space variants cover it.
  decision: llamaGuardDecision(""),
  parseVerdict: llamaGuardVerdict,
};
