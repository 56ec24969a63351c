import { canonicalJson } from "../../../shared/format/canonicalJson.ts";
import { Option } from "commander";
import { LineSplitter, describeValue, isRecord, normalizeLabel, type SafetyLabel } from "../../../shared/datasets/index.ts";
import { METRIC_NAMES, evaluateScores, type ScoreEvaluation, type ScoredItem } from "../../../shared/metrics/index.ts";
import { DatasetImportError, importDataset, type ImportSummary } from "../../datasets/import.ts";
import { TextFileError, readTextChunks } from "../../datasets/textFile.ts";
import { defineCommand, parseCommandLine, withOptions } from "../arguments.ts";
import { CliFailure, CliUsageError, writeLine, type CliCommand, type CliIo, userPath } from "../command.ts";
import { jsonOption, thresholdOption, wholeNumberOption, type JsonValues } from "../options.ts";
import { openCliHost } from "../cliHost.ts";
import { MAX_SIDE_BY_SIDE_RUNS } from "../../../shared/ipc/contract.ts";

interface EvalValues extends JsonValues {
  results?: string;
  run?: number;
  runs?: number[];
  labels?: string;
  threshold: number;
}

function declare() {
  return withOptions(
    defineCommand("eval", {
      summary: "measure a classification run against labels (precision, recall, F1, FPR, AUPRC)",
      description: "Measures a classification run against labels: precision, recall, F1, false-positive rate (FPR) and AUPRC (average precision, as scikit-learn computes it).",
      after:
        'Lines whose classification failed (an "error" object) or that have no label are skipped and listed. A line that is not JSON, has no score or has an unreadable label stops the command with its line number. A metric whose denominator is zero is n/a (null in JSON), with the reason on standard error.',
    }).usage("(--results <file> | --run <id> | --runs <id,id,…>) [options]"),
    new Option(
      "--results <file>",
      'JSON Lines with one {"id", "label", "score"} object per line; "pUnsafe" is read when there is no "score", so the output of `guardbench classify --input data.jsonl` can be passed as it is',
    ),
    wholeNumberOption("--run <id>", "instead of --results: a run stored in GUARDBENCH_HOME (`guardbench run`, or the app's Runs screen), measured through the app's eval:metrics with its current labels", { min: 1, max: Number.MAX_SAFE_INTEGER }),
    new Option(
      "--runs <ids>",
      `instead: two to ${MAX_SIDE_BY_SIDE_RUNS} stored runs of one dataset side by side (eval:side-by-side, as the Evaluation screen shows them): each run's metrics at its own threshold (or --threshold for all), and where they disagree`,
    ).argParser(parseRunIds),
    new Option(
      "--labels <file>",
      'a dataset (.jsonl or .json in the common record format) whose labels are joined to the results by id, for results that carry no "label" (classify\'s output has none)',
    ),
    thresholdOption("the score at or above which an item counts as flagged"),
    jsonOption("one JSON object {precision, recall, f1, fpr, auprc, counts} instead of a table"),
  );
}

interface SkippedLine {
  line: number;
  reason: string;
}

interface ResultsRead {
  items: ScoredItem[];
  skipped: SkippedLine[];
}

/** How many skipped lines are listed one by one; the rest are counted. */
const LISTED_SKIPS = 10;

/** A result's id: `key` compares ids by value (objects too), `shown` names it, `label` is what --labels is keyed by. */
interface ResultId {
  key: string;
  shown: string;
  /** text and number ids only: a dataset's ids are never objects */
  label?: string;
}

/**
 * Text and numbers are the ids a dataset gives (`7` and `"7"` are one id, as the importer reads them). Any other JSON
 * (classify passes a dataset line's id through as it is) is compared by its canonical JSON, so `{"a": 1, "b": 2}`
 * repeats `{"b": 2, "a": 1}`.
 */
function resultId(value: unknown): ResultId | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return { key: `=${value}`, shown: JSON.stringify(value), label: value };
  if (typeof value === "number" && Number.isFinite(value)) return { key: `=${value}`, shown: JSON.stringify(String(value)), label: String(value) };
  const canonical = canonicalJson(value);
  return { key: `json:${canonical}`, shown: canonical };
}

