import { customGuardOption, familyWithCustomGuard, saveCustomGuardFile, type CustomGuardValues } from "../customGuardFile.ts";
import { extname } from "node:path";
import { Option } from "commander";
import { DATASET_FORMATS, type ColumnMapping, type DatasetFormat } from "../../../shared/datasets/index.ts";
import { parseRequest, type DatasetSummary, type ItemOutcome, type RunItemFinished, type RunResultLine, type RunStarted } from "../../../shared/ipc/contract.ts";
import type { ResultError } from "../../../shared/ipc/result.ts";
import type { Policy, PromptFamily } from "../../../shared/taxonomy/index.ts";
import { ENDPOINT_KINDS, type EndpointKind, type RemoteEndpoint } from "../../../shared/remote/endpoint.ts";
import { CodedError, errorText } from "../../../shared/errors/codedError.ts";
import { exportResults } from "../../datasets/export.ts";
import { outcomeFields } from "../../evaluation/exportRows.ts";
import type { ScoringSettings } from "../../runs/cliRunKey.ts";
import { LOCAL_MEMBER_NAME } from "../../runs/poolExecutor.ts";
import { DEFAULT_ENDPOINT_CONCURRENCY } from "../../store/index.ts";
import { printableUrl } from "../../engine/remote/http.ts";
import { endpointProblem } from "../../engine/remote/remoteEngine.ts";
import { defineCommand, parseCommandLine, withOptions, type CommandLine } from "../arguments.ts";
import { jobDoneUnlessStopped, openCliHost, type CliHost } from "../cliHost.ts";
import { CliFailure, CliUsageError, untilInterrupted, userPath, writeLine, type CliCommand, type CliIo } from "../command.ts";
import { resolveFamily, resolvePolicy, warner } from "../conversationInput.ts";
import { resolveModelPath } from "../modelArgument.ts";
import {
  choiceOption,
  engineOptions,
  familyOption,
  familySettingOption,
  modelOption,
  parseFamilySettings,
  policyOptions,
  repeatableOption,
  scoringOptions,
  sequencesOption,
  wholeNumberOption,
  type EngineValues,
  type FamilySettingValues,
  type FamilyValues,
  type ModelValues,
  type PolicyValues,
  type ScoringValues,
  type SequencesValues,
} from "../options.ts";

