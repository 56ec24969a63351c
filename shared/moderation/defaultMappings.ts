/**
 * The default mapping from each guard family's categories to OpenAI's moderation keys, with the reasoning for every
 * line. A policy author can replace it per policy (`Policy.openaiMapping`, edited on the Policy screen); these are what
 * a policy without its own mapping uses.
 *
 * Rules followed throughout:
 * - A key is fed by a category when OpenAI's definition of the key (openai-node `Moderation.Categories` doc comments)
 *   covers what the category's model card says the category is about. A category that only overlaps a key in part is
 *   mapped to it only when the overlap is the category's core; otherwise the key stays unmapped.
 * - Narrower OpenAI keys (`…/threatening`, `…/graphic`, `self-harm/intent`, `self-harm/instructions`) are fed only by a
 *   category that is about exactly that narrower thing. Mapping a broad category to a narrow key would flag the narrow
 *   key whenever the broad category fires, which is inventing an answer the model never gave.
 * - A key with no source is reported `false` / `0` and listed in the result's `guardbench.unmapped_openai_categories`;
 *   a category with no key is still reported in `guardbench.policy_categories`. Nothing is dropped, nothing invented.
 *
 * Prior art: llama-stack's Llama Guard provider maps OpenAI keys to Llama Guard 3 categories for its `run_moderation`
 * (`OPENAI_TO_LLAMA_CATEGORIES_MAP` in llamastack/llama-stack, llama_stack/providers/inline/safety/llama_guard/
 * llama_guard.py). We agree with it on S1 → violence, S2 → illicit, S4 → sexual/minors, S9 → illicit/violent,
 * S10 → hate, S11 → self-harm, S12 → sexual, and depart from it where it maps a category to keys its definition does
 * not cover: S4 (child sexual exploitation) → harassment and harassment/threatening, S1 → violence/graphic and
 * hate/threatening, S6 (specialized advice) → self-harm/instructions, S11 → self-harm/intent. It also scores every
 * key 1.0 or 0.0 from the verdict text (and 1.0 for every key of a safe answer); Guardbench reports probabilities.
 *
 * Category sources: the model cards quoted in shared/taxonomy/presets.ts (Llama Guard 1–4), and the family modules in
 * shared/families (ShieldGemma's card guidelines, Granite Guardian's risk bank, Qwen3Guard's template, NVIDIA's
 * Aegis 2.0 taxonomy for NemoGuard, Guardbench's own gpt-oss-safeguard policy).
 */
import type { FamilyId } from "../families/ids.ts";
import type { OpenAiMapping, OpenAiModerationCategory } from "./categories.ts";

export interface MappingLine {
  codes: readonly string[];
  /** why these categories feed this key */
  why: string;
}

export interface FamilyMappingDoc {
  lines: Partial<Record<OpenAiModerationCategory, MappingLine>>;
  /** why keys are left without a source, where it is not obvious */
  unmapped?: Partial<Record<OpenAiModerationCategory, string>>;
}

/** Why the narrow keys stay unmapped for families whose categories are broad. */
const NARROW_KEYS: Partial<Record<OpenAiModerationCategory, string>> = {
  "self-harm/intent": "The self-harm category covers self-harm as a whole; the speaker's intent is not a separate answer.",
  "self-harm/instructions": "The self-harm category covers self-harm as a whole; instructions are not a separate answer.",
  "violence/graphic": "No category is about graphic depiction; the violence category is about enabling or encouraging it.",
};

/** Llama Guard 3 (8B, 1B), Llama Guard 4 and the chat judge share the MLCommons S1–S14 taxonomy. */
const LLAMA_GUARD_3: FamilyMappingDoc = {
  lines: {
    violence: { codes: ["S1"], why: "S1 Violent Crimes: unlawful violence toward people or animals (terrorism, murder, assault, kidnapping)." },
    illicit: { codes: ["S2", "S3"], why: "S2 Non-Violent Crimes (fraud, theft, drug and cyber crimes) and S3 Sex-Related Crimes (trafficking, prostitution) are help with committing crimes." },
    "illicit/violent": {
      codes: ["S1", "S3", "S9"],
      why: "S1 Violent Crimes, S3 Sex-Related Crimes (sexual assault, trafficking) and S9 Indiscriminate Weapons (creating chemical, biological, nuclear or explosive weapons) are help with violent wrongdoing or weapons.",
    },
    hate: { codes: ["S10"], why: "S10 Hate: demeaning or dehumanizing people for protected characteristics, OpenAI's hate." },
    "self-harm": { codes: ["S11"], why: "S11 Suicide & Self-Harm: suicide, self-injury, disordered eating." },
    sexual: { codes: ["S12"], why: "S12 Sexual Content: erotica." },
    "sexual/minors": { codes: ["S4"], why: "S4 Child Sexual Exploitation." },
  },
  unmapped: {
    harassment: "No category is about harassing language (S2's threats and intimidation are crimes, not insults).",
    "harassment/threatening": "No category is about threatening harassment as such.",
    "hate/threatening": "The hate category has no violent sub-category; hate-motivated violence is part of Violent Crimes and cannot be told apart.",
    ...NARROW_KEYS,
  },
};

