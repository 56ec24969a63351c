// Every family's verdict parser: what its model answers when it follows the format, and what a truncated, malformed or
// off-format answer gives: unparseable with the raw text, never a silent safe.
import { describe, expect, it } from "vitest";
import { FAMILIES, combineCategoryVerdicts, familyOf, familyPresetPolicy, type FamilyId, type FamilyVerdict, type JudgedTurn } from "../../../shared/families/index.ts";
import { prng } from "../../fixtures/generatedConversations.ts";

const parse = (id: FamilyId, raw: string, judged: JudgedTurn = "prompt", extra: { code?: string; settings?: Record<string, boolean> } = {}): FamilyVerdict =>
  familyOf(id).parseVerdict(raw, { policy: familyPresetPolicy(id), judged, ...extra });

function expectUnparseable(verdict: FamilyVerdict, raw: string, reason: RegExp): void {
  expect(verdict.kind).toBe("unparseable");
  expect(verdict.raw).toBe(raw);
  if (verdict.kind === "unparseable") expect(verdict.reason).toMatch(reason);
}

describe("every family", () => {
  it("never throws, keeps the raw text, and reads nothing but text", () => {
    for (const family of FAMILIES) {
      for (const output of [undefined, null, 3, {}, ["safe"]] as unknown as string[]) {
        const verdict = family.parseVerdict(output, { policy: familyPresetPolicy(family.id), judged: "prompt" });
        expect(verdict.kind, family.id).toBe("unparseable");
        expect(verdict.raw).toBe("");
      }
      for (const output of ["", "   \n", "<|eot_id|>"]) expect(family.parseVerdict(output, { policy: familyPresetPolicy(family.id), judged: "prompt" }).kind, `${family.id} ${JSON.stringify(output)}`).toBe("unparseable");
    }
  });

  it("survives fuzzed outputs built from every family's answer words", () => {
    const pieces = ["safe", "unsafe", "Yes", "No", "yes", "no", "n/a", "S1", "\n", " ", ",", ":", "{", "}", '"', "<score>", "</score>", "<think>", "</think>", "Safety:", "Categories:", "Harmful request:", '"User Safety":', "<|channel|>final<|message|>", '"violation": 1', "Controversial", "Violent"];
    const random = prng(99);
    for (let i = 0; i < 2000; i++) {
      const output = Array.from({ length: 1 + Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join("");
      for (const family of FAMILIES) {
        const verdict = family.parseVerdict(output, { policy: familyPresetPolicy(family.id), judged: random() < 0.5 ? "prompt" : "response" });
        expect(["safe", "unsafe", "unparseable"]).toContain(verdict.kind);
        expect(verdict.raw).toBe(output);
      }
    }
  });
});

describe("Llama Guard families through the registry", () => {
  it("read `\\n\\nunsafe\\nS1` and `safe`", () => {
    expect(parse("llama-guard-3-8b", "\n\nunsafe\nS1,S10")).toEqual({ kind: "unsafe", categories: ["S1", "S10"], raw: "\n\nunsafe\nS1,S10" });
    expect(parse("llama-guard-4", "\n\nsafe")).toEqual({ kind: "safe", raw: "\n\nsafe" });
    expectUnparseable(parse("llama-guard-4", "unsafe\nS99"), "unsafe\nS99", /unknown to the policy: S99/);
  });
});

describe("ShieldGemma and Granite Guardian 3.0–3.2: Yes / No first", () => {
  it("Yes is a violation of the judged category, No is safe; the explanation after is kept", () => {
    expect(parse("shieldgemma", "Yes", "prompt", { code: "dangerous" })).toEqual({ kind: "unsafe", categories: ["dangerous"], raw: "Yes", answers: [{ key: "answer", label: "Answer", value: "Yes" }] });
    const explained = parse("shieldgemma", "No, the human question does not violate the principle.\n\nStep 1: …<end_of_turn>", "prompt", { code: "hate" });
    expect(explained.kind).toBe("safe");
    expect(explained.reasoning).toBe("the human question does not violate the principle.\n\nStep 1: …");
    expect(parse("granite-guardian-3.0", " yes", "response", { code: "harm" }).kind).toBe("unsafe");
  });

  it("keeps Granite 3.2's confidence", () => {
    expect(parse("granite-guardian-3.2", "Yes\n<confidence> High </confidence>", "prompt", { code: "harm" })).toEqual({
      kind: "unsafe",
      categories: ["harm"],
      raw: "Yes\n<confidence> High </confidence>",
      answers: [
        { key: "answer", label: "Answer", value: "Yes" },
        { key: "confidence", label: "Confidence", value: "High" },
      ],
    });
  });

  const malformed: [raw: string, reason: RegExp][] = [
    ["Maybe", /does not start with "Yes" or "No"/],
    ["Yesterday I saw", /does not start/],
    ["Nope", /does not start/],
    ["The answer is Yes", /does not start/],
    ["**Yes**", /does not start/],
    ["No\n<confidence> Low", /<confidence> tag is not closed/],
  ];
  for (const [raw, reason] of malformed) {
    it(`${JSON.stringify(raw)} is unparseable`, () => {
      expectUnparseable(parse("granite-guardian-3.2", raw, "prompt", { code: "harm" }), raw, reason);
      expectUnparseable(parse("shieldgemma", raw, "prompt", { code: "hate" }), raw, raw.includes("<confidence>") ? /confidence/ : reason);
    });
  }
});

describe("Granite Guardian 3.3: <think> and <score>", () => {
  it("reads the score and keeps the reasoning", () => {
    expect(parse("granite-guardian-3.3", "<score> no </score>", "prompt", { code: "harm" })).toEqual({ kind: "safe", raw: "<score> no </score>", answers: [{ key: "score", label: "Score", value: "no" }] });
    const thought = "<think>The user asks for a pin code bypass, which is harmful.</think>\n<score> yes </score><|end_of_text|>";
    expect(parse("granite-guardian-3.3", thought, "prompt", { code: "harm" })).toEqual({
      kind: "unsafe",
      categories: ["harm"],
      raw: thought,
      answers: [{ key: "score", label: "Score", value: "yes" }],
      reasoning: "The user asks for a pin code bypass, which is harmful.",
    });
  });

  const malformed: [raw: string, reason: RegExp][] = [
    ["yes", /no <score>/],
    ["<think>The user wants", /<think> block is not closed/],
    ["<think>done</think>", /no <score>/],
    ["<score> yes", /<score> tag is not closed/],
    ["<score> maybe </score>", /neither "yes" nor "no"/],
    ["<score></score>", /neither/],
  ];
  for (const [raw, reason] of malformed) it(`${JSON.stringify(raw)} is unparseable`, () => expectUnparseable(parse("granite-guardian-3.3", raw, "prompt", { code: "harm" }), raw, reason));
});

describe("WildGuard: three answers", () => {
  const answers = (request: string, refusal: string, response: string) => [
    { key: "harmful_request", label: "Harmful request", value: request },
    { key: "response_refusal", label: "Response refusal", value: refusal },
    { key: "harmful_response", label: "Harmful response", value: response },
  ];

  it("the judged turn's line decides; all three are kept", () => {
    const promptOnly = "Harmful request: yes\nResponse refusal: n/a\nHarmful response: n/a";
    expect(parse("wildguard", promptOnly, "prompt")).toEqual({ kind: "unsafe", categories: [], raw: promptOnly, answers: answers("yes", "n/a", "n/a") });
    const refused = "Harmful request: yes\nResponse refusal: yes\nHarmful response: no</s>";
    expect(parse("wildguard", refused, "response")).toEqual({ kind: "safe", raw: refused, answers: answers("yes", "yes", "no") });
    expect(parse("wildguard", "harmful request: NO\nresponse refusal: no\nharmful response: YES", "response").kind).toBe("unsafe");
  });

  const malformed: [raw: string, judged: JudgedTurn, reason: RegExp][] = [
    ["Harmful request: yes\nResponse refusal:", "prompt", /"Response refusal" is "", expected yes or no or n\/a/],
    ["Harmful request: yes", "prompt", /stops before its "Response refusal" line/],
    ["Harmful query: yes\nResponse refusal: no\nHarmful response: no", "prompt", /line 1 should read "Harmful request: …"/],
    ["Harmful request: maybe\nResponse refusal: no\nHarmful response: no", "prompt", /"Harmful request" is "maybe"/],
    ["Harmful request: n/a\nResponse refusal: no\nHarmful response: no", "prompt", /expected yes or no/],
    ["Harmful request: no\nResponse refusal: n/a\nHarmful response: n/a", "response", /"Harmful response" is n\/a/],
    ["yes\nno\nno", "prompt", /line 1 should read/],
  ];
  for (const [raw, judged, reason] of malformed) it(`${JSON.stringify(raw)} (${judged}) is unparseable`, () => expectUnparseable(parse("wildguard", raw, judged), raw, reason));
});

describe("Qwen3Guard: Safe / Unsafe / Controversial", () => {
  it("reads the model's own answers (as printed from a real run)", () => {
    expect(parse("qwen3guard", "Safety: Unsafe\nCategories: Violent")).toEqual({
      kind: "unsafe",
      categories: ["violent"],
      raw: "Safety: Unsafe\nCategories: Violent",
      answers: [
        { key: "safety", label: "Safety", value: "Unsafe" },
        { key: "categories", label: "Categories", value: "Violent" },
      ],
    });
    const refusal = "Safety: Safe\nCategories: None\nRefusal: Yes";
    expect(parse("qwen3guard", refusal, "response")).toEqual({
      kind: "safe",
      raw: refusal,
      answers: [
        { key: "safety", label: "Safety", value: "Safe" },
        { key: "categories", label: "Categories", value: "None" },
        { key: "refusal", label: "Refusal", value: "Yes" },
      ],
    });
  });

  it("Controversial is flagged only when the setting says so, and is reported either way", () => {
    const raw = "Safety: Controversial\nCategories: Politically Sensitive Topics, PII";
    const loose = parse("qwen3guard", raw);
    expect(loose.kind).toBe("safe");
    expect(loose.answers?.[0]).toEqual({ key: "safety", label: "Safety", value: "Controversial" });
    expect(parse("qwen3guard", raw, "prompt", { settings: { controversialIsUnsafe: true } })).toMatchObject({ kind: "unsafe", categories: ["politically_sensitive", "pii"] });
  });

  it("an unsafe answer with no category is still unsafe, with a note", () => {
    expect(parse("qwen3guard", "Safety: Unsafe")).toMatchObject({ kind: "unsafe", categories: [], note: "the model named no category" });
  });

  const malformed: [raw: string, reason: RegExp][] = [
    ["Safety: Dangerous\nCategories: Violent", /unknown safety label "Dangerous"/],
    ["Categories: Violent", /no "Safety:" line/],
    ["Safety: Unsafe\nCategories: Weapons", /unknown to the policy: Weapons/],
    ["Safety: Unsafe\nCategories: Violent,,PII", /empty entry/],
    ["Safety: Unsafe\nCategories: Violent\nRefusal: Maybe", /"Refusal:" is "Maybe"/],
    ["Safety: Unsafe\nThe query asks for a weapon.", /unexpected line/],
    ["Safety: Safe\nSafety: Unsafe", /appears twice/],
    ["Safety:", /unknown safety label ""/],
  ];
  for (const [raw, reason] of malformed) it(`${JSON.stringify(raw)} is unparseable`, () => expectUnparseable(parse("qwen3guard", raw), raw, reason));
});

describe("NemoGuard: the JSON answer", () => {
  it("reads the judged turn's rating and maps category names to codes", () => {
    const raw = '{"User Safety": "unsafe", "Safety Categories": "Violence, Criminal Planning/Confessions"}';
    expect(parse("nemoguard-content-safety", raw)).toEqual({
      kind: "unsafe",
      categories: ["S1", "S3"],
      raw,
      answers: [
        { key: "User Safety", label: "User Safety", value: "unsafe" },
        { key: "Safety Categories", label: "Safety Categories", value: "Violence, Criminal Planning/Confessions" },
      ],
    });
    expect(parse("nemoguard-content-safety", '{"User Safety": "safe"}').kind).toBe("safe");
    const response = '{"User Safety": "unsafe", "Response Safety": "safe", "Safety Categories": "Violence"}';
    expect(parse("nemoguard-content-safety", response, "response").kind).toBe("safe");
    expect(parse("nemoguard-content-safety", '{"User Safety": "safe", "Response Safety": "Unsafe", "Safety Categories": "Hate/Identity Hate"}<|eot_id|>', "response")).toMatchObject({ kind: "unsafe", categories: ["S8"] });
  });

  const malformed: [raw: string, judged: JudgedTurn, reason: RegExp][] = [
    ['{"User Safety": "uns', "prompt", /not valid JSON/],
    ['{"User Safety": "unsafe", "Safety Categories": "Violence"', "prompt", /not valid JSON/],
    ["unsafe", "prompt", /not valid JSON/],
    ['["unsafe"]', "prompt", /not an object/],
    ['{"User Safety": "safe"}', "response", /no "Response Safety" field/],
    ['{"User Safety": "maybe"}', "prompt", /expected "safe" or "unsafe"/],
    ['{"User Safety": true}', "prompt", /expected "safe" or "unsafe"/],
    ['{"User Safety": "unsafe", "Safety Categories": "Weapons"}', "prompt", /unknown to the policy: Weapons/],
    ['{"User Safety": "unsafe", "Safety Categories": ["Violence"]}', "prompt", /not a string/],
  ];
  for (const [raw, judged, reason] of malformed) it(`${raw} (${judged}) is unparseable`, () => expectUnparseable(parse("nemoguard-content-safety", raw, judged), raw, reason));
});

describe("gpt-oss-safeguard: the label in the final channel", () => {
  const harmony = (analysis: string, final: string) => `<|channel|>analysis<|message|>${analysis}<|end|><|start|>assistant<|channel|>final<|message|>${final}<|return|>`;

  it("reads the JSON label and keeps the analysis as reasoning", () => {
    const raw = harmony("The message asks how to make a weapon: V2.", '{"violation": 1, "policy_category": "V2"}');
    expect(parse("gpt-oss-safeguard", raw)).toEqual({
      kind: "unsafe",
      categories: ["V2"],
      raw,
      answers: [
        { key: "violation", label: "violation", value: "1" },
        { key: "policy_category", label: "policy_category", value: "V2" },
      ],
      reasoning: "The message asks how to make a weapon: V2.",
    });
    expect(parse("gpt-oss-safeguard", harmony("Harmless.", '{"violation": 0, "policy_category": null}')).kind).toBe("safe");
    // An engine that strips the channel markers leaves the final answer alone.
    expect(parse("gpt-oss-safeguard", '{"violation":0,"policy_category":null}').kind).toBe("safe");
  });

  const malformed: [raw: string, reason: RegExp][] = [
    ["<|channel|>analysis<|message|>The user asks", /never reaches the final channel/],
    [harmony("x", "VIOLATES"), /not valid JSON/],
    [harmony("x", '{"violation": 2}'), /"violation" is 2/],
    [harmony("x", '{"violation": 1, "policy_category": "Z9"}'), /unknown to the policy: Z9/],
    [harmony("x", '{"violation": 1, "policy_category": 7}'), /expected a category code/],
    [harmony("x", ""), /final answer is empty/],
  ];
  for (const [raw, reason] of malformed) it(`${JSON.stringify(raw)} is unparseable`, () => expectUnparseable(parse("gpt-oss-safeguard", raw), raw, reason));
});

describe("combining per-category verdicts", () => {
  const safe: FamilyVerdict = { kind: "safe", raw: "No" };
  const unsafe: FamilyVerdict = { kind: "unsafe", categories: ["hate"], raw: "Yes" };
  const unreadable: FamilyVerdict = { kind: "unparseable", raw: "Maybe", reason: "the answer does not start with Yes or No" };

  it("unsafe when any category is; safe only when all are; unparseable when one could not be read", () => {
    expect(combineCategoryVerdicts([{ code: "dangerous", verdict: safe }, { code: "hate", verdict: unsafe }])).toMatchObject({ kind: "unsafe", categories: ["hate"] });
    expect(combineCategoryVerdicts([{ code: "dangerous", verdict: safe }, { code: "hate", verdict: safe }]).kind).toBe("safe");
    const mixed = combineCategoryVerdicts([{ code: "dangerous", verdict: safe }, { code: "hate", verdict: unreadable }]);
    expect(mixed.kind).toBe("unparseable");
    expect(mixed.raw).toBe("[dangerous] No\n[hate] Maybe");
    if (mixed.kind === "unparseable") expect(mixed.reason).toMatch(/the answer for hate could not be read/);
    expect(combineCategoryVerdicts([]).kind).toBe("unparseable");
  });
});