function declare() {
  return withOptions(
    defineCommand("run", {
      summary: "classify a whole dataset, stored and resumable (one JSON line per item)",
      description: [
        'Classifies every item of a dataset and prints one JSON line per item: {"id", "label", "score", "flagged", "verdict", "categories"}, where score is P(unsafe), or {"id", "label", "error"} for an item whose classification failed. Lines come as items finish; progress goes to standard error. The output reads straight into `guardbench eval --results`.',
        "The run is stored in GUARDBENCH_HOME (default ~/.guardbench), each result as it finishes. Running the same command again continues where it stopped (after Ctrl+C, a crash or a kill): it prints the results stored so far, then scores only the items that have none. \"The same command\" means the same dataset bytes (and --mapping), model path, family, policy, --threshold, --top-k, --check and --setting (a setting at its default counts as left out); --sequences, --threads and --cpu may differ. If the model file's content changed since the run started, or the custom guard saved with it (--custom-guard), the run refuses to continue.",
      ].join("\n\n"),
      after: 'Exit status: 0 when every item was scored, 1 when some failed (their lines carry "error"), 130 when interrupted.',
    }),
    new Option("--dataset <file>", ".jsonl or .json in the common record format, or .csv/.json with --mapping").makeOptionMandatory(),
    modelOption(),
    familyOption(),
    customGuardOption(),
    ...policyOptions(),
    ...scoringOptions(),
    familySettingOption(),
    sequencesOption(),
    ...engineOptions(),
    new Option(
      "--mapping <json>",
      'which columns hold what, as JSON: \'{"prompt": "text", "label": "is_harmful"}\' (keys: prompt, response, label, categories, id, labelTrueMeans, and labelValues for a label column with its own values: \'"labelValues": {"unsafe": ["yes"], "safe": ["no"]}\')',
    ).argParser(parseMapping),
    choiceOption("--format <format>", "how to read a --dataset whose name does not say (default: from its extension)", DATASET_FORMATS, {
      mistake: (value) => `--format must be ${DATASET_FORMATS.join(", ")}, not "${value}"`,
    }),
    new Option(
      "--out <file>",
      "also write the whole run, in dataset order, to this file (JSON Lines, or CSV for .csv) once every item has a result; written to a temporary file and renamed, so it is never half-written",
    ),
    new Option("--resume", "only continue an earlier run of this command; fail when there is none"),
    new Option("--new-run", "start a new run even if an earlier one of this command exists"),
    new Option("--retry-failed", "also classify again the items whose classification failed"),
    repeatableOption(
      "--endpoint <url>",
      "score on this inference server instead of locally (repeat for several: they share the items, and one that fails is skipped and probed again); vLLM, llama-server or `guardbench worker`. --model is still needed: its tokenizer builds the exact prompt, sent as token ids. Results are the same format, and a run continues the same way whichever endpoints score the rest of it",
    ),
    choiceOption("--endpoint-kind <kind>", "openai-completions (vLLM, guardbench worker) or llama-server", ENDPOINT_KINDS).default("openai-completions"),
    new Option("--endpoint-model <name>", "the served model name (vLLM's --served-model-name); needed for openai-completions"),
    wholeNumberOption("--endpoint-concurrency <n>", "classifications in flight per endpoint", { min: 1, max: 64 }).default(DEFAULT_ENDPOINT_CONCURRENCY),
    new Option("--api-key-env <variable>", "the name of an environment variable holding the endpoints' API key (never the key itself)"),
    new Option("--local", "with --endpoint: the local engine scores items too"),
  );
}

/** Progress lines on standard error at most this often (plus the last one). */
const PROGRESS_EVERY_MS = 1_000;

export const runCommand: CliCommand = {
  declare,
  async run(args, io) {
    const options = parseOptions(args, io);
    const cli = openCliHost("run", io, { ...(options.threads ? { threads: options.threads } : {}), ...(options.sequences ? { sequences: options.sequences } : {}) });
    try {
      return await runDataset(cli, options, io);
    } catch (error) {
      throw asCliFailure(error);
    } finally {
      cli.dispose();
    }
  },
};

interface RunOptions extends ScoringSettings {
  datasetPath: string;
  modelArg: string;
  family: PromptFamily | undefined;
  /** `--custom-guard`: saved with the model before the run starts */
  customGuardFile: string | undefined;
  policyPath: string | undefined;
  exclude: string | undefined;
  /** `--setting` as given: read once the family is known */
  settings: string[] | undefined;
  sequences: number | undefined;
  threads: number | undefined;
  cpu: boolean;
  mapping: ColumnMapping | undefined;
  format: DatasetFormat | undefined;
  outPath: string | undefined;
  resume: boolean;
  newRun: boolean;
  retryFailed: boolean;
  endpoints: RemoteEndpoint[];
  endpointConcurrency: number;
  local: boolean;
}

interface RunValues extends ModelValues, FamilyValues, CustomGuardValues, PolicyValues, ScoringValues, SequencesValues, EngineValues, FamilySettingValues {
  dataset: string;
  mapping?: ColumnMapping;
  format?: DatasetFormat;
  out?: string;
  resume?: boolean;
  newRun?: boolean;
  retryFailed?: boolean;
  endpoint?: string[];
  endpointKind: EndpointKind;
  endpointModel?: string;
  endpointConcurrency: number;
  apiKeyEnv?: string;
  local?: boolean;
}

