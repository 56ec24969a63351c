import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isPromptFamily } from "../../../../shared/families/ids.ts";
import { describe, expect, it } from "vitest";
import { detectGuardFamily, detectPromptFamily } from "../../../../shared/models/detectFamily.ts";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";

const templatesDir = join(import.meta.dirname, "..", "..", "..", "fixtures", "prompt-templates");
const template = (file: string) => readFileSync(join(templatesDir, file), "utf8");

describe("detectPromptFamily from the official chat templates", () => {
  const cases: Array<[file: string, family: PromptFamily]> = [
    ["llama-guard-3-1b_hf-chat-template.jinja", "llama-guard-3-1b"],
    ["llama-guard-3-8b_hf-chat-template.jinja", "llama-guard-3-8b"],
    ["llama-guard-2_hf-chat-template.jinja", "llama-guard-2"],
    ["llama-guard-1_hf-chat-template.jinja", "llama-guard-1"],
    ["llama-2-chat_hf-chat-template.jinja", "chat-judge"],
  ];

  it.each(cases)("%s → %s", (file, family) => {
    const detected = detectPromptFamily({ chatTemplate: template(file) });
    expect(detected?.family).toBe(family);
    expect(detected?.reason).toMatch(/chat template/);
  });

  it("trusts the template over a misleading name", () => {
    const detected = detectPromptFamily({
      chatTemplate: template("llama-guard-3-1b_hf-chat-template.jinja"),
      name: "Llama-Guard-3-8B",
      fileName: "llama-2-13b-chat.Q4_K_M.gguf",
    });
    expect(detected?.family).toBe("llama-guard-3-1b");
  });

  it("falls back to the name when the template is not one it knows", () => {
    const llama3Instruct = "{% for message in messages %}<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n{{ message['content'] }}<|eot_id|>{% endfor %}";
    expect(detectPromptFamily({ chatTemplate: llama3Instruct, name: "Llama Guard 3 8B" })).toEqual({
      family: "llama-guard-3-8b",
      reason: 'model name "Llama Guard 3 8B" looks like Llama-Guard-3-8B',
    });
  });

  it("does not take a template that merely lists S1–S14 without Llama 3 header tokens for the 8B one", () => {
    const noHeaders = template("llama-guard-3-8b_hf-chat-template.jinja").replaceAll("<|start_header_id|>", "");
    expect(detectPromptFamily({ chatTemplate: noHeaders })).toBeUndefined();
  });
});

describe("detectPromptFamily from names", () => {
  const positive: Array<[name: string, family: PromptFamily]> = [
    ["Llama-Guard-3-1B", "llama-guard-3-1b"],
    ["llama_guard_3_1b.Q4_K_M.gguf", "llama-guard-3-1b"],
    ["Llama Guard 3 1B", "llama-guard-3-1b"],
    ["Llama-Guard-3-1B-f16.gguf", "llama-guard-3-1b"],
    ["Llama-Guard-3-8B", "llama-guard-3-8b"],
    ["Llama-Guard-3-8B.Q4_K_M.gguf", "llama-guard-3-8b"],
    ["LLAMA-GUARD-3-8B-Q8_0.GGUF", "llama-guard-3-8b"],
    ["Meta-Llama-Guard-2-8B", "llama-guard-2"],
    ["meta_llama_guard_2_8b.Q5_K_M.gguf", "llama-guard-2"],
    ["LlamaGuard-7b", "llama-guard-1"],
    ["llamaguard-7b.Q4_K_M.gguf", "llama-guard-1"],
    ["llama-guard-7b", "llama-guard-1"],
    ["llama-2-13b-chat.Q4_K_M.gguf", "chat-judge"],
    ["Llama-2-7B-Chat", "chat-judge"],
    ["Llama 2 13B Chat", "chat-judge"],
    ["llama2_chat", "chat-judge"],
    ["Llama-Guard-4-12B", "llama-guard-4"],
    ["granite-guardian-3.1-2b", "granite-guardian-3.1"],
  ];

  it.each(positive)("%s → %s", (name, family) => {
    expect(detectPromptFamily({ name })?.family).toBe(family);
    expect(detectPromptFamily({ fileName: name })?.family).toBe(family);
  });

  it.each([
    "Llama-Guard-3-11B-Vision",
    "llama-2-13b.Q4_K_M.gguf",
    "Meta-Llama-3-8B-Instruct",
    "llama-guard-3-18b",
    "",
  ])("%j → none", (name) => {
    expect(detectPromptFamily({ name, fileName: name })).toBeUndefined();
  });

  it("prefers the model name to the file name, and says which it used", () => {
    expect(detectPromptFamily({ name: "Meta-Llama-Guard-2-8B", fileName: "llama-guard-3-1b.gguf" })).toEqual({
      family: "llama-guard-2",
      reason: 'model name "Meta-Llama-Guard-2-8B" looks like Meta-Llama-Guard-2-8B',
    });
    expect(detectPromptFamily({ name: "My fine-tune", fileName: "llama-guard-3-1b.gguf" })?.reason).toMatch(/^file name "llama-guard-3-1b.gguf"/);
  });

  it("ignores a Llama Guard name on a file of another architecture", () => {
    expect(detectPromptFamily({ name: "Llama-Guard-3-1B", architecture: "gemma2" })).toBeUndefined();
    expect(detectPromptFamily({ name: "Llama-Guard-3-1B", architecture: "llama" })?.family).toBe("llama-guard-3-1b");
  });

  it("returns nothing when there is no evidence", () => {
    expect(detectPromptFamily({})).toBeUndefined();
  });
});

