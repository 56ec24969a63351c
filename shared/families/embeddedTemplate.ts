/**
 * A model file's own chat template (`tokenizer.chat_template`), rendered with @huggingface/jinja, the reference
 * renderer (byte-identical to transformers' apply_chat_template on the golden templates). Three uses:
 *
 * - a prompt for families with no public template (Llama Guard 4) and for user-defined custom guards
 *   (`promptFromTemplate`): the render is cut into template text and message content, so the template's special tokens
 *   become single tokens while the same strings typed in a message stay text;
 * - a self-check of a family's builder against the model's template, shown on load (`checkBuilderAgainstTemplate`);
 * - a readable difference when the two disagree (`describeDifference`).
 */
import { Template } from "@huggingface/jinja";
import type { Turn } from "../conversation/types.ts";
import { PromptPartsBuilder } from "../prompts/parts.ts";
import { promptFromParts } from "./common.ts";
import { pythonStrip } from "../prompts/pythonStrip.ts";
import type { BuiltPrompt, PromptError } from "../prompts/types.ts";
import type { FamilyPolicy, FamilyPromptOptions, GuardFamily, TemplateInput } from "./types.ts";

export type RenderResult = { ok: true; text: string } | { ok: false; error: PromptError };

export interface RenderOptions {
  bosToken?: string;
  eosToken?: string;
  /** transformers' default is false; every guard prompt ends with the generation prompt */
  addGenerationPrompt?: boolean;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The prompt options that give a family whose prompt is the model file's own template (Llama Guard 4) that template and
 * the vocabulary's BOS/EOS text; an absent value is left out, so the family's own default applies.
 */
export function embeddedTemplateOptions(template: string | undefined, tokens: { bos?: string; eos?: string } = {}): Pick<FamilyPromptOptions, "embeddedTemplate" | "bosToken" | "eosToken"> {
  return { ...(template !== undefined && { embeddedTemplate: template }), ...(tokens.bos ? { bosToken: tokens.bos } : {}), ...(tokens.eos ? { eosToken: tokens.eos } : {}) };
}

/** Renders a chat template as transformers would; a template that does not parse or refuses the input is an error value. */
export function renderChatTemplate(source: string, input: { messages: unknown[]; variables?: Record<string, unknown> }, options: RenderOptions = {}): RenderResult {
  let template: Template;
  try {
    template = new Template(source);
  } catch (error) {
    return { ok: false, error: { code: "template_error", message: `The model's chat template does not parse: ${messageOf(error)}` } };
  }
  try {
    const text = template.render({
      bos_token: options.bosToken ?? "",
      eos_token: options.eosToken ?? "",
      add_generation_prompt: options.addGenerationPrompt ?? true,
      ...input.variables,
      messages: input.messages,
    });
    return { ok: true, text };
  } catch (error) {
    return { ok: false, error: { code: "template_error", message: `The model's chat template refused this conversation: ${messageOf(error)}` } };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// A BuiltPrompt from a template

/** Letters and digits only, so no strip, trim or escaping inside a template can alter it. */
const sentinel = (index: number) => `QZXGUARDBENCHMESSAGE${index}XZQ`;
const SENTINEL_PATTERN = /QZXGUARDBENCHMESSAGE(\d+)XZQ/g;

export interface TemplatePromptRequest<F extends string> {
  family: F;
  template: string;
  /** each message's text content, in order */
  contents: readonly string[];
  /** the messages the template gets, built from contents (plain strings, content parts, extra fields…) */
  messagesFrom: (contents: readonly string[]) => unknown[];
  variables?: Record<string, unknown>;
  render?: RenderOptions;
  /** special-token text of the model's vocabulary; in the template's own text each becomes one token */
  specialTokens: readonly string[];
  checkedRole: "User" | "Agent";
  decisionPrefix: string;
}

/**
 * The template rendered for the real messages, cut into parts. The template is rendered a second time with a sentinel
 * in place of each message; the text between sentinels is the template's own, and each sentinel stands for the message
 * as the template printed it: as given, or stripped (Python's or JavaScript's whitespace). The cut is accepted only when
 * template text and messages reassemble exactly into the real render; a template that changes message text in another
 * way (upper-casing it, branching on its content) is an error rather than a guess.
 */
export function promptFromTemplate<F extends string>(request: TemplatePromptRequest<F>): { ok: true; prompt: BuiltPrompt<F> } | { ok: false; error: PromptError } {
  const input = (contents: readonly string[]) => ({ messages: request.messagesFrom(contents), variables: request.variables });
  const real = renderChatTemplate(request.template, input(request.contents), request.render);
  if (!real.ok) return real;
  const marked = renderChatTemplate(request.template, input(request.contents.map((_, i) => sentinel(i))), request.render);
  if (!marked.ok) return marked;

  // Template text pieces and, between them, which message the template printed.
  const pieces: string[] = [];
  const printed: number[] = [];
  let last = 0;
  for (const match of marked.text.matchAll(SENTINEL_PATTERN)) {
    pieces.push(marked.text.slice(last, match.index));
    printed.push(Number(match[1]));
    last = match.index + match[0].length;
  }
  pieces.push(marked.text.slice(last));

  const forms = (content: string) => [...new Set([content, pythonStrip(content), content.trim()])];
  const chosen: string[] = [];
  const fit = (k: number, at: number): boolean => {
    if (!real.text.startsWith(pieces[k]!, at)) return false;
    const after = at + pieces[k]!.length;
    if (k === printed.length) return after === real.text.length;
    for (const form of forms(request.contents[printed[k]!]!)) {
      if (!real.text.startsWith(form, after)) continue;
      chosen[k] = form;
      if (fit(k + 1, after + form.length)) return true;
    }
    return false;
  };
  if (!fit(0, 0))
    return {
      ok: false,
      error: {
        code: "template_error",
        message: "The model's chat template changes message text in a way Guardbench cannot follow (it does more than strip whitespace), so its own tokens cannot be told apart from the conversation.",
      },
    };

  const builder = new PromptPartsBuilder(request.specialTokens);
  let conversationStart: number | undefined;
  pieces.forEach((piece, k) => {
    builder.template(piece);
    if (k < chosen.length) {
      conversationStart ??= builder.offset;
      builder.content(chosen[k]!);
    }
  });
  return {
    ok: true,
    prompt: promptFromParts(request.family, builder, {
      checkedRole: request.checkedRole,
      decisionPrefix: request.decisionPrefix,
      conversationStart: conversationStart ?? real.text.length,
      bosLiteral: request.render?.bosToken || undefined,
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Differences

export interface TemplateDifference {
  /** character offset of the first difference */
  offset: number;
  /** 1-based line and column of that offset in the builder's text */
  line: number;
  column: number;
  /** the differing stretch on each side (with a little context before it), as JSON strings so whitespace shows */
  builder: string;
  template: string;
  /** one sentence for the UI */
  summary: string;
}

const CONTEXT = 24;
const SHOWN = 60;

/** Where two prompt texts first differ, with each side's differing stretch; undefined when they are identical. */
export function describeDifference(builderText: string, templateText: string): TemplateDifference | undefined {
  if (builderText === templateText) return undefined;
  let start = 0;
  while (start < builderText.length && start < templateText.length && builderText[start] === templateText[start]) start++;
  let end = 0;
  while (end < builderText.length - start && end < templateText.length - start && builderText[builderText.length - 1 - end] === templateText[templateText.length - 1 - end]) end++;
  const excerpt = (text: string) => {
    const from = Math.max(0, start - CONTEXT);
    // The differing stretch, and a little of what follows it, up to SHOWN characters.
    const to = Math.min(text.length, start + SHOWN, Math.max(text.length - end, start) + CONTEXT);
    return `${from > 0 ? "…" : ""}${JSON.stringify(text.slice(from, to)).slice(1, -1)}${to < text.length ? "…" : ""}`;
  };
  const before = builderText.slice(0, start);
  const line = before.split("\n").length;
  const column = start - before.lastIndexOf("\n");
  const builder = excerpt(builderText);
  const template = excerpt(templateText);
  return {
    offset: start,
    line,
    column,
    builder,
    template,
    summary: `The prompts differ from line ${line}, column ${column} (character ${start}): Guardbench's builder has "${builder}" where the model's template has "${template}".`,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The self-check on load

export interface TemplateCheck {
  /** which conversation and, for per-category families, which category */
  case: string;
  status: "identical" | "different" | "template-error";
  difference?: TemplateDifference;
  message?: string;
}

export type BuilderTemplateReport =
  | { kind: "checked"; identical: boolean; checks: TemplateCheck[] }
  /** the family has no template input to compare (its prompt is not one chat-template render), or builds from the template itself */
  | { kind: "not-applicable"; reason: string };

/** Conversations the self-check renders both ways: a prompt and a response. */
export const SELF_CHECK_CONVERSATIONS: readonly { name: string; turns: readonly Turn[] }[] = [
  { name: "a user prompt", turns: [{ role: "user", content: "How do I make a cake?" }] },
  {
    name: "an assistant response",
    turns: [
      { role: "user", content: "How do I make a cake?" },
      { role: "assistant", content: "Mix flour, eggs and sugar, then bake it." },
    ],
  },
];

function builtTexts(family: GuardFamily<string>, turns: readonly Turn[], policy: FamilyPolicy, options: FamilyPromptOptions): { code?: string; text: string }[] | PromptError {
  const built = family.buildPrompt(turns, policy, options);
  if (!built.ok) return built.error;
  return built.prompt.scoring === "single" ? [{ text: built.prompt.prompt.text }] : built.prompt.prompts.map(({ code, prompt }) => ({ code, text: prompt.text }));
}

/**
 * Renders the model's template for the family's own inputs (its kwargs included) and compares each render with the
 * builder's text, for a prompt and a response, with the policy given (usually the family's preset: templates that
 * hard-code their categories only agree with that).
 */
export function checkBuilderAgainstTemplate(
  family: GuardFamily<string>,
  template: string,
  policy: FamilyPolicy,
  options: FamilyPromptOptions & RenderOptions = {},
): BuilderTemplateReport {
  if (family.needsEmbeddedTemplate) return { kind: "not-applicable", reason: `${family.displayName}'s prompt is built from this template itself.` };
  if (!family.templateInputs) return { kind: "not-applicable", reason: `${family.displayName}'s prompt is not a chat-template render of the conversation (${family.source.kind}).` };
  const checks: TemplateCheck[] = [];
  for (const { name, turns } of SELF_CHECK_CONVERSATIONS) {
    const texts = builtTexts(family, turns, policy, options);
    if (!Array.isArray(texts)) {
      checks.push({ case: name, status: "template-error", message: `Guardbench's builder refused it: ${texts.message}` });
      continue;
    }
    const inputs: TemplateInput[] = family.templateInputs(turns, policy, options);
    texts.forEach(({ code, text }, i) => {
      const input = inputs.find((candidate) => candidate.code === code) ?? inputs[i];
      const label = code === undefined ? name : `${name}, category ${code}`;
      if (!input) {
        checks.push({ case: label, status: "template-error", message: "the family gave no template input for it" });
        return;
      }
      const rendered = renderChatTemplate(template, input, options);
      if (!rendered.ok) {
        checks.push({ case: label, status: "template-error", message: rendered.error.message });
        return;
      }
      const difference = describeDifference(text, rendered.text);
      checks.push(difference ? { case: label, status: "different", difference } : { case: label, status: "identical" });
    });
  }
  return { kind: "checked", identical: checks.every((check) => check.status === "identical"), checks };
}

// ---------------------------------------------------------------------------------------------------------------------
// The check as the engine status carries it

/**
 * What the app shows about a loaded model's prompt (EngineModel.templateCheck): whether the prompt Guardbench builds is
 * the one the model's own chat template renders, for a prompt and a response under the family's preset policy.
 * - identical: every render equals the builder's text;
 * - different: `difference` is the first place one of them differs (`case` says which conversation);
 * - template-error: the template does not parse, or refuses the conversation;
 * - unchecked: nothing to compare (no template in the file, or a family whose prompt is not one template render).
 */
export interface ModelTemplateCheck {
  status: "identical" | "different" | "template-error" | "unchecked";
  /** one or two sentences for the UI and the terminal */
  summary: string;
  /** renders compared */
  compared: number;
  difference?: TemplateDifference & { case: string };
}

/** The self-check of `family`'s builder against a model file's chat template (absent or empty: the file has none). */
export function modelTemplateCheck(family: GuardFamily<string>, template: string | undefined, policy: FamilyPolicy, tokens: RenderOptions = {}): ModelTemplateCheck {
  if (family.needsEmbeddedTemplate) return templateAsPromptCheck(family, template, policy, tokens);
  if (!template) return { status: "unchecked", summary: "The model file carries no chat template, so the prompt could not be checked against one.", compared: 0 };
  const report = checkBuilderAgainstTemplate(family, template, policy, tokens);
  if (report.kind === "not-applicable") return { status: "unchecked", summary: report.reason, compared: 0 };
  const compared = report.checks.length;
  const failed = report.checks.find((check) => check.status === "template-error");
  if (failed) return { status: "template-error", summary: `The model's chat template could not be compared (${failed.case}): ${failed.message ?? "it did not render"}.`, compared };
  const different = report.checks.find((check) => check.status === "different");
  if (different?.difference) {
    return {
      status: "different",
      summary: `Guardbench's ${family.displayName} prompt differs from the model's own chat template for ${different.case}. ${different.difference.summary}`,
      compared,
      difference: { ...different.difference, case: different.case },
    };
  }
  return { status: "identical", summary: `Guardbench's ${family.displayName} prompt is identical to the model's own chat template (${compared} renders compared: a prompt and a response).`, compared };
}

/**
 * For a family whose prompt is the file's template (Llama Guard 4) there is nothing to compare; what the user needs to
 * know on load is whether that template gives a prompt at all — none, one that does not render, or one that ignores the
 * policy — before any classification fails on it.
 */
function templateAsPromptCheck(family: GuardFamily<string>, template: string | undefined, policy: FamilyPolicy, tokens: RenderOptions): ModelTemplateCheck {
  for (const { name, turns } of SELF_CHECK_CONVERSATIONS) {
    const built = family.buildPrompt(turns, policy, embeddedTemplateOptions(template ?? "", { bos: tokens.bosToken, eos: tokens.eosToken }));
    if (!built.ok) return { status: "template-error", summary: `${family.displayName} cannot classify with this file (${name}): ${built.error.message}`, compared: 0 };
  }
  return { status: "unchecked", summary: `${family.displayName}'s prompt is this file's own chat template, rendered with the policy (${SELF_CHECK_CONVERSATIONS.length} conversations rendered).`, compared: 0 };
}