function parseOptions(args: string[], io: CliIo): RunOptions {
  const line = parseCommandLine<RunValues>(declare(), args, io);
  const { values } = line;
  if (values.resume && values.newRun) throw new CliUsageError("--resume and --new-run contradict each other; choose one");
  return {
    datasetPath: userPath(io, values.dataset),
    modelArg: values.model,
    family: familyWithCustomGuard(values),
    customGuardFile: values.customGuard,
    policyPath: values.policy,
    exclude: values.exclude,
    settings: values.setting,
    check: values.check,
    threshold: values.threshold,
    topK: values.topK,
    sequences: values.sequences,
    threads: values.threads,
    cpu: values.cpu === true,
    mapping: values.mapping,
    format: values.format,
    outPath: values.out === undefined ? undefined : userPath(io, values.out),
    resume: values.resume === true,
    newRun: values.newRun === true,
    retryFailed: values.retryFailed === true,
    endpoints: parseEndpoints(line, io),
    endpointConcurrency: values.endpointConcurrency,
    local: values.local === true,
  };
}

/** `--endpoint URL …` as RemoteEndpoints named by host and port; the key only ever comes from the environment. */
function parseEndpoints({ values, given }: CommandLine<RunValues>, io: CliIo): RemoteEndpoint[] {
  const urls = values.endpoint ?? [];
  if (urls.length === 0) {
    for (const flag of ["--endpoint-kind", "--endpoint-model", "--api-key-env", "--local", "--endpoint-concurrency"] as const) {
      if (given(flag)) throw new CliUsageError(`${flag} goes with --endpoint URL`);
    }
    return [];
  }
  const kind = values.endpointKind;
  const model = values.endpointModel?.trim() || (kind === "llama-server" ? "default" : undefined);
  if (!model) throw new CliUsageError("--endpoint-model is needed with openai-completions endpoints: the served model name (vLLM's --served-model-name)");
  let apiKey: string | undefined;
  const keyVariable = values.apiKeyEnv;
  if (keyVariable !== undefined) {
    apiKey = io.env[keyVariable]?.trim();
    // The variable's name may be shown; its value never is.
    if (!apiKey) throw new CliUsageError(`--api-key-env ${keyVariable}: that environment variable is not set or empty`);
    if (!/^[\x21-\x7e]+$/.test(apiKey)) throw new CliUsageError(`--api-key-env ${keyVariable}: the key contains spaces, line breaks or other characters a key never has`);
  }
  const endpoints = urls.map((url): RemoteEndpoint => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CliUsageError(`--endpoint ${url}: not a URL; write it like http://gpu-box:8000`);
    }
    // A name may not hold brackets: an IPv6 host is named without them.
    const endpoint: RemoteEndpoint = { name: parsed.host.replace(/[[\]]/g, ""), baseUrl: url, kind, model, ...(apiKey ? { apiKey } : {}) };
    const problem = endpointProblem(endpoint);
    if (problem) throw new CliUsageError(`--endpoint ${printableUrl(parsed)}: ${problem}`);
    return endpoint;
  });
  if (new Set(endpoints.map((endpoint) => endpoint.name)).size !== endpoints.length) throw new CliUsageError("--endpoint names the same server twice");
  return endpoints;
}

/** Checked with the same schema the app's import uses. */
function parseMapping(text: string): ColumnMapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`--mapping is not JSON (${(error as Error).message}); write it like '{"prompt": "text", "label": "is_harmful"}'`);
  }
  const parsed = parseRequest("datasets:import", { path: "-", mapping: json });
  if (!parsed.ok) throw new CliUsageError(`--mapping: ${parsed.error.message.replace(/^invalid datasets:import request: /, "")}`);
  return parsed.value.mapping!;
}

