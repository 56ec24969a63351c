import { resolveModelPath } from "../modelArgument.ts";
import { customGuardOption, familyWithCustomGuard, saveCustomGuardFile, type CustomGuardValues } from "../customGuardFile.ts";
import type { CheckMode, Turn } from "../../../shared/conversation/types.ts";
import type { ClassifyOptions } from "../../../shared/classify/result.ts";
import { describeValue, isRecord } from "../../../shared/datasets/index.ts";
import type { Policy } from "../../../shared/taxonomy/index.ts";
import { answerOrFail, classifyOnHost, loadModel, openCliHost, type CliHost } from "../cliHost.ts";
import { defineCommand, parseCommandLine, withOptions } from "../arguments.ts";
import { CliFailure, untilInterrupted, writeLine, type CliCommand, type CliIo } from "../command.ts";
import { parseConversationText, prepareConversation, readInputText, resolveFamily, resolvePolicy, warner } from "../conversationInput.ts";
import {
  engineOptions,
  familyOption,
  familySettingOption,
  parseFamilySettings,
  inputOption,
  modelOption,
  policyOptions,
  scoringOptions,
  type EngineValues,
  type FamilySettingValues,
  type FamilyValues,
  type InputValues,
  type ModelValues,
  type PolicyValues,
  type ScoringValues,
} from "../options.ts";

interface ClassifyValues extends ModelValues, FamilyValues, CustomGuardValues, PolicyValues, InputValues, ScoringValues, EngineValues, FamilySettingValues {}

function declare() {
  return withOptions(
    defineCommand("classify", {
      summary: "classify a conversation (or a .jsonl dataset) with a GGUF model",
      description:
        "Classifies a conversation and prints the result as JSON: verdict, violated categories, P(unsafe), per-category scores, and every generated token with its probability and top alternatives.",
      after:
        "Warnings about what the classifier does not see (system or tool turns, an empty last reply) go to standard error.\n" +
        "Exit status: 0 when classified, 1 on an error (or when a dataset line failed), 130 when interrupted (Ctrl+C).",
    }),
    modelOption(),
    familyOption(),
    customGuardOption(),
    ...policyOptions(),
    inputOption(
      'a conversation in any pasted format (- or none: standard input), or a dataset: two or more lines, each one {"id", "messages": […]} object; then one result per line is streamed as it is ready. A file holding one such line is one conversation, read as the same object in a .json file would be',
    ),
    ...scoringOptions(),
    familySettingOption(),
    ...engineOptions(),
  );
}

interface DatasetLine {
  line: number;
  id: unknown;
  turns?: Turn[];
  problem?: string;
}

/**
 * The input as a dataset (one `{"id", "messages": […]}` object per line), or undefined for one conversation. It is a
 * dataset when it has two or more non-blank lines and the first is such an object; a conversation pasted as JSON
 * lines has `{role, content}` lines instead, and a single object line is one conversation, as in a `.json` file.
 */
function datasetLines(text: string, io: CliIo): DatasetLine[] | undefined {
  const lines = text.split(/\r?\n/);
  const filled = lines.filter((l) => l.trim() !== "");
  if (filled.length < 2 || !isConversationRecord(filled[0]!)) return undefined;
  return lines.flatMap((raw, index): DatasetLine[] => (raw.trim() === "" ? [] : [datasetLine(raw, index + 1, io)]));
}

function isConversationRecord(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return isRecord(value) && "messages" in value;
  } catch {
    return false;
  }
}

/** One dataset line: its turns, or the problem that keeps it from being classified (every other line still is). */
function datasetLine(raw: string, line: number, io: CliIo): DatasetLine {
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch (error) {
    return { line, id: null, problem: `line ${line} is not valid JSON: ${(error as Error).message}` };
  }
  if (!isRecord(record)) return { line, id: null, problem: `line ${line} is ${describeValue(record)}, not an object such as {"id": "a", "messages": [{"role": "user", "content": "…"}]}` };
  const id = record.id ?? null;
  try {
    return { line, id, turns: parseConversationText(JSON.stringify({ messages: record.messages }), `line ${line}`, io).turns };
  } catch (error) {
    return { line, id, problem: (error as Error).message };
  }
}