describe("detectGuardFamily: the other guard families", () => {
  it.each([
    ["shieldgemma.jinja", "shieldgemma"],
    ["shieldgemma.tgi-2024.jinja", "shieldgemma"],
    ["granite-guardian-3.0.jinja", "granite-guardian-3.0"],
    ["granite-guardian-3.2-chatml.j2", "granite-guardian-3.2"],
  ] as const)("template %s → %s (a prompt family only once the engine scores it)", (file, family) => {
    const detected = detectGuardFamily({ chatTemplate: template(file) });
    expect(detected?.family).toBe(family);
    expect(detected?.reason).toMatch(/chat template/);
    expect(detectPromptFamily({ chatTemplate: template(file) })?.family).toBe(isPromptFamily(family) ? family : undefined);
  });

  it("tells Granite Guardian 3.1 from 3.2 by name when the template layout is theirs", () => {
    const chatTemplate = template("granite-guardian-3.2-chatml.j2");
    expect(detectGuardFamily({ chatTemplate, name: "Granite Guardian 3.1 8b" })?.family).toBe("granite-guardian-3.1");
    expect(detectGuardFamily({ chatTemplate, fileName: "granite-guardian-3.2-5b-Q4_K_M.gguf" })?.family).toBe("granite-guardian-3.2");
  });

  it("recognises the Qwen3Guard and WildGuard prompts and Llama Guard 4's header tokens in a template", () => {
    expect(detectGuardFamily({ chatTemplate: "{{'<|im_start|>user\n# Task: ... **Safety: Controversial**: ...'}}" })?.family).toBe("qwen3guard");
    expect(detectGuardFamily({ chatTemplate: "<|user|>\n[INST] You are a classifier for analyzing interactions between humans and LLMs. {{ messages }}" })?.family).toBe("wildguard");
    expect(detectGuardFamily({ chatTemplate: "{{ bos_token }}<|header_start|>user<|header_end|>\n\nTask: ... <BEGIN UNSAFE CONTENT CATEGORIES>\n{{ categories }}" })?.family).toBe("llama-guard-4");
    expect(detectGuardFamily({ chatTemplate: "<|start_of_role|>judge_protocol<|end_of_role|>### Criteria: {{ c }}" })?.family).toBe("granite-guardian-3.3");
  });

  const names: Array<[name: string, architecture: string, family: string]> = [
    ["shieldgemma-2b", "gemma2", "shieldgemma"],
    ["ShieldGemma 9B", "gemma2", "shieldgemma"],
    ["shieldgemma-27b.Q4_K_M.gguf", "gemma2", "shieldgemma"],
    ["granite-guardian-3.0-8b", "granite", "granite-guardian-3.0"],
    ["granite3-guardian:2b", "granite", "granite-guardian-3.0"],
    ["granite-guardian-3.1-2b-Q8_0.gguf", "granite", "granite-guardian-3.1"],
    ["granite3.2-guardian:5b", "granite", "granite-guardian-3.2"],
    ["granite-guardian-3.2-3b-a800m", "granitemoe", "granite-guardian-3.2"],
    ["ibm-granite_granite-guardian-3.3-8b-Q4_K_M.gguf", "granite", "granite-guardian-3.3"],
    ["wildguard.Q4_K_M.gguf", "llama", "wildguard"],
    ["Qwen3Guard-Gen-8B", "qwen3", "qwen3guard"],
    ["qwen3guard-gen-0.6b-q8_0.gguf", "qwen3", "qwen3guard"],
    ["Llama-3.1-NemoGuard-8B-ContentSafety", "llama", "nemoguard-content-safety"],
    ["gpt-oss-safeguard-20b-MXFP4.gguf", "gpt-oss", "gpt-oss-safeguard"],
    ["Llama-Guard-4-12B", "llama4", "llama-guard-4"],
  ];

  it.each(names)("name %s (%s) → %s", (name, architecture, family) => {
    expect(detectGuardFamily({ name, architecture })?.family).toBe(family);
    expect(detectGuardFamily({ fileName: name })?.family).toBe(family);
  });

  it.each([
    ["shieldgemma-2-4b-it", "gemma3"],
    ["shieldgemma-2b", "llama"],
    ["Qwen3Guard-Stream-4B", "qwen3"],
    ["Qwen3-8B", "qwen3"],
    ["gpt-oss-20b", "gpt-oss"],
    ["granite-3.3-8b-instruct", "granite"],
    ["Llama-Guard-4-12B", "llama"],
  ])("%s (%s) → none", (name, architecture) => {
    expect(detectGuardFamily({ name, architecture })).toBeUndefined();
  });

  it("gives detectPromptFamily every family the engine scores", () => {
    expect(detectGuardFamily({ name: "Llama-Guard-4-12B" })?.family).toBe("llama-guard-4");
    expect(detectPromptFamily({ name: "Llama-Guard-4-12B" })?.family).toBe("llama-guard-4");
    expect(detectPromptFamily({ name: "wildguard.Q4_K_M.gguf", architecture: "llama" })?.family).toBe("wildguard");
    expect(detectPromptFamily({ name: "Llama-Guard-3-1B" })?.family).toBe("llama-guard-3-1b");
  });
});
