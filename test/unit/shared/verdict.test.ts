import { describe, expect, it } from "vitest";
import { presetPolicy, setCategoryEnabled, type Policy } from "../../../shared/taxonomy/index.ts";
import { parseVerdict, type Verdict } from "../../../shared/verdict/index.ts";

const lg3 = presetPolicy("llama-guard-3-8b");
const lg1 = presetPolicy("llama-guard-1");
const withS6Excluded = ((result) => (result.ok ? result.policy : lg3))(setCategoryEnabled(lg3, "S6", false));
const custom: Policy = {
  name: "custom",
  family: "llama-guard-3-1b",
  categories: [
    { code: "S1", name: "Violent Crimes.", description: "", enabled: true },
    { code: "F1", name: "Fraud.", description: "", enabled: true },
    { code: "X-pii", name: "Personal data.", description: "", enabled: true },
  ],
};

const kindOf = (output: string, policy: Policy = lg3) => parseVerdict(output, policy).kind;

describe("safe", () => {
  const accepted = ["safe", "\n\nsafe", "  safe  ", "Safe", "SAFE", "safe.", "safe\n", "\r\nsafe\r\n", "\n\nsafe<|eot_id|>", "safe </s>", "safe<|end_of_text|>\n"];
  for (const output of accepted) {
    it(`reads ${JSON.stringify(output)} as safe, keeping the raw text`, () => {
      expect(parseVerdict(output, lg3)).toEqual({ kind: "safe", raw: output });
    });
  }
});

describe("unsafe", () => {
  const cases: [output: string, policy: Policy, categories: string[]][] = [
    ["unsafe\nS1", lg3, ["S1"]],
    ["\n\nunsafe\nS1,S3", lg3, ["S1", "S3"]],
    ["unsafe\nS10,S2<|eot_id|>", lg3, ["S10", "S2"]],
    ["unsafe\r\nS1,S14", lg3, ["S1", "S14"]],
    ["  unsafe\nS1, S3", lg3, ["S1", "S3"]],
    ["Unsafe\nS1 ,  S3.", lg3, ["S1", "S3"]],
    ["UNSAFE\ns1,s3", lg3, ["S1", "S3"]],
    ["unsafe\n\nS2", lg3, ["S2"]],
    ["unsafe.\nS2", lg3, ["S2"]],
    ["unsafe: S1, S3", lg3, ["S1", "S3"]],
    ["Unsafe:S5", lg3, ["S5"]],
    ["unsafe - S7", lg3, ["S7"]],
    ["unsafe — S7", lg3, ["S7"]],
    ["unsafe S9", lg3, ["S9"]],
    ["unsafe:\nS4", lg3, ["S4"]],
    ["unsafe\nS1,S1,S3", lg3, ["S1", "S3"]],
    ["unsafe\nO3", lg1, ["O3"]],
    ["unsafe\nO1,O6", lg1, ["O1", "O6"]],
    ["unsafe\nF1,x-PII", custom, ["F1", "X-pii"]],
    ["unsafe\nS5,S7", withS6Excluded, ["S5", "S7"]],
  ];
  for (const [output, policy, categories] of cases) {
    it(`reads ${JSON.stringify(output)} as unsafe ${categories.join(",")}`, () => {
      expect(parseVerdict(output, policy)).toEqual({ kind: "unsafe", categories, raw: output });
    });
  }

  it("reads a bare `unsafe` as unsafe with no categories and a note", () => {
    for (const output of ["unsafe", "\n\nunsafe", "Unsafe.", "unsafe<|eot_id|>", "unsafe:"]) {
      expect(parseVerdict(output, lg3)).toEqual({ kind: "unsafe", categories: [], raw: output, note: "the model named no category" });
    }
  });
});

