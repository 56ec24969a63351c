import { resolveModelPath } from "../modelArgument.ts";
import { extname } from "node:path";
import { Option } from "commander";
import { DATASET_FORMATS, type ColumnMapping, type DatasetFormat } from "../../../shared/datasets/index.ts";
import { parseRequest, type RunSummary } from "../../../shared/ipc/contract.ts";
import { DatasetImportError } from "../../datasets/import.ts";
import { exportResults } from "../../datasets/export.ts";
import { cliRunKey, type ScoringSettings } from "../../runs/cliRunKey.ts";
import { importIntoStore } from "../../datasets/storeImport.ts";
import { RunError, RunStopped } from "../../runs/errors.ts";
import { labelFields, resultFields } from "../../evaluation/exportRows.ts";
import { assertRunModelUnchanged } from "../../runs/modelCheck.ts";
import { RunStop, type RunExecutionOutcome, type RunProgress } from "../../runs/runExecutor.ts";
import { joinedItems } from "../../runs/runItems.ts";
import { DEFAULT_ENDPOINT_CONCURRENCY, type GuardbenchStore, type ItemOutcomeRecord, type ResultLine } from "../../store/index.ts";
import type { EndpointProgress } from "../../../shared/ipc/contract.ts";
import type { PromptFamily } from "../../../shared/taxonomy/index.ts";
import { ENDPOINT_KINDS, type EndpointKind, type RemoteEndpoint } from "../../../shared/remote/endpoint.ts";
import { printableUrl } from "../../engine/remote/http.ts";
import { ModelVocabulary } from "../../engine/remote/promptEncoding.ts";
import { endpointProblem } from "../../engine/remote/remoteEngine.ts";
import { defineCommand, parseCommandLine, withOptions, type CommandLine } from "../arguments.ts";
import { CliFailure, CliUsageError, writeLine, type CliCommand, type CliIo, userPath } from "../command.ts";
import { resolveFamily, resolvePolicy, warner } from "../conversationInput.ts";
import {
  choiceOption,
  engineOptions,
  familyOption,
  modelOption,
  policyOptions,
  repeatableOption,
  scoringOptions,
  sequencesOption,
  wholeNumberOption,
  type EngineValues,
  type FamilyValues,
  type ModelValues,
  type PolicyValues,
  type ScoringValues,
  type SequencesValues,
} from "../options.ts";
import { CodedError, errorText } from "../../../shared/errors/codedError.ts";
import { hostRunEngine, loadModel, openCliHost, type CliHost } from "../cliHost.ts";
import { createRun, scoreRun, type RunScorers } from "../../runs/runService.ts";
import { LOCAL_MEMBER_NAME } from "../../runs/poolExecutor.ts";