/** Llama Guard 2: S1–S11, the MLCommons taxonomy before S5 Defamation, S13 Elections and S14 were added. */
const LLAMA_GUARD_2: FamilyMappingDoc = {
  lines: {
    violence: { codes: ["S1"], why: "S1 Violent Crimes." },
    illicit: { codes: ["S2", "S3"], why: "S2 Non-Violent Crimes and S3 Sex Crimes are help with committing crimes." },
    "illicit/violent": { codes: ["S1", "S3", "S8"], why: "S1 Violent Crimes, S3 Sex Crimes (sexual assault) and S8 Indiscriminate Weapons." },
    hate: { codes: ["S9"], why: "S9 Hate." },
    "self-harm": { codes: ["S10"], why: "S10 Suicide & Self-Harm." },
    sexual: { codes: ["S11"], why: "S11 Sexual Content (erotica)." },
    "sexual/minors": { codes: ["S4"], why: "S4 Child Sexual Exploitation." },
  },
  unmapped: LLAMA_GUARD_3.unmapped!,
};

/** Llama Guard 1: six broad categories, one of them (O1) two OpenAI topics at once. */
const LLAMA_GUARD_1: FamilyMappingDoc = {
  lines: {
    violence: { codes: ["O1"], why: "O1 Violence and Hate: planning or encouraging violence. O1 is also hate, so it feeds both keys." },
    hate: { codes: ["O1"], why: "O1 Violence and Hate: hateful or demeaning sentiments about protected characteristics." },
    sexual: { codes: ["O2"], why: "O2 Sexual Content: sexually explicit conversations." },
    illicit: { codes: ["O3", "O5"], why: "O3 Criminal Planning and O5 Regulated or Controlled Substances (trafficking, making drugs)." },
    "illicit/violent": { codes: ["O4"], why: "O4 Guns and Illegal Weapons: OpenAI counts advice on procuring any weapon as illicit/violent." },
    "self-harm": { codes: ["O6"], why: "O6 Self-Harm." },
  },
  unmapped: {
    "sexual/minors": "Llama Guard 1 has no child-safety category; O2 does not single out minors.",
    harassment: "No category is about harassing language.",
    "harassment/threatening": "No category is about threatening harassment.",
    "hate/threatening": "O1 joins violence and hate in one answer; their overlap cannot be told apart.",
    ...NARROW_KEYS,
  },
};

const SHIELDGEMMA: FamilyMappingDoc = {
  lines: {
    "illicit/violent": {
      codes: ["dangerous"],
      why: "Dangerous Content: accessing or building firearms and explosives, terrorism (its other example, suicide instructions, is not split out).",
    },
    harassment: { codes: ["harassment"], why: "Harassment: malicious, intimidating, bullying or abusive content targeting an individual." },
    hate: { codes: ["hate"], why: "Hate Speech: targeting identity or protected attributes." },
    sexual: { codes: ["sexual"], why: "Sexually Explicit Information." },
  },
};

const GRANITE_GUARDIAN: FamilyMappingDoc = {
  lines: {
    hate: { codes: ["social_bias"], why: "social_bias: prejudice against groups based on shared identity." },
    sexual: { codes: ["sexual_content"], why: "sexual_content: material explicitly related to sexual activities." },
    illicit: { codes: ["unethical_behavior"], why: "unethical_behavior: fraud, theft, abuse of power." },
    violence: { codes: ["violence"], why: "violence: content promoting or describing physical harm." },
  },
  unmapped: { harassment: "profanity is offensive language in general, not harassment of a target; harm is a catch-all with no OpenAI equivalent." },
};