/** The score of a result line: "score", else "pUnsafe" (classify's output), or why there is none. */
function readScore(value: Record<string, unknown>): { ok: true; score: number } | { ok: false; problem: string } {
  const field = value.score !== undefined && value.score !== null ? "score" : "pUnsafe";
  const score = value[field];
  if (score === undefined || score === null) return { ok: false, problem: 'has no score: expected a number in "score" or "pUnsafe"' };
  if (typeof score !== "number") return { ok: false, problem: `has ${describeValue(score)} as its "${field}", not a number` };
  // JSON.parse reads 1e400 as Infinity: the file holds a number, just not one a probability can be.
  if (!Number.isFinite(score)) return { ok: false, problem: `has a "${field}" that is not a finite number (a value such as 1e400 is too large to hold)` };
  if (score < 0 || score > 1) return { ok: false, problem: `has the score ${score}; scores are probabilities P(unsafe) from 0 to 1` };
  return { ok: true, score };
}

/** id → label from a dataset file, streamed: the conversations themselves are not kept. */
async function readLabels(path: string, source: string): Promise<{ labels: Map<string, SafetyLabel>; warning?: string }> {
  const labels = new Map<string, SafetyLabel>();
  let summary: ImportSummary;
  try {
    const dataset = importDataset(path);
    for await (const item of dataset) if (item.label) labels.set(item.id, item.label);
    summary = dataset.summary;
  } catch (error) {
    if (!(error instanceof DatasetImportError)) throw error;
    if (error.code === "unknown-format") throw new CliFailure(`cannot read the labels in ${source}: ${error.message}; --labels takes a .jsonl or .json dataset, so rename the file`);
    const format = error.code === "mapping-required" ? ' --labels takes a dataset in the common record format ({"id", "messages", "label"} per row).' : "";
    throw new CliFailure(`cannot read the labels in ${source}: ${error.message}${error.hint ? ` (${error.hint})` : ""}.${format}`);
  }
  const { badRowCount, badRows } = summary;
  if (badRowCount === 0) return { labels };
  const first = badRows[0]!;
  return { labels, warning: `${source}: ${badRowCount} row(s) could not be read and give no label (the first, row ${first.row}: ${first.reason})` };
}

type ResultLine = { kind: "scored"; id: ResultId | undefined; item: ScoredItem } | ({ kind: "skipped" } & SkippedLine);

/** One result line: scored, skipped (with why), or a CliFailure naming the line. */
function readResultLine(text: string, line: number, source: string, labels: Map<string, SafetyLabel> | undefined): ResultLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliFailure(`${source} line ${line} is not JSON (${(error as Error).message}); --results takes JSON Lines, one result object per line`);
  }
  if (!isRecord(value)) throw new CliFailure(`${source} line ${line} is not a JSON object; each line must be a result such as {"id": "a", "label": "unsafe", "score": 0.93}`);
  if (value.error !== undefined && value.error !== null) {
    const error = isRecord(value.error) ? value.error : {};
    const detail = typeof error.message === "string" ? `: ${error.message}` : "";
    return { kind: "skipped", line, reason: `its classification failed${typeof error.code === "string" ? ` (${error.code})` : ""}${detail}` };
  }
  const read = readScore(value);
  if (!read.ok) throw new CliFailure(`${source} line ${line} ${read.problem}`);
  const { score } = read;

  const id = resultId(value.id);
  const reading = normalizeLabel(value.label);
  if (!reading.ok) throw new CliFailure(`${source} line ${line}: ${reading.reason}`);
  const joined = id?.label !== undefined ? labels?.get(id.label) : undefined;
  if (reading.label && joined && reading.label !== joined) {
    throw new CliFailure(`${source} line ${line} (id ${id!.shown}) is labeled ${reading.label}, but --labels says ${joined}; fix one of them`);
  }
  const label = reading.label ?? joined;
  if (label) return { kind: "scored", id, item: { score, label } };
  if (labels === undefined) return { kind: "skipped", line, reason: 'it has no "label" (pass --labels dataset.jsonl to join labels by id)' };
  if (id === undefined) return { kind: "skipped", line, reason: "it has no label and no id to look one up in --labels" };
  if (id.label === undefined) return { kind: "skipped", line, reason: `it has no label, and its id ${id.shown} is not text or a number, which the ids in --labels are` };
  return { kind: "skipped", line, reason: `it has no label, and --labels has none for the id ${id.shown}` };
}