describe("unparseable", () => {
  const malformed: [output: string, reason: RegExp][] = [
    ["", /empty/],
    ["   \n\n\t", /empty/],
    ["<|eot_id|>", /empty/],
    ["safety", /neither "safe" nor "unsafe"/],
    ["safeguard", /neither/],
    ["safe-ish", /neither/],
    ["unsafely", /neither/],
    ["safe safe", /neither/],
    ["It is safe.", /neither/],
    ["**safe**", /neither/],
    ["'safe'", /neither/],
    ["not unsafe", /neither/],
    ["sa fe", /neither/],
    ["safe\nS1", /"safe" is followed by more text/],
    ["safe\nunsafe", /followed by more text/],
    ["safe\n\nThe message is harmless.", /followed by more text/],
    ["unsafe\nS1\nS2", /expected one line of category codes, got 2/],
    ["unsafe: S1\nS2", /one line of category codes/],
    ["unsafe\nS1\nBecause it describes violence.", /one line of category codes/],
    ["unsafe\nS1,,S3", /empty entry/],
    ["unsafe\nS1,", /empty entry/],
    ["unsafe\n,S1", /empty entry/],
    ["unsafe\nS99", /unknown to the policy: S99/],
    ["unsafe\nS1 S3", /unknown to the policy: S1 S3/],
    ["unsafe\nS1;S3", /unknown/],
    ["unsafe\nViolent Crimes", /unknown/],
    ["unsafe\nS1: Violent Crimes.", /unknown/],
    ["unsafe-ish", /unknown to the policy: ish/],
    ["unsafe content", /unknown to the policy: content/],
    ["unsafe\nO1", /unknown/],
    ["unsafe\nS1<|eot_id|>S2", /unknown/],
    ["<|eot_id|>safe", /neither/],
  ];
  for (const [output, reason] of malformed) {
    it(`rejects ${JSON.stringify(output)}, keeping the raw text`, () => {
      const verdict = parseVerdict(output, lg3);
      expect(verdict.kind).toBe("unparseable");
      expect(verdict.raw).toBe(output);
      if (verdict.kind === "unparseable") expect(verdict.reason).toMatch(reason);
    });
  }

  it("reports codes of excluded categories", () => {
    expect(parseVerdict("unsafe\nS6", withS6Excluded)).toEqual({
      kind: "unparseable",
      raw: "unsafe\nS6",
      reason: "the answer names codes excluded from the policy: S6",
      disabledCodes: ["S6"],
    });
  });

  it("reports unknown and excluded codes together, even beside valid ones", () => {
    const verdict = parseVerdict("unsafe\nS1,s6,S42", withS6Excluded);
    expect(verdict).toEqual({
      kind: "unparseable",
      raw: "unsafe\nS1,s6,S42",
      reason: "the answer names codes unknown to the policy: S42; excluded from the policy: S6",
      unknownCodes: ["S42"],
      disabledCodes: ["S6"],
    });
  });

  it("checks LG3 codes against an LG1 policy and vice versa", () => {
    expect(kindOf("unsafe\nS1", lg1)).toBe("unparseable");
    expect(kindOf("unsafe\nO1", lg3)).toBe("unparseable");
  });

  it("never throws and never reads safe out of non-text", () => {
    for (const output of [undefined, null, 3, {}, ["safe"]] as unknown as string[]) {
      const verdict: Verdict = parseVerdict(output, lg3);
      expect(verdict.kind).toBe("unparseable");
      expect(verdict.raw).toBe("");
    }
  });

  it("never reads safe unless the answer is exactly safe (fuzzed around the word)", () => {
    const pieces = ["safe", "unsafe", "S1", "\n", " ", ",", ".", ":", "x", "<|eot_id|>", "Safe", "ty", "S"];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 3000; i++) {
      const output = Array.from({ length: 1 + Math.floor(next() * 5) }, () => pieces[Math.floor(next() * pieces.length)]).join("");
      const verdict = parseVerdict(output, lg3);
      if (verdict.kind === "safe") {
        const core = output.replace(/<\|eot_id\|>\s*$/, "").trim();
        expect(core, JSON.stringify(output)).toMatch(/^safe\.?$/i);
      }
    }
  });
});
