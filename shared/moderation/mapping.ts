/**
 * The mapping a policy is scored with: its own `openaiMapping` when its author set one, else its family's default
 * (defaultMappings.ts), resolved against the policy's categories — codes the policy lacks or excludes feed nothing.
 */
import { sameCode, type Policy } from "../taxonomy/policy.ts";
import { OPENAI_MODERATION_CATEGORIES, type OpenAiMapping, type OpenAiModerationCategory } from "./categories.ts";
import { defaultOpenAiMapping } from "./defaultMappings.ts";

export interface ResolvedMapping {
  /** every OpenAI key with the enabled policy codes feeding it, spelt as the policy spells them (possibly none) */
  sources: Record<OpenAiModerationCategory, string[]>;
  /** keys with no source in this policy */
  unmapped: OpenAiModerationCategory[];
  /** codes named by the mapping that the policy does not have (a removed category): ignored, shown in the editor */
  unknownCodes: string[];
  /** whether the mapping is the policy's own (true) or its family's default */
  custom: boolean;
}

export function resolveMapping(policy: Policy<string> & { openaiMapping?: OpenAiMapping }): ResolvedMapping {
  const mapping = policy.openaiMapping ?? defaultOpenAiMapping(policy.family);
  const unknownCodes = new Set<string>();
  const sources = {} as Record<OpenAiModerationCategory, string[]>;
  for (const key of OPENAI_MODERATION_CATEGORIES) {
    const codes: string[] = [];
    for (const code of mapping[key] ?? []) {
      const category = policy.categories.find((c) => sameCode(c.code, code));
      if (!category) unknownCodes.add(code);
      else if (category.enabled && !codes.includes(category.code)) codes.push(category.code);
    }
    sources[key] = codes;
  }
  return {
    sources,
    unmapped: OPENAI_MODERATION_CATEGORIES.filter((key) => sources[key].length === 0),
    unknownCodes: [...unknownCodes],
    custom: policy.openaiMapping !== undefined,
  };
}

/** The OpenAI keys one policy code feeds. */
export function keysFedBy(resolved: ResolvedMapping, code: string): OpenAiModerationCategory[] {
  return OPENAI_MODERATION_CATEGORIES.filter((key) => resolved.sources[key].some((source) => sameCode(source, code)));
}

/**
 * Parses the editor's text for one key (`S1, S9`) into codes; a code the policy lacks is a problem the editor shows.
 */
export function parseMappingCodes(text: string, policy: Policy<string>): { codes: string[]; unknown: string[] } {
  const codes: string[] = [];
  const unknown: string[] = [];
  for (const raw of text.split(/[,\s]+/)) {
    if (raw === "") continue;
    const category = policy.categories.find((c) => sameCode(c.code, raw));
    if (!category) unknown.push(raw);
    else if (!codes.includes(category.code)) codes.push(category.code);
  }
  return { codes, unknown };
}