async function readResults(path: string, source: string, labels: Map<string, SafetyLabel> | undefined): Promise<ResultsRead> {
  const items: ScoredItem[] = [];
  const skipped: SkippedLine[] = [];
  const linesOfIds = new Map<string, number>();
  const splitter = new LineSplitter();
  const take = (lines: { text: string; line: number }[]): void => {
    for (const { text, line } of lines) {
      if (text.trim() === "") continue;
      const result = readResultLine(text, line, source, labels);
      if (result.kind === "skipped") {
        skipped.push({ line: result.line, reason: result.reason });
        continue;
      }
      if (result.id !== undefined) {
        const earlier = linesOfIds.get(result.id.key);
        if (earlier !== undefined) throw new CliFailure(`${source} line ${line} repeats the id ${result.id.shown} of line ${earlier}; --results must hold one run, each item once`);
        linesOfIds.set(result.id.key, line);
      }
      items.push(result.item);
    }
  };
  try {
    // A pipe is fine here: the path was typed at the user's shell (`--results <(guardbench classify …)`).
    for await (const chunk of readTextChunks(path, { allowPipes: true })) take(splitter.push(chunk.text));
    take(splitter.end());
  } catch (error) {
    if (error instanceof TextFileError) throw new CliFailure(`cannot read the results: ${error.message}${error.hint ? ` (${error.hint})` : ""}`);
    throw error;
  }
  return { items, skipped };
}

function formatMetric(value: number | null): string {
  return value === null ? "n/a" : value.toFixed(4);
}

function describeSkipped(skipped: SkippedLine[]): string[] {
  const listed = skipped.slice(0, LISTED_SKIPS).map(({ line, reason }) => `  line ${line}: skipped, ${reason}`);
  if (skipped.length > LISTED_SKIPS) listed.push(`  … and ${skipped.length - LISTED_SKIPS} more skipped line(s)`);
  return listed;
}

function nullReasonLines(evaluation: ScoreEvaluation): string[] {
  return METRIC_NAMES.flatMap((name) => {
    const reason = evaluation.nullReasons[name];
    return reason ? [`  ${name} n/a: ${reason}`] : [];
  });
}

/**
 * What the metrics did not count: a results file's skipped lines, or a stored run's items without a label or a score.
 * `notes` name them (one line each, or a summary).
 */
interface LeftOut {
  count: number;
  /** what the count is of, as the table's first line says it: "line(s) skipped", "item(s) not counted" */
  what: string;
  notes: string[];
}

function printTable(evaluation: ScoreEvaluation, leftOut: LeftOut, source: string, io: CliIo): void {
  const { tp, fp, tn, fn, total } = evaluation.counts;
  const cell = (name: string, count: number) => `${name} ${count}`.padEnd(16);
  const lines = [
    `${source}: ${total} item(s) evaluated at threshold ${evaluation.threshold}${leftOut.count ? `, ${leftOut.count} ${leftOut.what}` : ""}`,
    "",
    `  precision  ${formatMetric(evaluation.precision)}`,
    `  recall     ${formatMetric(evaluation.recall)}`,
    `  f1         ${formatMetric(evaluation.f1)}`,
    `  fpr        ${formatMetric(evaluation.fpr)}`,
    `  auprc      ${formatMetric(evaluation.auprc)}   (average precision; threshold-free)`,
    "",
    `                 ${"labeled unsafe".padEnd(16)}labeled safe`,
    `  flagged        ${cell("tp", tp)}${cell("fp", fp)}`,
    `  not flagged    ${cell("fn", fn)}${cell("tn", tn)}`,
  ];
  const nullReasons = nullReasonLines(evaluation);
  if (nullReasons.length > 0) lines.push("", ...nullReasons);
  if (leftOut.notes.length > 0) lines.push("", ...leftOut.notes);
  writeLine(io.stdout, lines.map((line) => line.trimEnd()).join("\n"));
}

export const evalCommand: CliCommand = {
  declare,
  async run(args, io) {
    const { values, given } = parseCommandLine<EvalValues>(declare(), args, io);
    const { threshold } = values;
    const sources = [values.results, values.run, values.runs].filter((source) => source !== undefined).length;
    if (sources === 0) throw new CliUsageError("--results is required (or --run ID, a stored run, or --runs ID,ID,… side by side)");
    if (sources > 1) throw new CliUsageError("give one of --results FILE, --run ID and --runs ID,ID,…");
    if (values.runs !== undefined) {
      if (values.labels !== undefined) throw new CliUsageError("--labels goes with --results: stored runs' labels are their dataset's");
      return compareStoredRuns(values.runs, given("--threshold") ? threshold : undefined, values.json ?? false, io);
    }
    if (values.run !== undefined) {
      if (values.labels !== undefined) throw new CliUsageError("--labels goes with --results: a stored run's labels are its dataset's");
      return evaluateStoredRun(values.run, threshold, values.json ?? false, io);
    }
    const results = values.results!;

    let labels: Map<string, SafetyLabel> | undefined;
    if (values.labels !== undefined) {
      const read = await readLabels(userPath(io, values.labels), values.labels);
      labels = read.labels;
      if (read.warning) writeLine(io.stderr, `guardbench eval: ${read.warning}`);
    }
    const { items, skipped } = await readResults(userPath(io, results), results, labels);
    if (items.length === 0) {
      const why = skipped.length > 0 ? `; ${skipped.length} line(s) skipped:\n${describeSkipped(skipped).join("\n")}` : " (the file has no result lines)";
      throw new CliFailure(`no line of ${results} has both a score and a label, so there is nothing to measure${why}`);
    }
    const evaluation = evaluateScores(items, threshold);
    printEvaluation(evaluation, { count: skipped.length, what: "line(s) skipped", notes: describeSkipped(skipped) }, results, values.json ?? false, io);
    return 0;
  },
};

