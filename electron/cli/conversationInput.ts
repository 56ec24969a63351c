/** What the classifying commands share: reading a conversation from a file or stdin, and resolving the family and policy they name (options.ts declares the flags). */
import { basename } from "node:path";
import { parseConversation, prepareForClassification } from "../../shared/conversation/index.ts";
import type { CheckMode, Conversation, GuardTurn } from "../../shared/conversation/types.ts";
import { excludeCategories, parsePolicy, presetPolicy, splitCategoryCodes, type Policy, type PromptFamily } from "../../shared/taxonomy/index.ts";
import { CliFailure, writeLine, type CliIo, userPath } from "./command.ts";
import { readTextFile, readWholeText, TextFileError } from "../datasets/textFile.ts";
import { inspectModelFile } from "../gguf/index.ts";
import { unscorableFamilyMessage } from "../../shared/families/scorable.ts";

/** Prints a warning on stderr, the way every command words them. */
export function warner(command: string, io: Pick<CliIo, "stderr">): (message: string) => void {
  return (message) => writeLine(io.stderr, `guardbench ${command}: warning: ${message}`);
}

/** The raw text of `--input FILE`, or of stdin for `--input -` or no `--input`; UTF-8 by the same rule as datasets. */
export async function readInputText(input: string | undefined, io: CliIo): Promise<{ text: string; source: string }> {
  const fromStdin = input === undefined || input === "-";
  const source = fromStdin ? "standard input" : input;
  try {
    const text = fromStdin ? await readWholeText(source, io.stdin as AsyncIterable<Uint8Array | string>) : await readTextFile(userPath(io, input), input, { allowPipes: true });
    return { text, source };
  } catch (error) {
    throw textFileFailure(error);
  }
}

/** A file that cannot be read as UTF-8 text, as one line (and its hint) for the terminal. */
function textFileFailure(error: unknown): unknown {
  if (!(error instanceof TextFileError)) return error;
  return new CliFailure(`${error.message}${error.hint ? `\n${error.hint.charAt(0).toUpperCase()}${error.hint.slice(1)}.` : ""}`);
}

/** Parses the conversation, printing the parser's warnings (skipped tool turns, a dropped empty reply …) on stderr. */
export function parseConversationText(text: string, source: string, io: Pick<CliIo, "stderr">): Conversation {
  const parsed = parseConversation(text);
  if (!parsed.ok) {
    const where = parsed.error.line ? ` (line ${parsed.error.line})` : "";
    throw new CliFailure(`cannot read the conversation in ${source}${where}: ${parsed.error.message}`);
  }
  for (const warning of parsed.warnings) writeLine(io.stderr, `warning: ${source}: ${warning}`);
  return parsed.conversation;
}

/**
 * The turns the classifier will see, checked as the engine checks them (before a model is loaded, so a conversation
 * that cannot be classified fails at once), with the warnings about what is left out printed on stderr.
 */
export function prepareConversation(conversation: Conversation, check: CheckMode, source: string, io: Pick<CliIo, "stderr">): GuardTurn[] {
  const prepared = prepareForClassification(conversation, check);
  if (!prepared.ok) throw new CliFailure(`the conversation in ${source} cannot be classified: ${prepared.error.message}`);
  for (const warning of prepared.warnings) writeLine(io.stderr, `warning: ${source}: ${warning}`);
  return prepared.turns;
}

/**
 * `--policy file.json` (its family must match) or the family's preset, then `--exclude S6,S7` (codes kept, not
 * renumbered). An excluded code the policy lacks is a `warn`ing, not a failure: the official template ignores it too.
 */
export async function resolvePolicy(family: PromptFamily, policyPath: string | undefined, exclude: string | undefined, io: Pick<CliIo, "cwd" | "env">, warn: (message: string) => void): Promise<Policy> {
  let policy = presetPolicy(family);
  if (policyPath !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(await readTextFile(userPath(io, policyPath), policyPath));
    } catch (error) {
      throw new CliFailure(`cannot read the policy ${policyPath}: ${(error as Error).message}`);
    }
    const parsed = parsePolicy(json);
    if (!parsed.ok) throw new CliFailure(`the policy ${policyPath} is not valid: ${parsed.error.message}`);
    if (parsed.policy.family !== family) throw new CliFailure(`the policy ${policyPath} is for ${parsed.policy.family}, but the prompt family is ${family}`);
    policy = parsed.policy;
  }
  const excluded = excludeCategories(policy, splitCategoryCodes(exclude ?? ""));
  for (const code of excluded.unknown) {
    warn(`--exclude ${code}: the ${family} policy has no category ${code}, so there is nothing to exclude (the official template ignores unknown codes too)`);
  }
  return excluded.policy;
}

/**
 * The prompt family: as requested, else detected from the GGUF (its chat template or name). The file is checked either
 * way, so a damaged one is refused here with the reason rather than in the engine worker.
 */
export async function resolveFamily(modelPath: string, requested: PromptFamily | undefined): Promise<PromptFamily> {
  const inspected = await inspectModelFile(modelPath);
  if (!inspected.ok) throw new CliFailure(`${inspected.error.message}${inspected.error.hint ? `\n${inspected.error.hint}` : ""}`);
  if (requested) return requested;
  const guard = inspected.info.guardFamily;
  if (!inspected.info.promptFamily && guard) throw new CliFailure(`${unscorableFamilyMessage(basename(modelPath), guard)}; --family would score it with another family's prompt, which gives meaningless scores`);
  if (!inspected.info.promptFamily) throw new CliFailure(`cannot tell which prompt family ${modelPath} expects (no known chat template or name); pass --family`);
  return inspected.info.promptFamily.family;
}
