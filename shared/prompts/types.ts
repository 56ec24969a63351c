import type { CustomGuardDefinition } from "../families/customGuard.ts";
import type { PromptFamily } from "../taxonomy/index.ts";
import type { PromptPart } from "./parts.ts";

/** Which side of the conversation is judged: the last message, named as the templates name it. */
export type CheckedRole = "User" | "Agent";

/** `F`: the family names it may carry; the default is the families the engine scores today (see shared/families). */
export interface BuiltPrompt<F extends string = PromptFamily> {
  family: F;
  /** Exactly what the official chat template renders (transformers apply_chat_template, special tokens as text). */
  text: string;
  /**
   * `text` cut into runs: special tokens of the TEMPLATE vs everything else (template text and user content
   * merged into maximal runs). Joined, the parts equal `text`.
   */
  parts: PromptPart[];
  /** What the engine feeds llama.cpp, which adds BOS itself: `parts` without the leading BOS literal (and LG3-8B's stray space before it). */
  engineParts: PromptPart[];
  checkedRole: CheckedRole;
  /** Text the model is expected to emit before its safe/unsafe decision: "\n\n" for the LG3 HF templates, "" otherwise. */
  decisionPrefix: string;
  /**
   * Offset in `text` where the conversation starts. Everything before it depends only on policy and role,
   * so the engine can evaluate that prefix once and reuse its KV state. The cut falls right after
   * `<BEGIN CONVERSATION>\n\n`, a pre-tokeniser boundary for Llama 3 BPE; with SentencePiece (Llama 2)
   * tokenise the suffix without a dummy-prefix space, or tokenise the whole text and cut at the token boundary.
   */
  conversationStart: number;
}

export type PromptErrorCode =
  | "unknown_family"
  | "empty_conversation"
  | "unsupported_role"
  | "invalid_content"
  | "roles_not_alternating"
  | "policy_family_mismatch"
  | "invalid_policy"
  /** a category the family cannot score on this conversation (a RAG risk without a context document, say) */
  | "unsupported_category"
  /** the family prints a fixed taxonomy, and the policy asks for other categories */
  | "fixed_taxonomy"
  /** the family's prompt comes from the model file's chat template, and none was given */
  | "template_missing"
  /** a custom guard was asked for without its definition (none saved with the model) */
  | "custom_guard_missing"
  /** the model file's chat template failed to render, or renders something Guardbench cannot take apart */
  | "template_error";

export interface PromptError {
  code: PromptErrorCode;
  message: string;
}

export type BuildPromptResult = { ok: true; prompt: BuiltPrompt } | { ok: false; error: PromptError };

export interface BuildPromptOptions {
  /**
   * Accept a policy saved for another family; its categories are then printed in this family's layout.
   * Off by default: Llama Guard 1's O-codes and long policy text sent to Llama Guard 3, say, degrade the
   * classifier silently, so a mismatch must be a deliberate choice.
   */
  allowPolicyOfOtherFamily?: boolean;
  /** the model file's `tokenizer.chat_template`, for a family whose prompt it is (Llama Guard 4); the others ignore it */
  embeddedTemplate?: string;
  /** the vocabulary's BOS and EOS text that template renders with */
  bosToken?: string;
  eosToken?: string;
  /** a custom guard's definition (the one saved with its model, or stored with its run): its prompt comes from it */
  customGuard?: CustomGuardDefinition;
}