async function runDataset(cli: CliHost, options: RunOptions, io: CliIo): Promise<number> {
  const modelPath = resolveModelPath(options.modelArg, io);
  const family = await resolveFamily(modelPath, options.family);
  const familySettings = parseFamilySettings(options.settings, family);
  const policy = await resolvePolicy(family, options.policyPath, options.exclude, io, warner("run", io));
  const interrupt = untilInterrupted();
  try {
    const dataset = await importDataset(cli, options, io, interrupt.signal);
    if (dataset === undefined) {
      writeLine(io.stderr, `interrupted while importing ${options.datasetPath}; nothing was stored`);
      return 130;
    }
    if (dataset.items === 0) throw new CliFailure(`${options.datasetPath} has no item that can be classified`);
    if (options.customGuardFile !== undefined) await saveCustomGuardFile(cli, modelPath, options.customGuardFile, io);
    // Listening before the start: an item can finish before runs:start has answered.
    const watch = watchRun(cli, io);
    try {
      const started = await startRun(cli, options, { datasetId: dataset.id, modelPath, family, policy, familySettings });
      return await followRun(cli, options, io, started, watch, interrupt.signal);
    } finally {
      watch.dispose();
    }
  } finally {
    interrupt.dispose();
  }
}

/** The dataset through `datasets:import` (the app's import job), reusing an identical earlier import. */
async function importDataset(cli: CliHost, options: RunOptions, io: CliIo, signal: AbortSignal): Promise<DatasetSummary | undefined> {
  const answer = await cli.client.invoke("datasets:import", {
    path: options.datasetPath,
    ...(options.mapping ? { mapping: options.mapping } : {}),
    ...(options.format ? { format: options.format } : {}),
    reuseIdenticalImport: true,
  });
  if (!answer.ok) throw importFailure(answer.error);
  const { jobId } = answer.value;
  const done = await jobDoneUnlessStopped(cli, jobId, signal);
  if (!done) return undefined;
  if (done.kind !== "import") throw new Error(`job ${jobId} is a ${done.kind}, not an import`);
  if (!done.result.ok) throw importFailure(done.result.error);
  const { dataset, badRowCount, badRows, reused } = done.result.value;
  if (!reused) {
    const skipped = badRowCount > 0 ? `; ${badRowCount} bad row(s) skipped: ${badRows.slice(0, 3).map((bad) => `row ${bad.row}: ${bad.reason}`).join("; ")}${badRowCount > 3 ? " …" : ""}` : "";
    writeLine(io.stderr, `imported ${dataset.items} item(s) from ${options.datasetPath} as dataset ${dataset.id}${skipped}`);
  }
  return dataset;
}

function importFailure(error: ResultError): CliFailure {
  const hint = error.code === "unknown-format" ? "name it .jsonl, .ndjson, .csv or .json, or pass --format jsonl, csv or json" : error.hint;
  return new CliFailure(`cannot import ${error.message}${hint ? ` (${hint})` : ""}`);
}

interface RunIdentity {
  datasetId: number;
  modelPath: string;
  family: PromptFamily;
  policy: Policy;
  familySettings: Record<string, boolean>;
}

/**
 * `runs:start` as the command's run: continued when an identical earlier command left one (see the description), the
 * model loaded by the run's job unless endpoints alone score it.
 */
async function startRun(cli: CliHost, options: RunOptions, identity: RunIdentity): Promise<RunStarted> {
  const answer = await cli.client.invoke("runs:start", {
    datasetId: identity.datasetId,
    policy: identity.policy,
    settings: { threshold: options.threshold, topK: options.topK, check: options.check, familySettings: identity.familySettings },
    model: { path: identity.modelPath, family: identity.family, compute: options.cpu ? "cpu" : "auto" },
    earlier: options.newRun ? "new" : options.resume ? "require" : "continue",
    ...(options.retryFailed ? { retryFailed: true } : {}),
    ...(options.endpoints.length > 0 ? { endpointUrls: options.endpoints.map((endpoint) => ({ ...endpoint, concurrency: options.endpointConcurrency })), includeLocal: options.local } : {}),
  });
  if (answer.ok) return answer.value;
  const { error } = answer;
  switch (error.code) {
    case "no-earlier-run":
      throw new CliFailure("--resume: no earlier run of this command (same dataset, model, policy and settings) to continue; leave out --resume to start one");
    case "run-not-resumable":
      throw new CliFailure(`${error.message}; pass --new-run to start over`);
    case "model-changed":
      throw new CliFailure(`${error.message}\nPut the original file back to continue the run, or pass --new-run to start a new run with the changed file.`);
    default:
      throw new CliFailure(errorText(error));
  }
}

