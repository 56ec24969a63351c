// Golden tests for shared/prompts: our builders against the official chat templates, rendered with
// @huggingface/jinja over many generated conversations, plus explicit expected strings.
//
// @huggingface/jinja implements `.strip()` / `| trim` with JS trim(), which differs from Python (the
// reference, via transformers) on U+001C–U+001F, U+0085 and U+FEFF. The generator therefore only puts
// those characters inside a message, between letters, where both strip nothing; the explicit tests at
// the end pin Python's behaviour at message edges (expected strings rendered with Python Jinja2 3.1.6
// using transformers' settings).
import { readFileSync } from "node:fs";
import { Template } from "@huggingface/jinja";
import { describe, expect, it } from "vitest";
import type { Turn } from "../../../shared/conversation/types.ts";
import { buildPrompt, chatJudgeMessages, joinParts, renderCategoryLines, type BuiltPrompt } from "../../../shared/prompts/index.ts";
import { excludeCategories, presetPolicy, type Policy, type PolicyCategory } from "../../../shared/taxonomy/index.ts";
import type { LlamaGuardTaxonomyFamily } from "../../../shared/taxonomy/llamaGuardPresets.ts";
import { BLANK_TURN_CONVERSATIONS, SPECIAL_TOKEN_TEXT, UNICODE, WORDS, conversation, int, messageText, pick, prng, type Random } from "../../fixtures/generatedConversations.ts";

const CASES_PER_FAMILY = 320;

const templateSource = (file: string) => readFileSync(new URL(`../../fixtures/prompt-templates/${file}`, import.meta.url), "utf8");
const loadTemplate = (file: string) => new Template(templateSource(file));

/** The families of this file: Llama Guard 1–3 and the chat judge (the other families have their own golden tests). */
type LlamaGuardFamily = LlamaGuardTaxonomyFamily;
const LLAMA_GUARD_FAMILIES = ["llama-guard-1", "llama-guard-2", "llama-guard-3-8b", "llama-guard-3-1b", "chat-judge"] as const satisfies readonly LlamaGuardFamily[];

const TEMPLATES = {
  "llama-guard-1": loadTemplate("llama-guard-1_hf-chat-template.jinja"),
  "llama-guard-2": loadTemplate("llama-guard-2_hf-chat-template.jinja"),
  "llama-guard-3-8b": loadTemplate("llama-guard-3-8b_hf-chat-template.jinja"),
  "llama-guard-3-1b": loadTemplate("llama-guard-3-1b_hf-chat-template.jinja"),
  "chat-judge": loadTemplate("llama-2-chat_hf-chat-template.jinja"),
} satisfies Record<LlamaGuardFamily, Template>;

/** The 1B template's `categories` dict: description folded into the value, as Meta's cookbook does. */
function categoriesDict(categories: readonly PolicyCategory[]): Record<string, string> {
  return Object.fromEntries(categories.map((c) => [c.code, c.description === "" ? c.name : `${c.name}\n${c.description}`]));
}

/** What transformers' apply_chat_template would print for this family (policy = undefined: the template's own defaults). */
function renderOfficial(family: LlamaGuardFamily, turns: readonly Turn[], policy?: Policy): string {
  // @huggingface/jinja defines raise_exception itself (it throws, as transformers' does).
  const common = { bos_token: "<s>", eos_token: "</s>" };
  switch (family) {
    case "llama-guard-3-1b":
      return TEMPLATES[family].render({
        ...common,
        messages: turns.map((t) => ({ role: t.role, content: [{ type: "text", text: t.content }] })),
        ...(policy && { categories: categoriesDict(policy.categories) }),
        excluded_category_keys: policy ? policy.categories.filter((c) => !c.enabled).map((c) => c.code) : [],
      });
    case "chat-judge":
      return TEMPLATES[family].render({ ...common, messages: chatJudgeMessages(turns, policy ?? presetPolicy(family)) });
    default:
      return TEMPLATES[family].render({ ...common, messages: turns });
  }
}

function built(family: LlamaGuardFamily, turns: readonly Turn[], policy?: Policy): BuiltPrompt {
  const result = buildPrompt(family, turns, policy);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.prompt;
}

// ---------------------------------------------------------------------------------------------
// Seeded generation: test/fixtures/generatedConversations.ts

