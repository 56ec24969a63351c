import { Option } from "commander";
import { buildPromptText, joinParts, promptTextOf } from "../../../shared/prompts/index.ts";
import { familyOf } from "../../../shared/families/registry.ts";
import { embeddedTemplateOptions } from "../../../shared/families/embeddedTemplate.ts";
import { defineCommand, parseCommandLine, withOptions } from "../arguments.ts";
import { CliFailure, type CliCommand } from "../command.ts";
import { parseConversationText, prepareConversation, readInputText, resolvePolicy, warner } from "../conversationInput.ts";
import { familyOption, inputOption, policyOptions, type FamilyValues, type InputValues, type PolicyValues } from "../options.ts";
import { resolveModelPath } from "../modelArgument.ts";
import { customGuardOption, familyWithCustomGuard, loadCustomGuardFile, type CustomGuardValues } from "../customGuardFile.ts";
import { embeddedTemplateFor } from "../../engine/templateCheck.ts";

interface PromptValues extends Required<FamilyValues>, CustomGuardValues, PolicyValues, InputValues {
  engineText?: boolean;
  model?: string;
}

function declare() {
  return withOptions(
    defineCommand("prompt", {
      summary: "print the exact prompt a family's official template builds for a conversation",
      description: "Prints the prompt exactly as the family's official chat template renders it (special tokens as text), and nothing else.",
    }),
    familyOption("the prompt family whose official template builds the prompt").makeOptionMandatory(),
    ...policyOptions(),
    inputOption(),
    new Option("--engine-text", "print what the engine feeds llama.cpp instead (no BOS literal: llama.cpp adds BOS itself)"),
    new Option("--model <file|id>", "the GGUF whose own chat template is the prompt (llama-guard-4, which has no public template; a custom guard without a template of its own); ignored by the other families"),
    customGuardOption(),
  );
}

export const promptCommand: CliCommand = {
  declare,
  async run(args, io) {
    const { values } = parseCommandLine<PromptValues>(declare(), args, io);
    const family = familyWithCustomGuard(values)!;
    const customGuard = values.customGuard === undefined ? undefined : await loadCustomGuardFile(values.customGuard, io);
    const policy = await resolvePolicy(family, values.policy, values.exclude, io, warner("prompt", io));
    const { text, source } = await readInputText(values.input, io);
    const conversation = parseConversationText(text, source, io);
    const turns = prepareConversation(conversation, values.check, source, io);
    const embeddedTemplate = values.model === undefined ? undefined : await embeddedTemplateFor(resolveModelPath(values.model, io), family);
    const built = buildPromptText(family, turns, policy, { ...embeddedTemplateOptions(embeddedTemplate), ...(customGuard && { customGuard }) });
    if (!built.ok) throw new CliFailure(familyOf(family).needsEmbeddedTemplate && values.model === undefined ? `${built.error.message} (Give the model file with --model.)` : built.error.message);
    const { prompts } = built.value;
    const output = values.engineText ? promptTextOf(prompts.map(({ code, prompt }) => ({ ...(code !== undefined && { code }), prompt: { text: joinParts(prompt.engineParts) } }))) : built.value.text;
    io.stdout.write(`${output}\n`);
    return 0;
  },
};
