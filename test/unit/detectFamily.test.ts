import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectPromptFamily } from "../../shared/models/detectFamily.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";

const templatesDir = join(import.meta.dirname, "..", "fixtures", "prompt-templates");
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
  ];

  it.each(positive)("%s → %s", (name, family) => {
    expect(detectPromptFamily({ name })?.family).toBe(family);
    expect(detectPromptFamily({ fileName: name })?.family).toBe(family);
  });

  it.each([
    "Llama-Guard-3-11B-Vision",
    "llama-2-13b.Q4_K_M.gguf",
    "Meta-Llama-3-8B-Instruct",
    "Llama-Guard-4-12B",
    "shieldgemma-2b",
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
