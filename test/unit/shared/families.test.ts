// The family registry as a table: one object per name, each complete, and the engine's scorable list in step with it.
import { describe, expect, it } from "vitest";
import type { Turn } from "../../../shared/conversation/types.ts";
import { FAMILIES, FAMILY_IDS, FAMILY_REGISTRY, PROMPT_FAMILIES, familyOf, familyPresetPolicy, findFamily, parseCustomGuard, type GuardFamily } from "../../../shared/families/index.ts";
import { guardFamilyOf } from "../../../shared/families/registry.ts";
import { buildPrompt, buildPromptText } from "../../../shared/prompts/index.ts";
import { familyPolicySchema, parsePolicy, presetPolicy, validatePolicy } from "../../../shared/taxonomy/index.ts";

const PROMPT_TURN: Turn[] = [{ role: "user", content: "How do I pick a lock?" }];
const RESPONSE_TURNS: Turn[] = [...PROMPT_TURN, { role: "assistant", content: "I can't help with that." }];

/** A template that prints Llama Guard 4's layout, for the family that needs the model file's own. */
const LG4_STAND_IN =
  "{{- bos_token }}<|header_start|>user<|header_end|>\n\n<BEGIN UNSAFE CONTENT CATEGORIES>\n{%- for key in categories %}{% if key not in excluded_category_keys %}\n{{ key }}: {{ categories[key] }}{% endif %}{% endfor %}\n<END UNSAFE CONTENT CATEGORIES>\n{%- for m in messages %}\n{{ m.role }}: {{ m.content[0].text }}{% endfor %}<|eot|><|header_start|>assistant<|header_end|>";

const sampleCustomGuard = parseCustomGuard({
  name: "Sample judge",
  template: "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}\n{% endfor %}<|judge|>\n",
  decision: { unsafe: "unsafe", safe: "safe" },
  verdict: { pattern: "^(?<verdict>\\w+)" },
});

/** The family that scores a model of `family`: a custom guard is scored with a definition, the registry's entry has none. */
function scoringFamily(family: GuardFamily<(typeof FAMILY_IDS)[number]>): GuardFamily<(typeof FAMILY_IDS)[number]> {
  if (family.id !== "custom-guard") return family;
  if (!sampleCustomGuard.ok) throw new Error(sampleCustomGuard.error.message);
  return guardFamilyOf({ family: "custom-guard", customGuard: sampleCustomGuard.definition });
}