/**
 * One result per line as it is ready. A dataset's lines are not History entries (a run stores a dataset's results:
 * `guardbench run`); a single conversation is, as it is in the app.
 */
async function classifyDataset(cli: CliHost, lines: DatasetLine[], how: { policy: Policy; check: CheckMode }, options: ClassifyOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  let failed = 0;
  let done = 0;
  for (const item of lines) {
    if (signal.aborted) break;
    let output: object;
    if (item.turns) {
      const answer = await classifyOnHost(cli, { turns: item.turns, ...how, options, record: false }, signal);
      if (signal.aborted) break;
      output = { id: item.id, line: item.line, ...(answer.ok ? answer.value.result : { error: answer.error }) };
    } else {
      output = { id: item.id, line: item.line, error: { code: "input-invalid", message: item.problem } };
    }
    if ("error" in output) failed++;
    done++;
    writeLine(io.stdout, JSON.stringify(output));
  }
  if (signal.aborted) throw new CliFailure(`interrupted after ${done} of ${lines.length} lines (each printed line is complete)`, 130);
  writeLine(io.stderr, `classified ${lines.length - failed} of ${lines.length} lines${failed ? `; ${failed} failed (their lines carry an "error" object)` : ""}`);
  return failed ? 1 : 0;
}

export const classifyCommand: CliCommand = {
  declare,
  async run(args, io) {
    // Usage mistakes first: they are answered without looking for the model.
    const { values } = parseCommandLine<ClassifyValues>(declare(), args, io);
    const { threads, check } = values;
    const modelPath = resolveModelPath(values.model, io);
    const family = await resolveFamily(modelPath, familyWithCustomGuard(values));
    const options: ClassifyOptions = { threshold: values.threshold, topK: values.topK, familySettings: parseFamilySettings(values.setting, family) };
    const policy = await resolvePolicy(family, values.policy, values.exclude, io, warner("classify", io));
    const { text, source } = await readInputText(values.input, io);
    const dataset = datasetLines(text, io);
    const conversation = dataset ? undefined : parseConversationText(text, source, io);
    // Checked here too, before a model is loaded: what cannot be classified fails at once, with the warnings shown.
    if (conversation) prepareConversation(conversation, check, source, io);

    const cli = openCliHost("classify", io, threads ? { threads } : {});
    const interrupted = untilInterrupted();
    let loading = true;
    try {
      if (values.customGuard !== undefined) await saveCustomGuardFile(cli, modelPath, values.customGuard, io);
      const loaded = await loadModel(cli, { path: modelPath, family, compute: values.cpu ? "cpu" : "auto" }, interrupted.signal);
      loading = false;
      if (!loaded) throw new CliFailure("interrupted while loading the model; nothing was classified", 130);
      // The prompt that does not match the model's own template is said before any score is read.
      const templateCheck = loaded.model?.templateCheck;
      if (templateCheck?.status === "different" || templateCheck?.status === "template-error") writeLine(io.stderr, `guardbench classify: warning: ${templateCheck.summary}`);
      if (dataset) return await classifyDataset(cli, dataset, { policy, check }, options, io, interrupted.signal);
      const { result, historyId } = answerOrFail(await classifyOnHost(cli, { turns: conversation!.turns, policy, check, options }, interrupted.signal));
      writeLine(io.stdout, JSON.stringify(result, null, 2));
      if (historyId !== undefined) writeLine(io.stderr, `recorded in History as item ${historyId}`);
      return 0;
    } catch (error) {
      if (interrupted.signal.aborted && !(error instanceof CliFailure && error.exitCode === 130)) throw new CliFailure(`interrupted ${loading ? "while loading the model" : "while classifying"}; nothing was classified`, 130);
      throw error;
    } finally {
      interrupted.dispose();
      cli.dispose();
    }
  },
};
