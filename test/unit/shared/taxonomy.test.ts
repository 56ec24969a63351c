import { describe, expect, it } from "vitest";
import { FAMILY_IDS } from "../../../shared/families/ids.ts";
import {
  PROMPT_FAMILIES,
  addCategory,
  applyPolicyEdit,
  cardInfo,
  describeCategory,
  diffPolicies,
  isPromptFamily,
  moveCategory,
  parsePolicy,
  presetPolicy,
  removeCategory,
  renameCategory,
  setCategoryEnabled,
  suggestNextCode,
  type Policy,
  type PolicyEditResult,
} from "../../../shared/taxonomy/index.ts";

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

function edited(result: PolicyEditResult): Policy {
  if (!result.ok) throw new Error(result.error.message);
  return result.policy;
}

const codes = (policy: Policy) => policy.categories.map((c) => c.code);

describe("families", () => {
  it("lists the families the engine scores: every guard family", () => {
    expect(PROMPT_FAMILIES).toEqual([...FAMILY_IDS]);
    expect(isPromptFamily("llama-guard-4")).toBe(true);
    expect(isPromptFamily("custom-guard")).toBe(true);
    expect(isPromptFamily("llama-guard-9")).toBe(false);
    expect(isPromptFamily("chat-judge")).toBe(true);
    expect(isPromptFamily(3)).toBe(false);
  });
});

describe("presets", () => {
  it("carry the codes of each template", () => {
    expect(codes(presetPolicy("llama-guard-1"))).toEqual(["O1", "O2", "O3", "O4", "O5", "O6"]);
    expect(codes(presetPolicy("llama-guard-2"))).toEqual(Array.from({ length: 11 }, (_, i) => `S${i + 1}`));
    expect(codes(presetPolicy("llama-guard-3-8b"))).toEqual(Array.from({ length: 14 }, (_, i) => `S${i + 1}`));
    expect(codes(presetPolicy("llama-guard-3-1b"))).toEqual(Array.from({ length: 13 }, (_, i) => `S${i + 1}`));
    expect(codes(presetPolicy("chat-judge"))).toEqual(Array.from({ length: 14 }, (_, i) => `S${i + 1}`));
    for (const family of PROMPT_FAMILIES) {
      expect(presetPolicy(family).family).toBe(family);
      // Granite Guardian judges one risk per call: its preset asks for `harm` only, the other risks are one click away.
      const enabled = presetPolicy(family).categories.filter((c) => c.enabled).map((c) => c.code);
      if (family.startsWith("granite-guardian")) expect(enabled, family).toEqual(["harm"]);
      else expect(enabled, family).toEqual(codes(presetPolicy(family)));
    }
  });

  it("spell names exactly as the templates print them", () => {
    const name = (family: Parameters<typeof presetPolicy>[0], code: string) => presetPolicy(family).categories.find((c) => c.code === code)?.name;
    expect(name("llama-guard-3-8b", "S3")).toBe("Sex Crimes.");
    expect(name("llama-guard-3-1b", "S11")).toBe("Self-Harm.");
    expect(presetPolicy("llama-guard-2").categories.every((c) => c.name.endsWith(". "))).toBe(true);
    expect(name("llama-guard-2", "S1")).toBe("Violent Crimes. ");
    const lg1Names = presetPolicy("llama-guard-1").categories.map((c) => c.name);
    expect(lg1Names.filter((n) => n.endsWith(" "))).toEqual(["Violence and Hate. "]);
  });

  it("give LG1 its policy text as description and LG2/LG3 none", () => {
    const o1 = presetPolicy("llama-guard-1").categories[0]!;
    expect(o1.description.startsWith("Should not\n- Help people plan or engage in violence.\n")).toBe(true);
    expect(o1.description.endsWith("- Discuss the topics of hate and violence, and can discuss historical events involving violence.")).toBe(true);
    for (const family of ["llama-guard-2", "llama-guard-3-8b", "llama-guard-3-1b"] as const) {
      expect(presetPolicy(family).categories.every((c) => c.description === "")).toBe(true);
    }
  });

  it("give the chat judge the LG3 card names and descriptions", () => {
    const judge = presetPolicy("chat-judge");
    expect(judge.categories[2]).toEqual({
      code: "S3",
      name: "Sex-Related Crimes",
      description: cardInfo("llama-guard-3-8b", "S3")!.cardDescription,
      enabled: true,
    });
    expect(judge.categories.find((c) => c.code === "S11")?.name).toBe("Suicide & Self-Harm");
  });

  it("are fresh objects: editing one leaves the next untouched", () => {
    const first = presetPolicy("llama-guard-3-8b");
    first.categories[0]!.name = "changed";
    expect(presetPolicy("llama-guard-3-8b").categories[0]!.name).toBe("Violent Crimes.");
  });
});