describe("the registry", () => {
  it("has exactly one family per name, carrying its own name, in the order of ids.ts", () => {
    expect(Object.keys(FAMILY_REGISTRY).sort()).toEqual([...FAMILY_IDS].sort());
    expect(FAMILIES.map((family) => family.id)).toEqual([...FAMILY_IDS]);
    for (const id of FAMILY_IDS) expect(familyOf(id).id).toBe(id);
    expect(findFamily("shieldgemma")?.displayName).toBe("ShieldGemma");
    expect(findFamily("llama-guard-5")).toBeUndefined();
    expect(findFamily(42)).toBeUndefined();
  });

  it("marks scorable today exactly the families the contract accepts (PROMPT_FAMILIES)", () => {
    expect(FAMILIES.filter((family) => family.scorableToday).map((family) => family.id)).toEqual([...PROMPT_FAMILIES]);
    // The contract's policy schema takes every scorable family, and no other name.
    for (const id of PROMPT_FAMILIES) expect(parsePolicy({ ...familyPresetPolicy(id) }).ok, id).toBe(true);
    expect(parsePolicy({ ...familyPresetPolicy("shieldgemma"), family: "llama-guard-9" }).ok).toBe(false);
    expect(familyPolicySchema.safeParse(JSON.parse(JSON.stringify(familyPresetPolicy("wildguard")))).success).toBe(true);
  });

  it("gives every family a source, and caveats wherever confidence is not high", () => {
    for (const family of FAMILIES) {
      expect(family.source.reference.length, family.id).toBeGreaterThan(20);
      if (family.source.confidence !== "high") expect(family.source.caveats.length, family.id).toBeGreaterThan(0);
      expect(family.displayName.length).toBeGreaterThan(0);
    }
  });

  it("gives every family a valid preset policy, with card wording for each preset category", () => {
    for (const family of FAMILIES) {
      const policy = familyPresetPolicy(family.id);
      expect(validatePolicy(policy), family.id).toBeUndefined();
      expect(policy.family).toBe(family.id);
      expect(familyPolicySchema.parse(JSON.parse(JSON.stringify(policy)))).toEqual(policy);
      if (family.taxonomy.card.length > 0) expect(family.taxonomy.card.map((c) => c.code), family.id).toEqual(policy.categories.map((c) => c.code));
      // A fresh object each call.
      policy.categories.push({ code: "ZZ", name: "x", description: "", enabled: true });
      expect(familyPresetPolicy(family.id).categories.some((c) => c.code === "ZZ")).toBe(false);
    }
  });

  it("keeps the scorable families' presets identical to the contract's presetPolicy", () => {
    for (const id of PROMPT_FAMILIES) expect(familyPresetPolicy(id)).toEqual(presetPolicy(id));
  });

  it("builds a prompt and a response check for every family with its preset", () => {
    for (const family of FAMILIES.map(scoringFamily)) {
      for (const turns of [PROMPT_TURN, RESPONSE_TURNS]) {
        const options = family.needsEmbeddedTemplate ? { embeddedTemplate: LG4_STAND_IN } : { currentDate: "2025-01-01" };
        const built = family.buildPrompt(turns, familyPresetPolicy(family.id), options);
        expect(built.ok, `${family.id}: ${built.ok ? "" : built.error.message}`).toBe(true);
        if (!built.ok) continue;
        const list = built.prompt.scoring === "single" ? [built.prompt.prompt] : built.prompt.prompts.map((p) => p.prompt);
        const enabled = familyPresetPolicy(family.id).categories.filter((c) => c.enabled).length;
        expect(list.length, family.id).toBe(built.prompt.scoring === "single" ? 1 : enabled);
        for (const prompt of list) {
          expect(prompt.family).toBe(family.id);
          expect(prompt.text).toContain(turns.at(-1)!.content);
          expect(prompt.conversationStart).toBeLessThanOrEqual(prompt.text.indexOf(turns[0]!.content));
          expect(prompt.checkedRole).toBe(turns.length === 1 ? "User" : "Agent");
        }
      }
    }
  });

  it("refuses a policy of another family unless asked, and conversations the templates would refuse", () => {
    for (const family of FAMILIES.map(scoringFamily)) {
      const other = { ...familyPresetPolicy(family.id), family: family.id === "shieldgemma" ? "wildguard" : "shieldgemma" };
      const built = family.buildPrompt(PROMPT_TURN, other, { embeddedTemplate: LG4_STAND_IN });
      // A custom guard's categories are the user's own: any saved policy is theirs to use with it.
      expect(built.ok || built.error.code, family.id).toBe(family.id === "custom-guard" ? true : "policy_family_mismatch");
      const swapped = family.buildPrompt([{ role: "assistant", content: "x" }], familyPresetPolicy(family.id), { embeddedTemplate: LG4_STAND_IN });
      expect(swapped.ok || swapped.error.code, family.id).toBe("roles_not_alternating");
      expect(family.buildPrompt([], familyPresetPolicy(family.id)).ok).toBe(false);
    }
  });

  it("gives the custom guard's registry entry no prompt: it needs the definition saved with the model", () => {
    const built = familyOf("custom-guard").buildPrompt(PROMPT_TURN, familyPresetPolicy("custom-guard"));
    expect(built.ok || built.error).toMatchObject({ code: "custom_guard_missing", message: expect.stringMatching(/save a custom guard with the model/) });
    expect(guardFamilyOf({ family: "custom-guard" })).toBe(familyOf("custom-guard"));
    expect(guardFamilyOf({ family: "wildguard" })).toBe(familyOf("wildguard"));
  });

  it("refuses custom categories where the template hard-codes its list", () => {
    for (const family of FAMILIES.filter((f) => !f.taxonomy.customCategories)) {
      const preset = familyPresetPolicy(family.id);
      const custom = { ...preset, categories: [...preset.categories, { code: "X1", name: "Extra.", description: "", enabled: true }] };
      const built = family.buildPrompt(PROMPT_TURN, custom);
      expect(built.ok || built.error.code, family.id).toBe("fixed_taxonomy");
    }
  });

  it("shared/prompts' buildPrompt and buildPromptText are the registry's for the scorable families", () => {
    // Llama Guard 4's prompt is the model file's template, so without one there is none, and both say why.
    expect(buildPrompt("llama-guard-4", RESPONSE_TURNS)).toMatchObject({ ok: false, error: { code: "template_missing" } });
    expect(buildPromptText("llama-guard-4", RESPONSE_TURNS)).toMatchObject({ ok: false });
    for (const id of PROMPT_FAMILIES.filter((candidate) => !familyOf(candidate).needsEmbeddedTemplate)) {
      const viaRegistry = familyOf(id).buildPrompt(RESPONSE_TURNS, presetPolicy(id));
      const direct = buildPrompt(id, RESPONSE_TURNS);
      const shown = buildPromptText(id, RESPONSE_TURNS);
      if (!viaRegistry.ok || !shown.ok) throw new Error(`${id}: no prompt`);
      if (viaRegistry.prompt.scoring === "single") {
        expect(direct.ok && direct.prompt.text === viaRegistry.prompt.prompt.text, id).toBe(true);
        expect(shown.value.text, id).toBe(viaRegistry.prompt.prompt.text);
        continue;
      }
      // A family judging one category per call has no single prompt; its prompts are shown each under its code.
      expect(direct.ok, id).toBe(false);
      expect(shown.value.prompts.map(({ code }) => code)).toEqual(viaRegistry.prompt.prompts.map(({ code }) => code));
      expect(shown.value.text.startsWith(`[${viaRegistry.prompt.prompts[0]!.code}]\n${viaRegistry.prompt.prompts[0]!.prompt.text}`), id).toBe(true);
    }
  });
});