interface RunWatch {
  /** set once runs:start answered: what was buffered for this run is printed, the rest as it comes */
  follow(started: RunStarted, labels: ReadonlyMap<number, LabelOf>): void;
  /** items printed from `runs:item` (classified by this command) */
  readonly classifiedNow: number;
  /** prints an earlier result unless its `runs:item` was printed already */
  printEarlier(line: RunResultLine): void;
  dispose(): void;
}

type LabelOf = Pick<RunResultLine, "itemId" | "label">;

/**
 * Standard output holds the whole run: what earlier commands stored first, then each new result as its `runs:item`
 * says it is committed (a line printed is a result that survives a kill). Each item is printed once.
 */
function watchRun(cli: CliHost, io: CliIo): RunWatch {
  const printed = new Set<number>();
  let buffered: RunItemFinished[] = [];
  let following: { started: RunStarted; labels: ReadonlyMap<number, LabelOf> } | undefined;
  let classifiedNow = 0;
  let lastProgressAt = 0;
  let warnedAboutTemplate = false;
  const print = (rowId: number, itemId: string, label: RunResultLine["label"], outcome: ItemOutcome) => {
    if (printed.has(rowId)) return false;
    printed.add(rowId);
    writeLine(io.stdout, JSON.stringify(outputLine({ itemId, ...(label ? { label } : {}), outcome })));
    return true;
  };
  const printFinished = (event: RunItemFinished) => {
    const label = following!.labels.get(event.rowId)?.label;
    if (print(event.rowId, event.itemId, label, event.outcome)) classifiedNow++;
  };
  const disposers = [
    cli.client.on("runs:item", (event) => {
      if (!following) buffered.push(event);
      else if (event.jobId === following.started.jobId) printFinished(event);
    }),
    cli.client.on("runs:endpoint", (event) => {
      if (event.jobId !== following?.started.jobId) return;
      if (event.kind === "suspended") writeLine(io.stderr, `${event.endpoint} suspended (${event.problem}); ${event.requeued} item(s) moved to the others`);
      else writeLine(io.stderr, `${event.endpoint} is back`);
    }),
    // The model the run's job loads is checked against its own chat template, as `classify` says on load.
    cli.client.on("engine:status", (status) => {
      const check = status.state === "ready" ? status.model?.templateCheck : undefined;
      if (warnedAboutTemplate || !(check?.status === "different" || check?.status === "template-error")) return;
      warnedAboutTemplate = true;
      writeLine(io.stderr, `guardbench run: warning: ${check.summary}`);
    }),
    cli.client.on("job:progress", (progress) => {
      if (progress.kind !== "run" || progress.jobId !== following?.started.jobId || progress.phase !== "scoring") return;
      const now = Date.now();
      if (now - lastProgressAt < PROGRESS_EVERY_MS && progress.done < progress.total) return;
      lastProgressAt = now;
      const eta = progress.etaSeconds === null ? "" : `, ETA ${progress.etaSeconds}s`;
      const shares = progress.perEndpoint ? ` [${progress.perEndpoint.map((share) => `${share.name}: ${share.done}${share.state === "suspended" ? " suspended" : ""}`).join(", ")}]` : "";
      writeLine(io.stderr, `run ${progress.runId}: ${progress.done}/${progress.total} done${progress.failed ? ` (${progress.failed} failed)` : ""}, ${progress.itemsPerSecond.toFixed(1)} items/s${eta}${shares}`);
    }),
  ];
  return {
    follow(started, labels) {
      following = { started, labels };
      for (const event of buffered) if (event.jobId === started.jobId) printFinished(event);
      buffered = [];
    },
    get classifiedNow() {
      return classifiedNow;
    },
    printEarlier(line) {
      if (line.outcome) print(line.rowId, line.itemId, line.label, line.outcome);
    },
    dispose() {
      for (const dispose of disposers) dispose();
    },
  };
}

