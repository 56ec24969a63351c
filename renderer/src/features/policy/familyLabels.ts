import { PROMPT_FAMILIES, type PromptFamily } from "../../../../shared/taxonomy/index.ts";

/** How the families are named in the UI (the ids are for code and files). */
export const FAMILY_LABELS: Record<PromptFamily, string> = {
  "llama-guard-1": "Llama Guard 1 (7B)",
  "llama-guard-2": "Llama Guard 2 (8B)",
  "llama-guard-3-8b": "Llama Guard 3 8B",
  "llama-guard-3-1b": "Llama Guard 3 1B",
  "chat-judge": "Chat judge (Llama 2 chat)",
};

export const FAMILY_OPTIONS = PROMPT_FAMILIES.map((family) => ({ value: family, label: FAMILY_LABELS[family] }));
