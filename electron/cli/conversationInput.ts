/** What the classifying commands share: reading a conversation from a file or stdin, and resolving the family and policy flags. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { parseConversation } from "../../shared/conversation/index.ts";
import type { CheckMode, Conversation } from "../../shared/conversation/types.ts";
import { isPromptFamily, parsePolicy, presetPolicy, setCategoryEnabled, type Policy, type PromptFamily, PROMPT_FAMILIES } from "../../shared/taxonomy/index.ts";
import { CliFailure, CliUsageError, type CliIo } from "./command.ts";
import { inspectModelFile } from "../gguf/index.ts";

export const policyOptions = {
  family: { type: "string" },
  policy: { type: "string" },
  exclude: { type: "string" },
  input: { type: "string" },
  check: { type: "string" },
} as const;

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

/** `--policy file.json` (its family must match) or the family's preset, then `--exclude S6,S7` (codes kept, not renumbered). */
export async function resolvePolicy(family: PromptFamily, policyPath: string | undefined, exclude: string | undefined, cwd: string): Promise<Policy> {
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
  for (const code of (exclude ?? "").split(",").map((c) => c.trim()).filter(Boolean)) {
    const edit = setCategoryEnabled(policy, code, false);
    if (!edit.ok) throw new CliFailure(`--exclude ${code}: ${edit.error.message}`);
    policy = edit.policy;
  }
  return policy;
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