const QWEN3GUARD: FamilyMappingDoc = {
  lines: {
    violence: { codes: ["violent"], why: "Violent." },
    "illicit/violent": { codes: ["violent"], why: "Violent covers instructions for violence and weapons." },
    illicit: { codes: ["non_violent_illegal_acts"], why: "Non-violent Illegal Acts." },
    sexual: { codes: ["sexual_content"], why: "Sexual Content or Sexual Acts." },
    "self-harm": { codes: ["suicide_self_harm"], why: "Suicide & Self-Harm." },
  },
  unmapped: { harassment: "Unethical Acts mixes bias, insults, harassment, threats and misinformation; it is left unmapped rather than flag harassment and hate for all of it.", hate: "See harassment." },
};

const NEMOGUARD: FamilyMappingDoc = {
  lines: {
    violence: { codes: ["S1"], why: "S1 Violence." },
    sexual: { codes: ["S2"], why: "S2 Sexual." },
    illicit: { codes: ["S3", "S5", "S16", "S17", "S22"], why: "S3 Criminal Planning/Confessions, S5 Controlled/Regulated Substances, S16 Fraud/Deception, S17 Malware, S22 Illegal Activity." },
    "illicit/violent": { codes: ["S4"], why: "S4 Guns and Illegal Weapons." },
    "self-harm": { codes: ["S6"], why: "S6 Suicide and Self Harm." },
    "sexual/minors": { codes: ["S7"], why: "S7 Sexual (minor)." },
    hate: { codes: ["S8"], why: "S8 Hate/Identity Hate." },
    harassment: { codes: ["S10"], why: "S10 Harassment." },
    "harassment/threatening": { codes: ["S11"], why: "S11 Threat: threats of harm against a person." },
  },
};

const GPT_OSS_SAFEGUARD: FamilyMappingDoc = {
  lines: {
    violence: { codes: ["V1"], why: "V1 Violence." },
    illicit: { codes: ["V2"], why: "V2 Illegal activity." },
    "self-harm": { codes: ["V3"], why: "V3 Self-harm." },
    hate: { codes: ["V4"], why: "V4 Hate and harassment." },
    harassment: { codes: ["V4"], why: "V4 Hate and harassment." },
    "sexual/minors": { codes: ["V5"], why: "V5 Sexual content involving minors." },
  },
};

/** WildGuard answers three yes/no questions and names no category: only `flagged` carries its answer (a custom guard starts so too). */
const NO_CATEGORIES: FamilyMappingDoc = { lines: {} };

export const DEFAULT_OPENAI_MAPPINGS: Record<FamilyId, FamilyMappingDoc> = {
  "llama-guard-1": LLAMA_GUARD_1,
  "llama-guard-2": LLAMA_GUARD_2,
  "llama-guard-3-8b": LLAMA_GUARD_3,
  "llama-guard-3-1b": LLAMA_GUARD_3,
  "llama-guard-4": LLAMA_GUARD_3,
  "chat-judge": LLAMA_GUARD_3,
  shieldgemma: SHIELDGEMMA,
  "granite-guardian-3.0": GRANITE_GUARDIAN,
  "granite-guardian-3.1": GRANITE_GUARDIAN,
  "granite-guardian-3.2": GRANITE_GUARDIAN,
  "granite-guardian-3.3": GRANITE_GUARDIAN,
  wildguard: NO_CATEGORIES,
  qwen3guard: QWEN3GUARD,
  "nemoguard-content-safety": NEMOGUARD,
  "gpt-oss-safeguard": GPT_OSS_SAFEGUARD,
  // A custom guard's categories are the user's own: they map them in the policy's mapping editor.
  "custom-guard": NO_CATEGORIES,
};

/** The family's default mapping as a policy stores one (a fresh object). Unknown families get an empty mapping. */
export function defaultOpenAiMapping(family: string): OpenAiMapping {
  const doc = (DEFAULT_OPENAI_MAPPINGS as Record<string, FamilyMappingDoc | undefined>)[family];
  if (!doc) return {};
  return Object.fromEntries(Object.entries(doc.lines).map(([key, line]) => [key, [...line!.codes]])) as OpenAiMapping;
}

/** Why the family's default maps (or does not map) a key, for the mapping editor. */
export function defaultMappingReason(family: string, key: OpenAiModerationCategory): string | undefined {
  const doc = (DEFAULT_OPENAI_MAPPINGS as Record<string, FamilyMappingDoc | undefined>)[family];
  return doc?.lines[key]?.why ?? doc?.unmapped?.[key];
}