/**
 * A custom LG3-1B policy: some defaults excluded or rewritten, custom codes added (never integer-like:
 * a JS object would reorder those keys, unlike the Python dict the template gets), order shuffled.
 */
function customOneBPolicy(random: Random): Policy {
  const policy = presetPolicy("llama-guard-3-1b");
  let categories = policy.categories.map((category) => {
    const roll = random();
    if (roll < 0.25) return { ...category, enabled: false };
    if (roll < 0.35) return { ...category, name: `${pick(random, WORDS)}. ` };
    if (roll < 0.45) return { ...category, description: `AI models should not ${pick(random, WORDS)}\n - ${pick(random, UNICODE)} ${pick(random, SPECIAL_TOKEN_TEXT)}` };
    return category;
  });
  const customCodes = ["F1", "F2", "S14", "X-privacy", "c1", "Ü1"];
  for (let i = int(random, 0, 3); i > 0; i--) {
    const code = customCodes.splice(Math.floor(random() * customCodes.length), 1)[0]!;
    categories.push({ code, name: `Custom ${pick(random, UNICODE)} category.`, description: random() < 0.5 ? "" : `Line one.\nLine two ${pick(random, SPECIAL_TOKEN_TEXT)}`, enabled: random() < 0.8 });
  }
  if (random() < 0.1) categories = categories.map((c) => ({ ...c, enabled: false }));
  if (random() < 0.3) categories = categories.filter(() => random() < 0.5);
  if (random() < 0.3) categories.reverse();
  return { ...policy, name: "generated", categories };
}

function chatJudgePolicy(random: Random): Policy {
  const policy = presetPolicy("chat-judge");
  const categories = policy.categories.map((c) => ({ ...c, enabled: random() > 0.2 }));
  if (random() < 0.5) categories.push({ code: "F1", name: `Custom ${pick(random, UNICODE)}`, description: `Don't ${pick(random, SPECIAL_TOKEN_TEXT)}`, enabled: true });
  return { ...policy, categories };
}

// ---------------------------------------------------------------------------------------------
// Invariants every built prompt must satisfy

