/**
 * The prompt formats Guardbench can build, one per official chat template (see shared/prompts).
 *
 * - `llama-guard-1`: LlamaGuard-7b (Llama 2 based), O1–O6 with full policy text, `[INST] … [/INST]`.
 * - `llama-guard-2`: Meta-Llama-Guard-2-8B, S1–S11 names only, still `[INST] … [/INST]`.
 * - `llama-guard-3-8b`: Llama-Guard-3-8B, S1–S14, Llama 3 header tokens.
 * - `llama-guard-3-1b`: Llama-Guard-3-1B, S1–S13 (no S14); its template takes custom categories natively.
 * - `chat-judge`: a general chat model (Llama-2-chat format) prompted with the policy; not a Llama Guard.
 *
 * Llama Guard 4 is deliberately absent: no copy of its official chat template could be sourced
 * (prompt-formats/templates/SOURCES.md), and a guessed prompt would degrade silently. Add it once the
 * template is available, with golden tests like the others.
 */
export const PROMPT_FAMILIES = [
  "llama-guard-1",
  "llama-guard-2",
  "llama-guard-3-8b",
  "llama-guard-3-1b",
  "chat-judge",
] as const;

export type PromptFamily = (typeof PROMPT_FAMILIES)[number];

export function isPromptFamily(value: unknown): value is PromptFamily {
  return typeof value === "string" && (PROMPT_FAMILIES as readonly string[]).includes(value);
}
