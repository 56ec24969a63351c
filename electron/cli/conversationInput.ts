/** What the classifying commands share: reading a conversation from a file or stdin, and resolving the family and policy flags. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { parseConversation } from "../../shared/conversation/index.ts";
import type { CheckMode, Conversation } from "../../shared/conversation/types.ts";
import { excludeCategories, isPromptFamily, parsePolicy, presetPolicy, splitCategoryCodes, type Policy, type PromptFamily, PROMPT_FAMILIES } from "../../shared/taxonomy/index.ts";
import { CliFailure, CliUsageError, writeLine, type CliIo } from "./command.ts";
import { inspectModelFile } from "../gguf/index.ts";

export const policyOptions = {
  family: { type: "string" },
  policy: { type: "string" },
  exclude: { type: "string" },
  input: { type: "string" },
  check: { type: "string" },
} as const;

/** Prints a warning on stderr, the way every command words them. */
export function warner(command: string, io: CliIo): (message: string) => void {
  return (message) => writeLine(io.stderr, `guardbench ${command}: warning: ${message}`);
}

export function parseFamily(value: string | undefined): PromptFamily | undefined {
  if (value === undefined) return undefined;
  if (!isPromptFamily(value)) throw new CliUsageError(`unknown family "${value}"; choose one of ${PROMPT_FAMILIES.join(", ")}`);
  return value;
}

export function parseCheck(value: string | undefined): CheckMode {
  if (value === undefined) return "last";
  if (value !== "last" && value !== "prompt" && value !== "response") throw new CliUsageError(`--check must be last, prompt or response, not "${value}"`);
  return value;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** The raw text of `--input FILE`, or of stdin for `--input -` or no `--input`. */
export async function readInputText(input: string | undefined, io: CliIo): Promise<{ text: string; source: string }> {
  if (input === undefined || input === "-") return { text: await readAll(io.stdin), source: "standard input" };
  const path = resolve(io.cwd, input);
  try {
    return { text: await readFile(path, "utf8"), source: input };
  } catch (error) {
    throw new CliFailure(`cannot read ${input}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
}

export function parseConversationText(text: string, source: string): Conversation {
  const parsed = parseConversation(text);
  if (!parsed.ok) {
    const where = parsed.error.line ? ` (line ${parsed.error.line})` : "";
    throw new CliFailure(`cannot read the conversation in ${source}${where}: ${parsed.error.message}`);
  }
  return parsed.conversation;
}

/**
 * `--policy file.json` (its family must match) or the family's preset, then `--exclude S6,S7` (codes kept, not
 * renumbered). An excluded code the policy lacks is a `warn`ing, not a failure: the official template ignores it too.
 */
export async function resolvePolicy(family: PromptFamily, policyPath: string | undefined, exclude: string | undefined, cwd: string, warn: (message: string) => void): Promise<Policy> {
  let policy = presetPolicy(family);
  if (policyPath !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(resolve(cwd, policyPath), "utf8"));
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
  if (!inspected.info.promptFamily) throw new CliFailure(`cannot tell which prompt family ${modelPath} expects (no known chat template or name); pass --family`);
  return inspected.info.promptFamily.family;
}
