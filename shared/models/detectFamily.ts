/**
 * Which of Guardbench's prompt formats a model file expects.
 *
 * The chat template is the strongest evidence: each official Llama Guard template hard-codes its category list, and
 * those lists differ (shared/prompt-formats/templates/). Names come second, because quantizers rename freely
 * (`LlamaGuard-7b`, `llamaguard-7b.Q4_K_M.gguf`, `Meta-Llama-Guard-2-8B`); they are matched tolerantly.
 */
import type { PromptFamily } from "../taxonomy/index.ts";
import type { DetectedFamily } from "./modelInfo.ts";

export interface FamilyEvidence {
  /** `tokenizer.chat_template` */
  chatTemplate?: string;
  /** `general.name` */
  name?: string;
  /** the file name on disk or on the Hub */
  fileName?: string;
  /** `general.architecture` */
  architecture?: string;
}

interface TemplateFingerprint {
  family: PromptFamily;
  /** every marker must occur in the template */
  markers: readonly string[];
  reason: string;
}

/**
 * Checked in order. Each entry's markers occur in its official template and in no earlier entry's, so the first
 * match wins without ambiguity: the 1B template is the only one that takes `categories` as a variable; the 8B template
 * is the only header-token template listing S14; LG2 and LG1 both use `[INST] Task:` but only LG2 numbers S1–S11
 * (with the trailing space its names carry) and only LG1 has the O1–O6 policy.
 */
const TEMPLATE_FINGERPRINTS: readonly TemplateFingerprint[] = [
  {
    family: "llama-guard-3-1b",
    markers: ["categories is not defined", "<BEGIN UNSAFE CONTENT CATEGORIES>"],
    reason: "chat template is the Llama Guard 3 1B one (categories passed as a variable, S1–S13 by default)",
  },
  {
    family: "llama-guard-3-8b",
    markers: ["S14: Code Interpreter Abuse.", "<|start_header_id|>"],
    reason: "chat template is the Llama Guard 3 8B one (Llama 3 header tokens, S1–S14 ending with Code Interpreter Abuse)",
  },
  {
    family: "llama-guard-2",
    markers: ["[INST] Task:", "S11: Sexual Content. "],
    reason: "chat template is the Llama Guard 2 one ([INST] Task: with S1–S11)",
  },
  {
    family: "llama-guard-1",
    markers: ["[INST] Task:", "O6: Self-Harm."],
    reason: "chat template is the Llama Guard 1 one ([INST] Task: with the O1–O6 policy)",
  },
  {
    family: "chat-judge",
    markers: ["[INST]", "<<SYS>>"],
    reason: "chat template uses the Llama 2 chat format ([INST] with a <<SYS>> system block), which the chat-judge prompt is written for",
  },
];

/** Separators quantizers use between name parts: `Llama-Guard-3-1B`, `llama_guard_3_1b`, `Llama Guard 3 1B`, `LlamaGuard-7b`. */
const SEP = "[-_ .]*";

function namePattern(...parts: string[]): RegExp {
  // Letters or digits right before or after would mean a different name (`Llama-Guard-3-11B-Vision` is not 3-1B).
  return new RegExp(`(?<![a-z0-9])${parts.join(SEP)}(?![a-z0-9])`, "i");
}

interface NameFingerprint {
  family: PromptFamily;
  pattern: RegExp;
  /** the canonical spelling, for the reason text */
  looksLike: string;
}

const NAME_FINGERPRINTS: readonly NameFingerprint[] = [
  { family: "llama-guard-3-1b", pattern: namePattern("llama", "guard", "3", "1b"), looksLike: "Llama-Guard-3-1B" },
  { family: "llama-guard-3-8b", pattern: namePattern("llama", "guard", "3", "8b"), looksLike: "Llama-Guard-3-8B" },
  { family: "llama-guard-2", pattern: namePattern("llama", "guard", "2", "8b"), looksLike: "Meta-Llama-Guard-2-8B" },
  { family: "llama-guard-1", pattern: namePattern("llama", "guard", "(?:1[-_ .]*)?7b"), looksLike: "LlamaGuard-7b" },
  { family: "chat-judge", pattern: namePattern("llama", "2", "(?:\\d+b[-_ .]*)?chat"), looksLike: "Llama-2-13b-chat" },
];

/** Every family Guardbench builds prompts for is a Llama-architecture model (Llama 2, 3, 3.1, 3.2 fine-tunes). */
const FAMILY_ARCHITECTURE = "llama";

export function detectPromptFamily(evidence: FamilyEvidence): DetectedFamily | undefined {
  if (evidence.chatTemplate) {
    const template = evidence.chatTemplate;
    const match = TEMPLATE_FINGERPRINTS.find((fingerprint) => fingerprint.markers.every((marker) => template.includes(marker)));
    if (match) return { family: match.family, reason: match.reason };
  }
  // A name that says "Llama Guard" on a Gemma or Qwen file is a coincidence or a mislabel; guessing would build a prompt
  // the model was never trained on.
  if (evidence.architecture && evidence.architecture !== FAMILY_ARCHITECTURE) return undefined;
  const namedSources: Array<[label: string, value: string | undefined]> = [
    ["model name", evidence.name],
    ["file name", evidence.fileName],
  ];
  for (const [label, value] of namedSources) {
    if (!value) continue;
    const match = NAME_FINGERPRINTS.find((fingerprint) => fingerprint.pattern.test(value));
    if (match) return { family: match.family, reason: `${label} "${value}" looks like ${match.looksLike}` };
  }
  return undefined;
}
