/**
 * Which guard family a model file is, from its GGUF metadata.
 *
 * The chat template is the strongest evidence: each official guard template carries fixed wording, and the Llama Guard
 * ones hard-code category lists that differ (shared/prompt-formats/). Names come second, because quantizers rename
 * freely (`LlamaGuard-7b`, `llamaguard-7b.Q4_K_M.gguf`, `Meta-Llama-Guard-2-8B`); they are matched tolerantly, and only
 * on a file of an architecture the family is built on.
 */
import { isPromptFamily, type FamilyId } from "../families/ids.ts";
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

/** A detected family of the registry, scorable today or not. */
export interface DetectedGuardFamily {
  family: FamilyId;
  /** what gave it away, in words a user can check */
  reason: string;
}

interface TemplateFingerprint {
  family: FamilyId | ((name: string) => FamilyId);
  /** every marker must occur in the template */
  markers: readonly string[];
  reason: string;
}

/** Separators quantizers use between name parts: `Llama-Guard-3-1B`, `llama_guard_3_1b`, `Llama Guard 3 1B`, `LlamaGuard-7b`. */
const SEP = "[-_ .]*";

function namePattern(...parts: string[]): RegExp {
  // Letters or digits right before or after would mean a different name (`Llama-Guard-3-11B-Vision` is not 3-1B).
  return new RegExp(`(?<![a-z0-9])${parts.join(SEP)}(?![a-z0-9])`, "i");
}

/** The Granite Guardian minor version a name spells (`granite-guardian-3.1-8b`, `granite3.2-guardian:5b`), if any. */
function graniteMinorVersion(name: string): string | undefined {
  const match = /granite[-_ .]*guardian[-_ .]*3(?:[._]([0-3]))?(?![0-9])|granite[-_ .]*3(?:[._]([0-3]))?[-_ .]*guardian/i.exec(name);
  if (!match) return undefined;
  return match[1] ?? match[2] ?? "0";
}

/** Granite Guardian 3.1 and 3.2 share a template layout; the name tells them apart (3.2 when it does not say). */
const graniteOfName = (name: string): FamilyId => (graniteMinorVersion(name) === "1" ? "granite-guardian-3.1" : "granite-guardian-3.2");

/**
 * Checked in order; each entry's markers occur in its official template and in no earlier entry's, so the first match
 * wins: Llama Guard 4's header tokens (`<|header_start|>`) are in no Llama Guard 3 template; the 1B template is the only
 * one that takes `categories` as a variable; the 8B template is the only Llama 3 header-token template listing S14; LG2
 * and LG1 both use `[INST] Task:` but only LG2 numbers S1–S11 (with the trailing space its names carry) and only LG1
 * has the O1–O6 policy.
 */
const TEMPLATE_FINGERPRINTS: readonly TemplateFingerprint[] = [
  {
    family: "llama-guard-4",
    markers: ["<|header_start|>", "<BEGIN UNSAFE CONTENT CATEGORIES>"],
    reason: "chat template is a Llama Guard 4 one (Llama 4 header tokens with the unsafe-content category block)",
  },
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
    family: "shieldgemma",
    markers: ["You are a policy expert trying to help determine whether", "Our safety principle is defined in the below"],
    reason: "chat template is the ShieldGemma one (policy expert preamble, one safety principle per call)",
  },
  {
    family: "granite-guardian-3.3",
    markers: ["judge_protocol", "<|start_of_role|>"],
    reason: "chat template is a Granite Guardian 3.3 one (judge protocol with criteria and a scoring schema)",
  },
  {
    family: "granite-guardian-3.0",
    markers: ["risk_bank", "<start_of_risk_definition>", "<start_of_turn>"],
    reason: "chat template is the Granite Guardian 3.0 one (risk_bank, <start_of_turn> layout)",
  },
  {
    family: graniteOfName,
    markers: ["<start_of_conversation>", "<start_of_risk_definition>"],
    reason: "chat template is a Granite Guardian 3.1/3.2 one (<start_of_conversation> layout; the name gives the version)",
  },
  {
    family: "qwen3guard",
    markers: ["**Safety: Controversial**", "<|im_start|>"],
    reason: "chat template is the Qwen3Guard-Gen one (Safe / Unsafe / Controversial policy)",
  },
  {
    family: "wildguard",
    markers: ["You are a classifier for analyzing interactions between humans and LLMs"],
    reason: "chat template carries WildGuard's instruction",
  },
  {
    family: "chat-judge",
    markers: ["[INST]", "<<SYS>>"],
    reason: "chat template uses the Llama 2 chat format ([INST] with a <<SYS>> system block), which the chat-judge prompt is written for",
  },
];

interface NameFingerprint {
  family: FamilyId | ((name: string) => FamilyId);
  pattern: RegExp;
  /** the canonical spelling, for the reason text */
  looksLike: string;
  /** `general.architecture` values of the family's models; a file of another architecture is not it */
  architectures: readonly string[];
}