function declare() {
  return withOptions(
    defineCommand("run", {
      summary: "classify a whole dataset, stored and resumable (one JSON line per item)",
      description: [
        'Classifies every item of a dataset and prints one JSON line per item: {"id", "label", "score", "flagged", "verdict", "categories"}, where score is P(unsafe), or {"id", "label", "error"} for an item whose classification failed. Lines come as items finish; progress goes to standard error. The output reads straight into `guardbench eval --results`.',
        "The run is stored in GUARDBENCH_HOME (default ~/.guardbench), each result as it finishes. Running the same command again continues where it stopped (after Ctrl+C, a crash or a kill): it prints the results stored so far, then scores only the items that have none. \"The same command\" means the same dataset bytes (and --mapping), model path, family, policy, --threshold, --top-k and --check; --sequences, --threads and --cpu may differ. If the model file's content changed since the run started, the run refuses to continue.",
      ].join("\n\n"),
      after: 'Exit status: 0 when every item was scored, 1 when some failed (their lines carry "error"), 130 when interrupted.',
    }),
    new Option("--dataset <file>", ".jsonl or .json in the common record format, or .csv/.json with --mapping").makeOptionMandatory(),
    modelOption(),
    familyOption(),
    ...policyOptions(),
    ...scoringOptions(),
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
  policyPath: string | undefined;
  exclude: string | undefined;
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

interface RunValues extends ModelValues, FamilyValues, PolicyValues, ScoringValues, SequencesValues, EngineValues {
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
    family: values.family,
    policyPath: values.policy,
    exclude: values.exclude,
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
    const endpoint: RemoteEndpoint = { name: parsed.host, baseUrl: url, kind, model, ...(apiKey ? { apiKey } : {}) };
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
  const { store } = cli.running;
  const modelPath = resolveModelPath(options.modelArg, io);
  const family = await resolveFamily(modelPath, options.family);
  const policy = await resolvePolicy(family, options.policyPath, options.exclude, io, warner("run", io));

  const imported = await importIntoStore(store, {
    path: options.datasetPath,
    ...(options.mapping ? { mapping: options.mapping } : {}),
    ...(options.format ? { format: options.format } : {}),
    reuseIdenticalImport: true,
  });
  const dataset = imported.dataset;
  if (!imported.reused) {
    const skipped = imported.badRowCount > 0 ? `; ${imported.badRowCount} bad row(s) skipped: ${imported.badRows.slice(0, 3).map((bad) => `row ${bad.row}: ${bad.reason}`).join("; ")}${imported.badRowCount > 3 ? " …" : ""}` : "";
    writeLine(io.stderr, `imported ${dataset.items} item(s) from ${options.datasetPath} as dataset ${dataset.id}${skipped}`);
  }
  if (dataset.items === 0) throw new CliFailure(`${options.datasetPath} has no item that can be classified`);

  const settings: ScoringSettings = { threshold: options.threshold, topK: options.topK, check: options.check };
  const runKey = cliRunKey({ datasetId: dataset.id, modelPath, family, policy, ...settings });
  const earlier = options.newRun ? undefined : store.runs.findByKey(runKey);
  if (options.resume && earlier === undefined) throw new CliFailure("--resume: no earlier run of this command (same dataset, model, policy and settings) to continue; leave out --resume to start one");

  let run: RunSummary;
  if (earlier !== undefined) {
    run = store.runs.get(earlier);
    if (run.state === "cancelled") throw new CliFailure(`run ${run.id} of this command was cancelled in the app; pass --new-run to start over`);
    await assertRunModelUnchanged(store, run).catch((error: unknown) => {
      if (error instanceof RunError && error.code === "model-changed") throw new CliFailure(`${error.message}\nPut the original file back to continue run ${run.id}, or pass --new-run to start a new run with the changed file.`);
      throw error;
    });
    writeLine(io.stderr, `continuing run ${run.id}: ${run.counts.scored + run.counts.failed} of ${run.counts.items} item(s) already have a result`);
  } else {
    const { runId, reusedScores: reused } = await createRun(store, {
      datasetId: dataset.id,
      model: { path: modelPath, family },
      policy,
      // The engine's actual parallelism replaces this once it has loaded (executeRun records it).
      settings: {
        ...settings,
        sequences: options.sequences ?? 1,
        ...(options.endpoints.length > 0 ? { endpoints: options.endpoints.map((endpoint) => endpoint.name), includeLocal: options.local } : {}),
      },
      origin: "cli",
      runKey,
    });
    run = store.runs.get(runId);
    const reusedNote = reused ? `; ${reused.count} score(s) taken from run ${reused.fromRunId}, which differs only by its threshold` : "";
    writeLine(io.stderr, `started run ${runId} on ${dataset.items} item(s)${reusedNote}`);
  }

  const pending = store.runs.pendingItems(run.id, { retryFailed: options.retryFailed });
  const items = joinedItems(store, dataset.id, run);
  const pendingRows = new Set(pending.map((item) => item.rowId));
  // Standard output holds the whole run: what earlier invocations stored first, then each new result as it finishes.
  for (const item of items) if (item.result && !pendingRows.has(item.rowId)) writeLine(io.stdout, JSON.stringify({ ...labelFields(item), ...resultFields(item.result, run.settings.threshold) }));

  let scoredNow = 0;
  // Every item already has a result (its scores were all reused, or a kill came after the last one was stored).
  if (pending.length === 0 && run.state === "running") store.runs.setState(run.id, "done");
  if (pending.length > 0) {
    const outcome = await scorePending(cli, run, modelPath, options, io, new Map(items.map((item) => [item.rowId, item])));
    scoredNow = outcome.scoredNow + outcome.failedNow;
    if (outcome.state === "paused") {
      writeLine(io.stderr, `interrupted: run ${run.id} has ${outcome.alreadyDone + scoredNow} of ${run.counts.items} results stored; run the same command again to continue${options.outPath ? ` (${options.outPath} is written once the run is complete)` : ""}`);
      return 130;
    }
    if (outcome.stopReason) throw new CliFailure(`run ${run.id} stopped: ${outcome.stopReason.message}${outcome.stopReason.hint ? `\n${outcome.stopReason.hint}` : ""}`);
  }

  const finished = store.runs.get(run.id);
  if (options.outPath) await writeWholeRun(store, finished, options.outPath);
  const earlierCount = finished.counts.items - scoredNow;
  writeLine(
    io.stderr,
    `run ${run.id} done: ${finished.counts.scored} scored, ${finished.counts.failed} failed; ${scoredNow} classified now, ${earlierCount} from earlier${finished.counts.failed > 0 ? " (--retry-failed classifies the failed ones again)" : ""}`,
  );
  return finished.counts.failed > 0 ? 1 : 0;
}

async function scorePending(cli: CliHost, run: RunSummary, modelPath: string, options: RunOptions, io: CliIo, itemsByRow: Map<number, ReturnType<typeof joinedItems>[number]>): Promise<RunExecutionOutcome> {
  const { store } = cli.running;
  const stopper = new AbortController();
  const interrupt = () => stopper.abort(new RunStop("pause"));
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  // Printed only after the result is committed: a line on standard output is a result that survives a kill.
  const printItem = ({ rowId, outcome }: { rowId: number; outcome: ItemOutcomeRecord }) => {
    const result: ResultLine = outcome.ok
      ? { itemRowId: rowId, score: outcome.result.score, verdict: outcome.result.verdict, categories: outcome.result.categories }
      : { itemRowId: rowId, error: outcome.error };
    writeLine(io.stdout, JSON.stringify({ ...labelFields(itemsByRow.get(rowId)!), ...resultFields(result, run.settings.threshold) }));
  };
  let lastProgressAt = 0;
  const showProgress = (progress: RunProgress & { perEndpoint?: EndpointProgress[] }) => {
    const now = Date.now();
    if (now - lastProgressAt < PROGRESS_EVERY_MS && progress.done < progress.total) return;
    lastProgressAt = now;
    const eta = progress.etaSeconds === null ? "" : `, ETA ${progress.etaSeconds}s`;
    const shares = progress.perEndpoint ? ` [${progress.perEndpoint.map((share) => `${share.name}: ${share.done}${share.state === "suspended" ? " suspended" : ""}`).join(", ")}]` : "";
    writeLine(io.stderr, `run ${run.id}: ${progress.done}/${progress.total} done${progress.failed ? ` (${progress.failed} failed)` : ""}, ${progress.itemsPerSecond.toFixed(1)} items/s${eta}${shares}`);
  };
  try {
    // The local engine scores unless endpoints alone do (then only the model's tokenizer is read, never its weights).
    let local: RunScorers["local"];
    if (options.endpoints.length === 0 || options.local) {
      const loaded = await loadModel(cli, { path: modelPath, family: run.model.family, compute: options.cpu ? "cpu" : "auto" }, stopper.signal);
      if (!loaded) return interruptedBeforeScoring(store, run);
      local = { engine: hostRunEngine(cli), concurrency: cli.running.engine.model?.sequences ?? 1 };
    }
    if (options.endpoints.length > 0) {
      store.runs.recordScorers(run.id, options.endpoints.map((endpoint) => endpoint.name), options.local);
      writeLine(io.stderr, `scoring on ${[...options.endpoints.map((endpoint) => endpoint.name), ...(local ? [LOCAL_MEMBER_NAME] : [])].join(", ")}`);
    }
    return await scoreRun(
      store,
      run.id,
      {
        ...(local ? { local } : {}),
        endpoints: options.endpoints.map((endpoint) => ({ endpoint, concurrency: options.endpointConcurrency })),
        openVocabulary: (path, family) => ModelVocabulary.open(path, family),
        poolOptions: poolOptionsFromEnv(io.env),
        refuseOtherModels: true,
      },
      {
        retryFailed: options.retryFailed,
        signal: stopper.signal,
        onProgress: showProgress,
        onItem: printItem,
        onEvent: (event) => {
          if (event.kind === "suspended") writeLine(io.stderr, `${event.endpoint} suspended (${event.problem}); ${event.requeued} item(s) moved to the others`);
          else if (event.kind === "recovered") writeLine(io.stderr, `${event.endpoint} is back`);
        },
      },
    );
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
}

/** What an interrupt before the first item leaves: every stored result as it was, the run resumable. */
function interruptedBeforeScoring(store: GuardbenchStore, run: RunSummary): RunExecutionOutcome {
  const { scored, failed } = store.runs.get(run.id).counts;
  return { state: "paused", scoredNow: 0, failedNow: 0, alreadyDone: scored + failed };
}

/**
 * GUARDBENCH_PROBE_DELAY_MS: the first re-probe of a failed endpoint (default 5 s); GUARDBENCH_ALL_DOWN_TIMEOUT_MS: how
 * long every endpoint may stay down before the run stops, resumable (default 5 min).
 */
function poolOptionsFromEnv(env: NodeJS.ProcessEnv): { probeDelayMs?: number; allDownTimeoutMs?: number } {
  const positive = (text: string | undefined) => {
    const value = Number(text);
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const probeDelayMs = positive(env.GUARDBENCH_PROBE_DELAY_MS);
  const allDownTimeoutMs = positive(env.GUARDBENCH_ALL_DOWN_TIMEOUT_MS);
  return { ...(probeDelayMs ? { probeDelayMs } : {}), ...(allDownTimeoutMs ? { allDownTimeoutMs } : {}) };
}

async function writeWholeRun(store: GuardbenchStore, run: RunSummary, path: string): Promise<void> {
  const rows = joinedItems(store, run.datasetId, run).map((item) => ({ ...labelFields(item), ...resultFields(item.result, run.settings.threshold) }));
  const csv = extname(path).toLowerCase() === ".csv";
  await exportResults(rows, csv ? "csv" : "jsonl", path, csv ? { columns: ["id", "label", "score", "flagged", "verdict", "categories", "error"] } : {});
}

/** The typed errors of the parts this command drives, as one line (and its hint) for the terminal. */
function asCliFailure(error: unknown): unknown {
  if (error instanceof CliFailure || error instanceof CliUsageError) return error;
  if (error instanceof DatasetImportError) {
    const hint = error.code === "unknown-format" ? "name it .jsonl, .ndjson, .csv or .json, or pass --format jsonl, csv or json" : error.hint;
    return new CliFailure(`cannot import ${error.message}${hint ? ` (${hint})` : ""}`);
  }
  if (error instanceof CodedError) return new CliFailure(error.toText());
  if (error instanceof RunStopped) return new CliFailure(errorText(error.reason));
  return error;
}
