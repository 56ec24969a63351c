import { parseArgs } from "node:util";
import { resolve } from "node:path";
import type { Turn } from "../../../shared/conversation/types.ts";
import type { ClassifyOptions } from "../../../shared/classify/result.ts";
import type { Policy } from "../../../shared/taxonomy/index.ts";
import { EngineProcess } from "../../engine/engineProcess.ts";
import { EngineError } from "../../engine/errors.ts";
import { CliFailure, CliUsageError, numberOption, writeLine, type CliCommand, type CliIo } from "../command.ts";
import { parseCheck, parseConversationText, parseFamily, policyOptions, readInputText, resolveFamily, resolvePolicy, warner } from "../conversationInput.ts";

const usage = `Usage: guardbench classify --model file.gguf [--family F] [--policy policy.json] [--exclude S6,S7] [--check last|prompt|response]
                           [--input FILE|-] [--threshold 0.5] [--top-k 5] [--threads N] [--cpu]

Classifies a conversation and prints the result as JSON: verdict, violated categories, P(unsafe), per-category scores,
and every generated token with its probability and top alternatives.
  --model      a GGUF file
  --family     the prompt family; detected from the GGUF (its chat template or name) when omitted
  --input      a conversation in any pasted format (default: standard input), or a .jsonl dataset with one
               {"id", "messages": […]} object per line: then one result per line is streamed as it is ready
  --threshold  P(unsafe) at or above which the result is flagged (default 0.5)
  --top-k      alternatives recorded per generated token (default 5)
  --cpu        never use a GPU`;

interface DatasetLine {
  line: number;
  id: unknown;
  turns?: Turn[];
  problem?: string;
}

/** A `.jsonl` dataset has one `{"messages": […]}` object per line; a conversation pasted as JSON lines has `{role, content}`. */
function datasetLines(text: string): DatasetLine[] | undefined {
  const lines = text.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== "");
  try {
    if (!first || !("messages" in (JSON.parse(first) as object))) return undefined;
  } catch {
    return undefined;
  }
  return lines.flatMap((raw, index): DatasetLine[] => {
    if (raw.trim() === "") return [];
    const line = index + 1;
    let record: { id?: unknown; messages?: unknown };
    try {
      record = JSON.parse(raw) as typeof record;
    } catch (error) {
      return [{ line, id: null, problem: `line ${line} is not valid JSON: ${(error as Error).message}` }];
    }
    try {
      return [{ line, id: record.id ?? null, turns: parseConversationText(JSON.stringify({ messages: record.messages }), `line ${line}`).turns }];
    } catch (error) {
      return [{ line, id: record.id ?? null, problem: (error as Error).message }];
    }
  });
}

async function classifyDataset(engine: EngineProcess, lines: DatasetLine[], policy: Policy, options: ClassifyOptions, io: CliIo): Promise<number> {
  let failed = 0;
  for (const item of lines) {
    let output: object;
    if (item.turns) {
      try {
        output = { id: item.id, line: item.line, ...(await engine.classify({ turns: item.turns, policy }, options)) };
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        output = { id: item.id, line: item.line, error: error.toData() };
      }
    } else {
      output = { id: item.id, line: item.line, error: { code: "input-invalid", message: item.problem } };
    }
    if ("error" in output) failed++;
    writeLine(io.stdout, JSON.stringify(output));
  }
  writeLine(io.stderr, `classified ${lines.length - failed} of ${lines.length} lines${failed ? `; ${failed} failed (their lines carry an "error" object)` : ""}`);
  return failed ? 1 : 0;
}

export const classifyCommand: CliCommand = {
  name: "classify",
  summary: "classify a conversation (or a .jsonl dataset) with a GGUF model",
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...policyOptions, model: { type: "string" }, threshold: { type: "string" }, "top-k": { type: "string" }, threads: { type: "string" }, cpu: { type: "boolean" } },
      strict: true,
    });
    if (!values.model) throw new CliUsageError("--model is required");
    const modelPath = resolve(io.cwd, values.model);
    const options: ClassifyOptions = { threshold: numberOption(values.threshold, "--threshold", 0, 1), topK: numberOption(values["top-k"], "--top-k", 1, 50) };
    const threads = numberOption(values.threads, "--threads", 1, 256);
    const check = parseCheck(values.check);
    const family = await resolveFamily(modelPath, parseFamily(values.family));
    const policy = await resolvePolicy(family, values.policy, values.exclude, io.cwd, warner("classify", io));
    const { text, source } = await readInputText(values.input, io);
    const dataset = datasetLines(text);
    const conversation = dataset ? undefined : parseConversationText(text, source);

    const engine = new EngineProcess();
    try {
      await engine.load({ modelPath, family, gpu: values.cpu ? false : "auto", ...(threads ? { threads } : {}) });
      if (dataset) return await classifyDataset(engine, dataset, policy, options, io);
      const result = await engine.classify({ turns: conversation!.turns, policy, check }, options);
      writeLine(io.stdout, JSON.stringify(result, null, 2));
      return 0;
    } catch (error) {
      if (error instanceof EngineError) throw new CliFailure(`${error.message}${error.hint ? `\n${error.hint}` : ""}`);
      throw error;
    } finally {
      engine.dispose();
    }
  },
};

/** A numeric flag within [min, max]; undefined when absent. */