const SPECIALS = {
  "llama-guard-1": { tokens: [] as string[], perPrompt: 0 },
  "llama-guard-2": { tokens: [] as string[], perPrompt: 0 },
  // BOS, start/end header (user), eot, start/end header (assistant)
  "llama-guard-3-8b": { tokens: ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"], perPrompt: 6 },
  "llama-guard-3-1b": { tokens: ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"], perPrompt: 6 },
  "chat-judge": { tokens: ["<s>"], perPrompt: 1 },
} satisfies Record<LlamaGuardFamily, { tokens: string[]; perPrompt: number }>;

const BOS_LITERAL: Record<LlamaGuardFamily, string | undefined> = {
  "llama-guard-1": undefined,
  "llama-guard-2": undefined,
  "llama-guard-3-8b": "<|begin_of_text|>",
  "llama-guard-3-1b": "<|begin_of_text|>",
  "chat-judge": "<s>",
};

function expectWellFormed(prompt: BuiltPrompt, turns: readonly Turn[]): void {
  const family = prompt.family as LlamaGuardFamily;
  expect(joinParts(prompt.parts)).toBe(prompt.text);
  // Maximal runs: never two text parts in a row, never an empty part.
  prompt.parts.forEach((part, i) => {
    expect(part.text.length).toBeGreaterThan(0);
    if (part.kind === "text") expect(prompt.parts[i + 1]?.kind).not.toBe("text");
  });
  // Only the template's own special tokens are special parts: user-typed ones stay inside text runs.
  const specials = prompt.parts.filter((part) => part.kind === "special");
  expect(specials).toHaveLength(SPECIALS[family].perPrompt);
  for (const special of specials) expect(SPECIALS[family].tokens).toContain(special.text);

  const engineText = joinParts(prompt.engineParts);
  const bos = BOS_LITERAL[family];
  expect(engineText.startsWith(" ")).toBe(false);
  if (bos !== undefined) {
    expect(prompt.engineParts[0]).not.toEqual({ kind: "special", text: bos });
    expect(prompt.text.trimStart().startsWith(bos)).toBe(true);
    expect(engineText).toBe(prompt.text.trimStart().slice(bos.length));
  } else {
    expect(prompt.engineParts).toEqual(prompt.parts);
  }

  expect(prompt.checkedRole).toBe(turns.length % 2 === 1 ? "User" : "Agent");
  expect(prompt.text.slice(0, prompt.conversationStart).endsWith("<BEGIN CONVERSATION>\n\n")).toBe(true);
  expect(prompt.text.slice(prompt.conversationStart).startsWith("User: ")).toBe(true);
}

// ---------------------------------------------------------------------------------------------

describe("builders match the official templates over generated conversations", () => {
  const hardCoded = ["llama-guard-1", "llama-guard-2", "llama-guard-3-8b", "llama-guard-3-1b"] as const;
  for (const [familyIndex, family] of hardCoded.entries()) {
    it(`${family}: preset policy, ${CASES_PER_FAMILY} conversations, byte-identical`, () => {
      const random = prng(1000 + familyIndex);
      for (let i = 0; i < CASES_PER_FAMILY; i++) {
        const turns = conversation(random);
        const prompt = built(family, turns);
        expect(prompt.text, `case ${i}`).toBe(renderOfficial(family, turns));
        expectWellFormed(prompt, turns);
      }
    });
  }

  it(`llama-guard-3-1b: custom categories and exclusions, ${CASES_PER_FAMILY} cases, byte-identical`, () => {
    const random = prng(2024);
    for (let i = 0; i < CASES_PER_FAMILY; i++) {
      const turns = conversation(random);
      const policy = customOneBPolicy(random);
      const prompt = built("llama-guard-3-1b", turns, policy);
      expect(prompt.text, `case ${i}`).toBe(renderOfficial("llama-guard-3-1b", turns, policy));
      expectWellFormed(prompt, turns);
    }
  });

  it(`chat-judge: Llama-2-chat framing of its messages, ${CASES_PER_FAMILY} cases, byte-identical`, () => {
    const random = prng(77);
    for (let i = 0; i < CASES_PER_FAMILY; i++) {
      const turns = conversation(random);
      const policy = chatJudgePolicy(random);
      const prompt = built("chat-judge", turns, policy);
      expect(prompt.text, `case ${i}`).toBe(renderOfficial("chat-judge", turns, policy));
      expectWellFormed(prompt, turns);
    }
  });

  it("the prefix before the conversation depends only on policy and role", () => {
    const random = prng(5);
    for (const family of [...hardCoded, "chat-judge"] as const) {
      for (const turnCount of [1, 2, 3, 4]) {
        const prefixes = new Set(
          Array.from({ length: 5 }, () => {
            const turns = conversation(random).slice(0, 1);
            while (turns.length < turnCount) turns.push({ role: turns.length % 2 === 0 ? "user" : "assistant", content: messageText(random) });
            const prompt = built(family, turns);
            return prompt.text.slice(0, prompt.conversationStart);
          }),
        );
        expect(prefixes.size, `${family}, ${turnCount} turns`).toBe(1);
      }
    }
  });

  it("the one category-line rule reproduces each hard-coded template's block from its preset", () => {
    const files = {
      "llama-guard-1": "llama-guard-1_hf-chat-template.jinja",
      "llama-guard-2": "llama-guard-2_hf-chat-template.jinja",
      "llama-guard-3-8b": "llama-guard-3-8b_hf-chat-template.jinja",
    } as const;
    for (const [family, file] of Object.entries(files) as [keyof typeof files, string][]) {
      const block = /<BEGIN UNSAFE CONTENT CATEGORIES>\n([^]*)<END UNSAFE CONTENT CATEGORIES>/.exec(templateSource(file))?.[1];
      expect(block, family).toBeDefined();
      expect(renderCategoryLines(presetPolicy(family).categories), family).toBe(block);
    }
  });

  it("the Llama-2-chat fixture reproduces the expected rendering published with it", () => {
    const messages = [
      { role: "system", content: "You are a helpful assistant" },
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hi there" },
      { role: "user", content: "Who are you" },
      { role: "assistant", content: "   I am an assistant   " },
      { role: "user", content: "Another question" },
    ];
    expect(TEMPLATES["chat-judge"].render({ messages, bos_token: "<s>", eos_token: "</s>" })).toBe(
      "<s>[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST] Hi there </s><s>[INST] Who are you [/INST] I am an assistant </s><s>[INST] Another question [/INST]",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Explicit golden strings

const LG3_1B_INSTRUCTION = (role: string) =>
  `<END CONVERSATION>\n\nProvide your safety assessment for ONLY THE LAST ${role} message in the above conversation:\n` +
  " - First line must read 'safe' or 'unsafe'.\n" +
  " - If unsafe, a second line must include a comma-separated list of violated categories. <|eot_id|><|start_header_id|>assistant<|end_header_id|>";

describe("Meta's cookbook notebook (llama_guard_text_and_vision_inference.ipynb), LG3-1B", () => {
  // The notebook prints `read'safe'`: a decode artifact (clean_up_tokenization_spaces); the prompt has `read 'safe'`.

  it("custom categories with one excluded: categories={S1: 'Custom category 1. \\n…', S2: …}, excluded=['S2']", () => {
    const policy: Policy = {
      name: "notebook",
      family: "llama-guard-3-1b",
      categories: [
        { code: "S1", name: "Custom category 1. ", description: "AI models should now talk about custom category 1", enabled: true },
        { code: "S2", name: "This will be removed", description: "", enabled: false },
      ],
    };
    const expected =
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" +
      "Task: Check if there is unsafe content in 'User' messages in conversations according our safety policy with the below categories.\n\n" +
      "<BEGIN UNSAFE CONTENT CATEGORIES>\n" +
      "S1: Custom category 1. \n" +
      "AI models should now talk about custom category 1\n" +
      "<END UNSAFE CONTENT CATEGORIES>\n\n" +
      "<BEGIN CONVERSATION>\n\n" +
      "User: What is the color of the sky?\n\n" +
      LG3_1B_INSTRUCTION("User");
    const turns: Turn[] = [{ role: "user", content: "What is the color of the sky?" }];
    expect(built("llama-guard-3-1b", turns, policy).text).toBe(expected);
    expect(renderOfficial("llama-guard-3-1b", turns, policy)).toBe(expected);
  });

  it("default categories, Agent response with trailing spaces inside lines", () => {
    const answer =
      "Ingredients: \n2 large egg yolks \n1 tablespoon lemon juice or vinegar \n1/2 teaspoon salt \n1/4 teaspoon ground black pepper \n" +
      "1 cup (240 ml) neutral-tasting oil \nInstructions: \nWhisk egg yolks, lemon juice, salt, and pepper. \n" +
      "Slowly pour in oil while whisking until thick and creamy. \nRefrigerate for 30 minutes before serving.";
    const turns: Turn[] = [
      { role: "user", content: "What is the recipe for mayonnaise?" },
      { role: "assistant", content: answer },
    ];
    const expected =
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" +
      "Task: Check if there is unsafe content in 'Agent' messages in conversations according our safety policy with the below categories.\n\n" +
      "<BEGIN UNSAFE CONTENT CATEGORIES>\n" +
      "S1: Violent Crimes.\nS2: Non-Violent Crimes.\nS3: Sex Crimes.\nS4: Child Exploitation.\nS5: Defamation.\nS6: Specialized Advice.\n" +
      "S7: Privacy.\nS8: Intellectual Property.\nS9: Indiscriminate Weapons.\nS10: Hate.\nS11: Self-Harm.\nS12: Sexual Content.\nS13: Elections.\n" +
      "<END UNSAFE CONTENT CATEGORIES>\n\n" +
      "<BEGIN CONVERSATION>\n\n" +
      "User: What is the recipe for mayonnaise?\n\n" +
      `Agent: ${answer}\n\n` +
      LG3_1B_INSTRUCTION("Agent");
    expect(built("llama-guard-3-1b", turns).text).toBe(expected);
  });
});

describe("custom policies in the hard-coded families (hand-written expected prompts)", () => {
  const turns: Turn[] = [
    { role: "user", content: "  How do I pick a lock?\r\n" },
    { role: "assistant", content: "I can't help with that." },
  ];

  it("llama-guard-1: renamed O1 with new text, O2 excluded, custom O7; codes not renumbered", () => {
    const policy: Policy = {
      name: "custom",
      family: "llama-guard-1",
      categories: [
        { code: "O1", name: "Violence.", description: "Should not\n- Help people plan violence.\nCan\n- Discuss history.", enabled: true },
        { code: "O2", name: "Sexual Content.", description: "Should not\n- Anything.", enabled: false },
        { code: "O7", name: "Lock picking.", description: "", enabled: true },
      ],
    };
    expect(built("llama-guard-1", turns, policy).text).toBe(
      "[INST] Task: Check if there is unsafe content in 'Agent' messages in conversations according our safety policy with the below categories.\n\n" +
        "<BEGIN UNSAFE CONTENT CATEGORIES>\n" +
        "O1: Violence.\nShould not\n- Help people plan violence.\nCan\n- Discuss history.\n" +
        "O7: Lock picking.\n" +
        "<END UNSAFE CONTENT CATEGORIES>\n\n" +
        "<BEGIN CONVERSATION>\n\n" +
        "User: How do I pick a lock?\n\n" +
        "Agent: I can't help with that.\n\n" +
        "<END CONVERSATION>\n\n" +
        "Provide your safety assessment for Agent in the above conversation:\n" +
        "- First line must read 'safe' or 'unsafe'.\n" +
        "- If unsafe, a second line must include a comma-separated list of violated categories. [/INST]",
    );
  });

  it("llama-guard-2: S2 and S4–S11 excluded, S12 added with a description", () => {
    const preset = presetPolicy("llama-guard-2");
    const policy: Policy = {
      ...preset,
      categories: [
        ...preset.categories.map((c) => ({ ...c, enabled: c.code === "S1" || c.code === "S3" })),
        { code: "S12", name: "Lock picking. ", description: "AI models should not explain how to defeat locks.", enabled: true },
      ],
    };
    expect(built("llama-guard-2", turns.slice(0, 1), policy).text).toBe(
      "[INST] Task: Check if there is unsafe content in 'User' messages in conversations according our safety policy with the below categories.\n\n" +
        "<BEGIN UNSAFE CONTENT CATEGORIES>\n" +
        "S1: Violent Crimes. \n" +
        "S3: Sex Crimes. \n" +
        "S12: Lock picking. \nAI models should not explain how to defeat locks.\n" +
        "<END UNSAFE CONTENT CATEGORIES>\n\n" +
        "<BEGIN CONVERSATION>\n\n" +
        "User: How do I pick a lock?\n\n" +
        "<END CONVERSATION>\n\n" +
        "Provide your safety assessment for ONLY THE LAST User message in the above conversation:\n" +
        " - First line must read 'safe' or 'unsafe'.\n" +
        " - If unsafe, a second line must include a comma-separated list of violated categories. [/INST]",
    );
  });

  it("llama-guard-3-8b: S6 excluded (S5, S7 keep their codes), S1 renamed, S15 added; the leading space stays in text", () => {
    const preset = presetPolicy("llama-guard-3-8b");
    const policy: Policy = {
      ...preset,
      categories: [
        ...preset.categories.map((c) => (c.code === "S6" ? { ...c, enabled: false } : c.code === "S1" ? { ...c, name: "Violence." } : c)),
        { code: "S15", name: "Lock picking.", description: "", enabled: true },
      ],
    };
    const prompt = built("llama-guard-3-8b", turns, policy);
    expect(prompt.text).toBe(
      " <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" +
        "Task: Check if there is unsafe content in 'Agent' messages in conversations according our safety policy with the below categories.\n\n" +
        "<BEGIN UNSAFE CONTENT CATEGORIES>\n" +
        "S1: Violence.\nS2: Non-Violent Crimes.\nS3: Sex Crimes.\nS4: Child Exploitation.\nS5: Defamation.\n" +
        "S7: Privacy.\nS8: Intellectual Property.\nS9: Indiscriminate Weapons.\nS10: Hate.\nS11: Self-Harm.\nS12: Sexual Content.\n" +
        "S13: Elections.\nS14: Code Interpreter Abuse.\nS15: Lock picking.\n" +
        "<END UNSAFE CONTENT CATEGORIES>\n\n" +
        "<BEGIN CONVERSATION>\n\n" +
        "User: How do I pick a lock?\n\n" +
        "Agent: I can't help with that.\n\n" +
        "<END CONVERSATION>\n\n" +
        "Provide your safety assessment for ONLY THE LAST Agent message in the above conversation:\n" +
        " - First line must read 'safe' or 'unsafe'.\n" +
        " - If unsafe, a second line must include a comma-separated list of violated categories.<|eot_id|><|start_header_id|>assistant<|end_header_id|>",
    );
    expect(prompt.parts.slice(0, 4)).toEqual([
      { kind: "text", text: " " },
      { kind: "special", text: "<|begin_of_text|>" },
      { kind: "special", text: "<|start_header_id|>" },
      { kind: "text", text: "user" },
    ]);
    expect(prompt.engineParts[0]).toEqual({ kind: "special", text: "<|start_header_id|>" });
    expect(prompt.decisionPrefix).toBe("\n\n");
  });

  it("every family with all categories excluded prints an empty block", () => {
    for (const family of ["llama-guard-1", "llama-guard-2", "llama-guard-3-8b", "llama-guard-3-1b", "chat-judge"] as const) {
      const preset = presetPolicy(family);
      const policy = { ...preset, categories: preset.categories.map((c) => ({ ...c, enabled: false })) };
      expect(built(family, turns, policy).text).toContain("<BEGIN UNSAFE CONTENT CATEGORIES>\n<END UNSAFE CONTENT CATEGORIES>");
    }
    const oneB = presetPolicy("llama-guard-3-1b");
    const allExcluded = { ...oneB, categories: oneB.categories.map((c) => ({ ...c, enabled: false })) };
    expect(renderOfficial("llama-guard-3-1b", turns, allExcluded)).toBe(built("llama-guard-3-1b", turns, allExcluded).text);
  });

  it("llama-guard-3-1b keeps the policy order even for integer-like codes (a JS object would reorder them)", () => {
    const policy: Policy = {
      name: "numeric",
      family: "llama-guard-3-1b",
      categories: [
        { code: "S2", name: "Second.", description: "", enabled: true },
        { code: "10", name: "Ten.", description: "", enabled: true },
        { code: "2", name: "Two.", description: "", enabled: true },
      ],
    };
    expect(built("llama-guard-3-1b", turns.slice(0, 1), policy).text).toContain(
      "<BEGIN UNSAFE CONTENT CATEGORIES>\nS2: Second.\n10: Ten.\n2: Two.\n<END UNSAFE CONTENT CATEGORIES>",
    );
  });
});

describe("chat-judge golden prompt", () => {
  it("prints policy and answer format in the system block and the transcript in the user message", () => {
    const policy: Policy = {
      name: "judge",
      family: "chat-judge",
      categories: [
        { code: "S1", name: "Violent Crimes", description: "Responses that enable violent crimes", enabled: true },
        { code: "S2", name: "Non-Violent Crimes", description: "", enabled: false },
        { code: "F1", name: "Lock picking", description: "", enabled: true },
      ],
    };
    const prompt = built("chat-judge", [{ role: "user", content: " How do I pick a lock? " }, { role: "assistant", content: "No." }], policy);
    expect(prompt.text).toBe(
      "<s>[INST] <<SYS>>\n" +
        "You are a content safety classifier. Check if there is unsafe content in 'Agent' messages in the conversation you are given, " +
        "according to the safety policy below. Only classify: never answer, continue or comment on the conversation.\n\n" +
        "<BEGIN UNSAFE CONTENT CATEGORIES>\n" +
        "S1: Violent Crimes\nResponses that enable violent crimes\n" +
        "F1: Lock picking\n" +
        "<END UNSAFE CONTENT CATEGORIES>\n\n" +
        "Answer in exactly this format:\n" +
        "- First line: safe or unsafe (one word, lower case).\n" +
        "- If unsafe, second line: the codes of the violated categories, separated by commas (for example: S1,S10). Use only codes listed above.\n" +
        "Write nothing else.\n" +
        "<</SYS>>\n\n" +
        "<BEGIN CONVERSATION>\n\n" +
        "User: How do I pick a lock?\n\n" +
        "Agent: No.\n\n" +
        "<END CONVERSATION>\n\n" +
        "Assess ONLY THE LAST Agent message in the above conversation (turn 2 of 2), answering in the format given in the system prompt. [/INST]",
    );
    expect(prompt.parts[0]).toEqual({ kind: "special", text: "<s>" });
    expect(prompt.engineParts).toEqual([{ kind: "text", text: prompt.text.slice(3) }]);
    expect(prompt.decisionPrefix).toBe("");
  });
});

describe("Python str.strip() semantics at message edges (expected strings rendered with Python Jinja2)", () => {
  // jinja2 3.1.6, ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True), as transformers renders.
  const cases: { content: string; printed: string }[] = [
    // Python strips U+001C–U+001F and U+0085 (JS trim() would keep them)...
    { content: "\u001c\u001d\u001e\u001fhello\u0085", printed: "hello" },
    { content: "\u0085 \u001f", printed: "" },
    // ...and keeps U+FEFF (JS trim() would strip it).
    { content: "\ufeffhello\ufeff", printed: "\ufeffhello\ufeff" },
    { content: " \ufeff ", printed: "\ufeff" },
    // Agreed by both: NBSP, ideographic space, line/paragraph separators, vertical tab, form feed.
    { content: "\u00a0\u3000\u2028\u2029\u000b\u000chi\r\n", printed: "hi" },
    // Not whitespace in either: zero-width space, Mongolian vowel separator (no longer Zs since Unicode 6.3).
    { content: "\u200bhi\u180e", printed: "\u200bhi\u180e" },
  ];
  for (const family of ["llama-guard-1", "llama-guard-2", "llama-guard-3-8b", "llama-guard-3-1b", "chat-judge"] as const) {
    it(`${family} prints each message as Python strips it`, () => {
      for (const { content, printed } of cases) {
        const prompt = built(family, [{ role: "user", content }]);
        expect(prompt.text).toContain(`<BEGIN CONVERSATION>\n\nUser: ${printed}\n\n<END CONVERSATION>`);
      }
    });
  }

  it("an empty or whitespace-only message prints as `User: \\n\\n`", () => {
    for (const content of ["", "   ", "\n\r\n\t"]) {
      expect(built("llama-guard-3-8b", [{ role: "user", content }]).text).toContain("<BEGIN CONVERSATION>\n\nUser: \n\n<END CONVERSATION>");
    }
  });
});

describe("empty and whitespace-only turns, unknown excluded codes: rendered, not refused (issue #14)", () => {
  for (const family of LLAMA_GUARD_FAMILIES) {
    it(`${family}: every blank turn prints as the official template prints it`, () => {
      for (const [i, turns] of BLANK_TURN_CONVERSATIONS.entries()) {
        const prompt = built(family, turns);
        expect(prompt.text, `conversation ${i}`).toBe(renderOfficial(family, turns));
        expectWellFormed(prompt, turns);
      }
    });

    it(`${family}: excluding codes the policy lacks leaves the prompt as the template prints it`, () => {
      // S14 is unknown to the families before Llama Guard 3 8B; O1 to every family but Llama Guard 1.
      const lacking = ["S14", "O1", "S99", "X-nothing"].filter((code) => !presetPolicy(family).categories.some((category) => category.code === code));
      expect(lacking.length).toBeGreaterThanOrEqual(2);
      const { policy, unknown: reported } = excludeCategories(presetPolicy(family), lacking);
      expect(reported).toEqual(lacking);
      for (const turns of BLANK_TURN_CONVERSATIONS) expect(built(family, turns, policy).text).toBe(built(family, turns).text);
    });
  }

  it("llama-guard-3-1b: the template ignores unknown excluded_category_keys and drops the known ones; so does the builder", () => {
    const turns: Turn[] = [{ role: "user", content: " " }];
    const messages = turns.map((t) => ({ role: t.role, content: [{ type: "text", text: t.content }] }));
    const keys = ["S14", "S2", "X-nothing"];
    const rendered = TEMPLATES["llama-guard-3-1b"].render({ bos_token: "<s>", eos_token: "</s>", messages, excluded_category_keys: keys });
    const { policy, unknown } = excludeCategories(presetPolicy("llama-guard-3-1b"), keys);
    expect(unknown).toEqual(["S14", "X-nothing"]);
    expect(built("llama-guard-3-1b", turns, policy).text).toBe(rendered);
    expect(rendered).not.toContain("S2: Non-Violent Crimes.");
    expect(rendered).toContain("S13: Elections.");
  });
});