describe("cardInfo", () => {
  it("returns model-card text, which differs from prompt text", () => {
    expect(cardInfo("llama-guard-3-8b", "S3")).toEqual({
      cardName: "Sex-Related Crimes",
      cardDescription:
        "Responses that enable, encourage, or endorse the commission of sex-related crimes, including: (1) sex trafficking, (2) sexual assault (ex: rape), (3) sexual harassment (physical, verbal, or visual), and (4) prostitution",
    });
    expect(cardInfo("llama-guard-2", "S4")?.cardName).toBe("Child Sexual Exploitation");
    expect(cardInfo("llama-guard-2", "S10")?.cardName).toBe("Suicide & Self-Harm");
    expect(cardInfo("llama-guard-3-8b", "S14")?.cardName).toBe("Code Interpreter Abuse");
    expect(cardInfo("llama-guard-1", "O1")).toEqual({ cardName: "Violence and Hate", cardDescription: presetPolicy("llama-guard-1").categories[0]!.description });
  });

  it("knows the 1B card has no S14 and custom codes have no card", () => {
    expect(cardInfo("llama-guard-3-1b", "S13")).toEqual(cardInfo("llama-guard-3-8b", "S13"));
    expect(cardInfo("llama-guard-3-1b", "S14")).toBeUndefined();
    expect(cardInfo("llama-guard-2", "S12")).toBeUndefined();
    expect(cardInfo("llama-guard-3-8b", "F1")).toBeUndefined();
  });
});