/** `{"id", "label", "score", "flagged", "verdict", "categories"}`, or `{"id", "label", "error"}` for a failed item. */
function outputLine({ itemId, label, outcome }: { itemId: string; label?: RunResultLine["label"]; outcome?: ItemOutcome | undefined }): Record<string, unknown> {
  return { id: itemId, ...(label ? { label } : {}), ...outcomeFields(outcome) };
}

async function followRun(cli: CliHost, options: RunOptions, io: CliIo, started: RunStarted, watch: RunWatch, signal: AbortSignal): Promise<number> {
  const { runId, jobId } = started;
  const done = cli.jobDone(jobId);
  const before = await cli.call("runs:get", { runId });
  if (started.continued) writeLine(io.stderr, `continuing run ${runId}: ${started.continued.results} of ${before.counts.items} item(s) already have a result`);
  else {
    const reused = started.reusedScores ? `; ${started.reusedScores.count} score(s) taken from run ${started.reusedScores.fromRunId}, which differs only by its threshold` : "";
    writeLine(io.stderr, `started run ${runId} on ${before.counts.items} item(s)${reused}`);
  }
  if (options.endpoints.length > 0) writeLine(io.stderr, `scoring on ${[...options.endpoints.map((endpoint) => endpoint.name), ...(options.local ? [LOCAL_MEMBER_NAME] : [])].join(", ")}`);

  // Each outcome comes flagged at the run's threshold already.
  const { items } = await cli.call("runs:results", { runId });
  watch.follow(started, new Map(items.map((line) => [line.rowId, line])));
  // A failure being classified again is printed when its new result comes.
  for (const line of items) if (!(options.retryFailed && line.outcome?.ok === false)) watch.printEarlier(line);

  const interrupted = new Promise<"interrupted">((resolve) => {
    if (signal.aborted) resolve("interrupted");
    else signal.addEventListener("abort", () => resolve("interrupted"), { once: true });
  });
  const finished = await Promise.race([done, interrupted]);
  if (finished === "interrupted") {
    // Paused, then stopped as a shutdown stops it: the items in flight are abandoned, the run stays resumable.
    await cli.client.invoke("job:pause", { jobId });
    await cli.running.host.stopJobs();
    const { counts } = await cli.call("runs:get", { runId });
    writeLine(io.stderr, `interrupted: run ${runId} has ${counts.scored + counts.failed} of ${counts.items} results stored; run the same command again to continue${options.outPath ? ` (${options.outPath} is written once the run is complete)` : ""}`);
    return 130;
  }
  if (!finished.result.ok) throw new CliFailure(`run ${runId} stopped: ${errorText(finished.result.error)}`);

  const run = await cli.call("runs:get", { runId });
  if (options.outPath) await writeWholeRun(cli, runId, options.outPath);
  const classifiedNow = watch.classifiedNow;
  writeLine(
    io.stderr,
    `run ${runId} done: ${run.counts.scored} scored, ${run.counts.failed} failed; ${classifiedNow} classified now, ${run.counts.items - classifiedNow} from earlier${run.counts.failed > 0 ? " (--retry-failed classifies the failed ones again)" : ""}`,
  );
  return run.counts.failed > 0 ? 1 : 0;
}

async function writeWholeRun(cli: CliHost, runId: number, path: string): Promise<void> {
  const { items } = await cli.call("runs:results", { runId });
  const csv = extname(path).toLowerCase() === ".csv";
  await exportResults(items.map(outputLine), csv ? "csv" : "jsonl", path, csv ? { columns: ["id", "label", "score", "flagged", "verdict", "categories", "error"] } : {});
}

/** The typed errors of the parts this command drives, as one line (and its hint) for the terminal. */
function asCliFailure(error: unknown): unknown {
  if (error instanceof CliFailure || error instanceof CliUsageError) return error;
  if (error instanceof CodedError) return new CliFailure(error.toText());
  return error;
}