/** The run's metrics as the app's Evaluation screen reads them (`eval:metrics`), at `threshold`. */
async function evaluateStoredRun(runId: number, threshold: number, json: boolean, io: CliIo): Promise<number> {
  const cli = openCliHost("eval", io);
  try {
    const { evaluation, coverage } = await cli.call("eval:metrics", { runId, threshold });
    const notCounted = coverage.items - coverage.evaluated;
    const notes = notCounted > 0 ? [`  ${coverage.unlabeled} item(s) without a label, ${coverage.failed} failed, ${coverage.unscored} without a result: not counted`] : [];
    if (evaluation.counts.total === 0) throw new CliFailure(`run ${runId} has no item with both a score and a label, so there is nothing to measure\n${notes.join("\n")}`);
    printEvaluation(evaluation, { count: notCounted, what: "item(s) not counted", notes }, `run ${runId}`, json, io);
    return 0;
  } finally {
    cli.dispose();
  }
}

/** `--runs 3,4,7` as run ids. */
function parseRunIds(text: string): number[] {
  const ids = text.split(",").map((part) => part.trim());
  if (ids.some((id) => !/^[1-9][0-9]*$/.test(id))) throw new CliUsageError(`--runs takes run ids separated by commas, like 3,4; not "${text}"`);
  return ids.map(Number);
}

/** Several stored runs as the Evaluation screen's Side by side reads them (`eval:side-by-side`). */
async function compareStoredRuns(runIds: number[], threshold: number | undefined, json: boolean, io: CliIo): Promise<number> {
  const cli = openCliHost("eval", io);
  try {
    const report = await cli.call("eval:side-by-side", { runIds, ...(threshold !== undefined ? { threshold } : {}) });
    if (json) {
      writeLine(io.stdout, JSON.stringify(report));
      return 0;
    }
    const width = Math.max(...report.runs.map((run) => `run ${run.runId}`.length));
    const lines = [
      `${report.runs.length} runs of dataset ${report.datasetId} side by side`,
      "",
      `  ${"".padEnd(width)}  threshold  precision  recall  f1      fpr     auprc   counted`,
      ...report.runs.map(
        ({ runId, threshold: at, evaluation, evaluated, items }) =>
          `  ${`run ${runId}`.padEnd(width)}  ${String(at).padEnd(9)}  ${formatMetric(evaluation.precision).padEnd(9)}  ${formatMetric(evaluation.recall).padEnd(6)}  ${formatMetric(evaluation.f1).padEnd(6)}  ${formatMetric(evaluation.fpr).padEnd(6)}  ${formatMetric(evaluation.auprc).padEnd(6)}  ${evaluated}/${items}`,
      ),
      "",
      `  ${report.agreement.compared} item(s) scored by every run; ${report.agreement.unanimous} flagged alike by all, ${report.agreement.disagreementCount} not`,
      ...report.agreement.pairs.map(({ runIds: [a, b], agreed, compared, kappa }) => `  run ${a} · run ${b}: agree on ${agreed} of ${compared}, kappa ${formatMetric(kappa)}`),
      ...report.runs.map((run) => `  run ${run.runId}: ${run.name}`),
    ];
    writeLine(io.stdout, lines.map((line) => line.trimEnd()).join("\n"));
    return 0;
  } finally {
    cli.dispose();
  }
}

/** The table, or with --json one object on stdout and the notes on stderr. */
function printEvaluation(evaluation: ScoreEvaluation, leftOut: LeftOut, source: string, json: boolean, io: CliIo): void {
  if (!json) return printTable(evaluation, leftOut, source, io);
  const { precision, recall, f1, fpr, auprc, counts } = evaluation;
  writeLine(io.stdout, JSON.stringify({ precision, recall, f1, fpr, auprc, counts: { tp: counts.tp, fp: counts.fp, tn: counts.tn, fn: counts.fn, total: counts.total, skipped: leftOut.count } }));
  // Standard output stays one JSON object; what a person needs to know about it goes to standard error.
  const lines = [...nullReasonLines(evaluation), ...leftOut.notes];
  if (lines.length > 0) writeLine(io.stderr, lines.join("\n"));
}