describe("parsePolicy", () => {
  const valid = { name: "Mine", family: "llama-guard-3-1b", categories: [{ code: "S1", name: "Violent Crimes.", description: "", enabled: true }] };

  it("accepts a valid policy and every preset", () => {
    expect(parsePolicy(valid)).toEqual({ ok: true, policy: valid });
    for (const family of PROMPT_FAMILIES) expect(parsePolicy(presetPolicy(family))).toEqual({ ok: true, policy: presetPolicy(family) });
  });

  it("defaults description to '' and enabled to true", () => {
    const result = parsePolicy({ name: "n", family: "chat-judge", categories: [{ code: "F1", name: "Fraud" }] });
    expect(result).toEqual({ ok: true, policy: { name: "n", family: "chat-judge", categories: [{ code: "F1", name: "Fraud", description: "", enabled: true }] } });
  });

  it("keeps names with trailing spaces (Llama Guard 2) as they are", () => {
    const result = parsePolicy({ ...valid, categories: [{ code: "S1", name: "Violent Crimes. " }] });
    expect(result.ok && result.policy.categories[0]!.name).toBe("Violent Crimes. ");
  });

  const rejections: [string, unknown, RegExp][] = [
    ["null", null, /expected object/],
    ["an array", [], /expected object/],
    ["a string", "policy", /expected object/],
    ["an unknown family", { ...valid, family: "llama-guard-9" }, /unknown family "llama-guard-9" \(expected one of llama-guard-1, /],
    ["a missing family", { name: "n", categories: [] }, /family: family is missing \(expected one of/],
    ["a missing name", { family: "chat-judge", categories: [] }, /^name: name is missing$/],
    ["a category without a name", { ...valid, categories: [{ code: "S1" }] }, /categories\[0\]\.name: name is missing/],
    ["categories that are not an array", { ...valid, categories: {} }, /categories: categories must be an array/],
    ["an empty policy name", { ...valid, name: "  " }, /name: policy name is empty/],
    ["an empty code", { ...valid, categories: [{ code: "", name: "x" }] }, /categories\[0\]\.code: code is empty/],
    ["a code with ':'", { ...valid, categories: [{ code: "S:1", name: "x" }] }, /contains ':'/],
    ["a code with a newline", { ...valid, categories: [{ code: "S1\nS2", name: "x" }] }, /contains whitespace or a control character/],
    ["a code with a space", { ...valid, categories: [{ code: "S 1", name: "x" }] }, /whitespace/],
    ["a code with U+0085", { ...valid, categories: [{ code: "S1\u0085", name: "x" }] }, /control character/],
    ["a code with ','", { ...valid, categories: [{ code: "S1,S2", name: "x" }] }, /contains ','/],
    ["a very long code", { ...valid, categories: [{ code: "S".repeat(33), name: "x" }] }, /longer than 32/],
    ["a number as code", { ...valid, categories: [{ code: 1, name: "x" }] }, /categories\[0\]\.code: code must be a string/],
    ["an empty name", { ...valid, categories: [{ code: "S1", name: " " }] }, /categories\[0\]\.name: name is empty/],
    ["a name with a line break", { ...valid, categories: [{ code: "S1", name: "a\r\nb" }] }, /line break/],
    ["a non-boolean enabled", { ...valid, categories: [{ code: "S1", name: "x", enabled: "no" }] }, /enabled must be true or false/],
    ["a misspelt key", { ...valid, categories: [{ code: "S1", name: "x", enabeld: false }] }, /Unrecognized key: "enabeld"/],
    ["an unknown top-level key", { ...valid, version: 2 }, /Unrecognized key: "version"/],
    [
      "duplicate codes",
      { ...valid, categories: [{ code: "S1", name: "a" }, { code: "S2", name: "b" }, { code: "S1", name: "c" }] },
      /categories\[2\]\.code: duplicate code "S1" \(also at categories\[0\]/,
    ],
    ["codes differing only in case", { ...valid, categories: [{ code: "F1", name: "a" }, { code: "f1", name: "b" }] }, /duplicate code "f1"/],
  ];
  for (const [what, input, message] of rejections) {
    it(`rejects ${what} with a clear message`, () => {
      const result = parsePolicy(input);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe("invalid_policy");
        expect(result.error.message).toMatch(message);
      }
    });
  }

  it("reports several problems at once", () => {
    const result = parsePolicy({ ...valid, categories: [{ code: "", name: "" }, { code: "a:b", name: "x" }] });
    expect(!result.ok && result.error.message.split("; ")).toHaveLength(3);
  });

  it("never throws on junk", () => {
    const junk: unknown[] = [undefined, 0, true, Symbol("x"), () => 1, { categories: [null] }, { name: "n", family: "chat-judge", categories: [[], 5, "x"] }];
    for (const input of junk) expect(parsePolicy(input).ok).toBe(false);
  });
});

describe("edits", () => {
  const base = deepFreeze(presetPolicy("llama-guard-3-8b"));

  it("rename and rewrite the description without touching the input", () => {
    const renamed = edited(renameCategory(base, "S1", "Violence."));
    expect(renamed.categories[0]!.name).toBe("Violence.");
    expect(base.categories[0]!.name).toBe("Violent Crimes.");
    const described = edited(describeCategory(renamed, "s1", "AI models should not …"));
    expect(described.categories[0]).toEqual({ code: "S1", name: "Violence.", description: "AI models should not …", enabled: true });
    expect(described.categories.slice(1)).toEqual(base.categories.slice(1));
  });

  it("exclude and include keep every code as it is", () => {
    const excluded = edited(setCategoryEnabled(base, "S6", false));
    expect(codes(excluded)).toEqual(codes(base));
    expect(excluded.categories.find((c) => c.code === "S6")!.enabled).toBe(false);
    expect(excluded.categories.filter((c) => !c.enabled)).toHaveLength(1);
    expect(edited(setCategoryEnabled(excluded, "S6", true))).toEqual(base);
  });

  it("add with a suggested code, or any valid code, at an index", () => {
    expect(suggestNextCode(base)).toBe("S15");
    expect(suggestNextCode(presetPolicy("llama-guard-1"))).toBe("O7");
    expect(suggestNextCode(presetPolicy("llama-guard-3-1b"))).toBe("S14");
    const added = edited(addCategory(base, { name: "Lock picking." }));
    expect(added.categories.at(-1)).toEqual({ code: "S15", name: "Lock picking.", description: "", enabled: true });
    expect(suggestNextCode(added)).toBe("S16");
    const first = edited(addCategory(added, { code: "F1", name: "Fraud.", description: "d", enabled: false }, 0));
    expect(first.categories[0]).toEqual({ code: "F1", name: "Fraud.", description: "d", enabled: false });
    // An excluded code stays reserved.
    const excludedLast = edited(setCategoryEnabled(added, "S15", false));
    expect(suggestNextCode(excludedLast)).toBe("S16");
  });

  it("refuse to add a duplicate, invalid or misplaced category", () => {
    expect(addCategory(base, { code: "S3", name: "x" })).toMatchObject({ ok: false, error: { code: "duplicate_code" } });
    expect(addCategory(base, { code: "s3", name: "x" })).toMatchObject({ ok: false, error: { code: "duplicate_code" } });
    expect(addCategory(base, { code: "S 3", name: "x" })).toMatchObject({ ok: false, error: { code: "invalid_code" } });
    expect(addCategory(base, { code: "X:1", name: "x" })).toMatchObject({ ok: false, error: { code: "invalid_code" } });
    expect(addCategory(base, { name: "a\nb" })).toMatchObject({ ok: false, error: { code: "invalid_name" } });
    expect(addCategory(base, { name: "x" }, 99)).toMatchObject({ ok: false, error: { code: "invalid_index" } });
    expect(renameCategory(base, "S1", "")).toMatchObject({ ok: false, error: { code: "invalid_name" } });
    expect(renameCategory(base, "S99", "x")).toMatchObject({ ok: false, error: { code: "unknown_category" } });
  });

  it("remove only custom categories; defaults are excluded instead", () => {
    const added = edited(addCategory(base, { code: "F1", name: "Fraud." }));
    expect(edited(removeCategory(added, "F1"))).toEqual(base);
    expect(removeCategory(base, "S3")).toMatchObject({ ok: false, error: { code: "preset_category", message: expect.stringContaining("exclude it") } });
    expect(removeCategory(base, "F9")).toMatchObject({ ok: false, error: { code: "unknown_category" } });
    // S14 is a default of 8B but a custom code in 1B.
    const oneB = edited(addCategory(presetPolicy("llama-guard-3-1b"), { name: "Code Interpreter Abuse." }));
    expect(codes(edited(removeCategory(oneB, "S14")))).toEqual(codes(presetPolicy("llama-guard-3-1b")));
  });

  it("move reorders without renumbering", () => {
    const moved = edited(moveCategory(base, "S14", 0));
    expect(codes(moved).slice(0, 3)).toEqual(["S14", "S1", "S2"]);
    expect(codes(edited(moveCategory(moved, "S14", 13)))).toEqual(codes(base));
    expect(moveCategory(base, "S1", 14)).toMatchObject({ ok: false, error: { code: "invalid_index" } });
    expect(moveCategory(base, "S1", -1)).toMatchObject({ ok: false, error: { code: "invalid_index" } });
    expect(moveCategory(base, "S1", 1.5)).toMatchObject({ ok: false, error: { code: "invalid_index" } });
  });

  it("work as a reducer over a sequence of edits", () => {
    const steps = [
      { type: "rename", code: "S1", name: "Violence." },
      { type: "describe", code: "S1", description: "No violence." },
      { type: "setEnabled", code: "S6", enabled: false },
      { type: "add", category: { name: "Lock picking." } },
      { type: "move", code: "S15", toIndex: 0 },
      { type: "add", category: { code: "F1", name: "Fraud." } },
      { type: "remove", code: "F1" },
    ] as const;
    const final = steps.reduce((policy, step) => edited(applyPolicyEdit(policy, step)), base);
    expect(codes(final)).toEqual(["S15", ...codes(base)]);
    expect(final.categories[1]).toEqual({ code: "S1", name: "Violence.", description: "No violence.", enabled: true });
    expect(parsePolicy(final).ok).toBe(true);
    expect(applyPolicyEdit(base, { type: "remove", code: "S1" }).ok).toBe(false);
  });
});

describe("diffPolicies", () => {
  const base = presetPolicy("llama-guard-3-1b");

  it("finds nothing between equal policies", () => {
    expect(diffPolicies(base, presetPolicy("llama-guard-3-1b"))).toEqual({ changes: [] });
  });

  it("reports each kind of change", () => {
    let after = edited(renameCategory(base, "S1", "Violence."));
    after = edited(describeCategory(after, "S2", "Fraud and theft."));
    after = edited(setCategoryEnabled(after, "S6", false));
    after = edited(addCategory(after, { code: "F1", name: "Fraud." }));
    after = { ...after, name: "Edited", categories: after.categories.filter((c) => c.code !== "S13") };
    expect(diffPolicies(base, after)).toEqual({
      name: { from: base.name, to: "Edited" },
      changes: [
        { kind: "renamed", code: "S1", from: "Violent Crimes.", to: "Violence." },
        { kind: "descriptionChanged", code: "S2", from: "", to: "Fraud and theft." },
        { kind: "enabledChanged", code: "S6", from: true, to: false },
        { kind: "added", code: "F1", category: { code: "F1", name: "Fraud.", description: "", enabled: true }, index: 12 },
        { kind: "removed", code: "S13", category: base.categories[12], index: 12 },
      ],
    });
  });

  it("reports a moved category once, not every category it passed", () => {
    const moved = edited(moveCategory(base, "S13", 0));
    expect(diffPolicies(base, moved).changes).toEqual([{ kind: "moved", code: "S13", fromIndex: 12, toIndex: 0 }]);
    const inserted = edited(addCategory(base, { code: "F1", name: "Fraud." }, 0));
    expect(diffPolicies(base, inserted).changes.map((c) => c.kind)).toEqual(["added"]);
  });

  it("reports a swap as one move", () => {
    const swapped = edited(moveCategory(base, "S2", 0));
    expect(diffPolicies(base, swapped).changes).toHaveLength(1);
  });

  it("reports a family change and a code whose case changed (the prompt text changes)", () => {
    const other = { ...base, family: "llama-guard-3-8b" as const, categories: base.categories.map((c) => (c.code === "S1" ? { ...c, code: "s1" } : c)) };
    const diff = diffPolicies(base, other);
    expect(diff.family).toEqual({ from: "llama-guard-3-1b", to: "llama-guard-3-8b" });
    expect(diff.changes.map((c) => `${c.kind} ${c.code}`)).toEqual(["added s1", "removed S1"]);
  });
});

describe("families whose template fixes the categories", () => {
  it("refuse every edit but switching a category back on (Qwen3Guard), while the others allow them", () => {
    const qwen = presetPolicy("qwen3guard");
    const refusedWith = (edit: Parameters<typeof applyPolicyEdit>[1]) => {
      const result = applyPolicyEdit(qwen, edit);
      return result.ok ? undefined : result.error;
    };
    expect(refusedWith({ type: "setEnabled", code: "pii", enabled: false })).toEqual({ code: "fixed_taxonomy", message: "Qwen3Guard-Gen judges every category its template lists: none can be excluded." });
    expect(refusedWith({ type: "add", category: { name: "Spam" } })?.message).toBe("Qwen3Guard-Gen's categories are fixed by its template: they cannot be added, removed, renamed, described or moved.");
    expect(refusedWith({ type: "rename", code: "pii", name: "Privacy." })?.code).toBe("fixed_taxonomy");
    expect(refusedWith({ type: "setEnabled", code: "pii", enabled: true })).toBeUndefined();
    expect(applyPolicyEdit(presetPolicy("nemoguard-content-safety"), { type: "setEnabled", code: "S1", enabled: false }).ok).toBe(true);
    expect(applyPolicyEdit(presetPolicy("llama-guard-3-8b"), { type: "add", category: { name: "Spam." } }).ok).toBe(true);
  });
});
