import { parseArgs } from "node:util";
import { buildPrompt, joinParts } from "../../../shared/prompts/index.ts";
import { CliFailure, CliUsageError, type CliCommand } from "../command.ts";
import { parseCheck, parseConversationText, parseFamily, policyOptions, prepareConversation, readInputText, resolvePolicy, warner } from "../conversationInput.ts";

const usage = `Usage: guardbench prompt --family F [--policy policy.json] [--exclude S6,S7] [--check last|prompt|response] [--input FILE|-] [--engine-text]

Prints the prompt exactly as the family's official chat template renders it (special tokens as text), and nothing else.
  --family       llama-guard-1 | llama-guard-2 | llama-guard-3-8b | llama-guard-3-1b | chat-judge
  --policy       a policy JSON file ({"name","family","categories":[…]}); default: the family's official taxonomy
  --exclude      category codes to leave out; the other codes keep their numbers
  --check        which turn is classified: the last one (default), the last user turn, or the last assistant turn
  --input        the conversation in any pasted format, or {"messages": […]}; default: standard input
  --engine-text  print what the engine feeds llama.cpp instead (no BOS literal: llama.cpp adds BOS itself)`;

export const promptCommand: CliCommand = {
  name: "prompt",
  summary: "print the exact prompt a family's official template builds for a conversation",
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...policyOptions, "engine-text": { type: "boolean" } }, strict: true });
    const family = parseFamily(values.family);
    if (!family) throw new CliUsageError("--family is required");
    const policy = await resolvePolicy(family, values.policy, values.exclude, io, warner("prompt", io));
    const { text, source } = await readInputText(values.input, io);
    const conversation = parseConversationText(text, source, io);
    const turns = prepareConversation(conversation, parseCheck(values.check), source, io);
    const built = buildPrompt(family, turns, policy);
    if (!built.ok) throw new CliFailure(built.error.message);
    const output = values["engine-text"] ? joinParts(built.prompt.engineParts) : built.prompt.text;
    io.stdout.write(`${output}\n`);
    return 0;
  },
};