const LLAMA = ["llama"];
const GRANITE = ["granite", "granitemoe", "granitehybrid"];

/** Granite Guardian by version: `granite-guardian-3.3-8b`, `granite3-guardian:2b` (3.0), `granite3.2-guardian`. */
function graniteByName(name: string): FamilyId {
  return `granite-guardian-3.${graniteMinorVersion(name) ?? "0"}` as FamilyId;
}

const NAME_FINGERPRINTS: readonly NameFingerprint[] = [
  { family: "llama-guard-4", pattern: namePattern("llama", "guard", "4"), looksLike: "Llama-Guard-4-12B", architectures: ["llama4"] },
  { family: "llama-guard-3-1b", pattern: namePattern("llama", "guard", "3", "1b"), looksLike: "Llama-Guard-3-1B", architectures: LLAMA },
  { family: "llama-guard-3-8b", pattern: namePattern("llama", "guard", "3", "8b"), looksLike: "Llama-Guard-3-8B", architectures: LLAMA },
  { family: "llama-guard-2", pattern: namePattern("llama", "guard", "2", "8b"), looksLike: "Meta-Llama-Guard-2-8B", architectures: LLAMA },
  { family: "llama-guard-1", pattern: namePattern("llama", "guard", "(?:1[-_ .]*)?7b"), looksLike: "LlamaGuard-7b", architectures: LLAMA },
  { family: "chat-judge", pattern: namePattern("llama", "2", "(?:\\d+b[-_ .]*)?chat"), looksLike: "Llama-2-13b-chat", architectures: LLAMA },
  // `shieldgemma-2-4b-it` is ShieldGemma 2, an image classifier: not this family.
  { family: "shieldgemma", pattern: /(?<![a-z0-9])shield[-_ .]*gemma(?![-_ .]*2(?![0-9a-z]))/i, looksLike: "shieldgemma-2b", architectures: ["gemma2"] },
  { family: graniteByName, pattern: /granite[-_ .]*guardian|granite[-_ .]*3(?:[._][0-3])?[-_ .]*guardian/i, looksLike: "granite-guardian-3.x", architectures: GRANITE },
  { family: "wildguard", pattern: namePattern("wild", "guard"), looksLike: "wildguard", architectures: LLAMA },
  { family: "qwen3guard", pattern: /(?<![a-z0-9])qwen[-_ .]*3[-_ .]*guard(?![-_ .]*stream)/i, looksLike: "Qwen3Guard-Gen-8B", architectures: ["qwen3"] },
  { family: "nemoguard-content-safety", pattern: /nemo[-_ .]*guard.*content[-_ .]*safety|aegis/i, looksLike: "Llama-3.1-NemoGuard-8B-ContentSafety", architectures: LLAMA },
  { family: "gpt-oss-safeguard", pattern: namePattern("gpt", "oss", "safeguard"), looksLike: "gpt-oss-safeguard-20b", architectures: ["gpt-oss"] },
];

const resolve = (family: TemplateFingerprint["family"], name: string) => (typeof family === "function" ? family(name) : family);

/** The guard family a model file is, from its template, then its names; undefined when nothing identifies one. */
export function detectGuardFamily(evidence: FamilyEvidence): DetectedGuardFamily | undefined {
  const names = [evidence.name, evidence.fileName].filter((value): value is string => Boolean(value)).join(" ");
  if (evidence.chatTemplate) {
    const template = evidence.chatTemplate;
    const match = TEMPLATE_FINGERPRINTS.find((fingerprint) => fingerprint.markers.every((marker) => template.includes(marker)));
    if (match) return { family: resolve(match.family, names), reason: match.reason };
  }
  const namedSources: Array<[label: string, value: string | undefined]> = [
    ["model name", evidence.name],
    ["file name", evidence.fileName],
  ];
  for (const [label, value] of namedSources) {
    if (!value) continue;
    // A name that says "Llama Guard" on a Gemma or Qwen file is a coincidence or a mislabel; guessing would build a
    // prompt the model was never trained on.
    const match = NAME_FINGERPRINTS.find(
      (fingerprint) => fingerprint.pattern.test(value) && (!evidence.architecture || fingerprint.architectures.includes(evidence.architecture)),
    );
    if (match) return { family: resolve(match.family, value), reason: `${label} "${value}" looks like ${match.looksLike}` };
  }
  return undefined;
}

/** The detected family when the engine can score it today (see shared/families/ids.ts); undefined otherwise. */
export function detectPromptFamily(evidence: FamilyEvidence): DetectedFamily | undefined {
  const detected = detectGuardFamily(evidence);
  return detected && isPromptFamily(detected.family) ? { family: detected.family, reason: detected.reason } : undefined;
}
