import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { LineSplitter, isRecord, normalizeLabel, type SafetyLabel } from "../../../shared/datasets/index.ts";
import { METRIC_NAMES, evaluateScores, type ScoreEvaluation, type ScoredItem } from "../../../shared/metrics/index.ts";
import { DatasetImportError, importDataset, type ImportSummary } from "../../datasets/import.ts";
import { TextFileError, readTextChunks } from "../../datasets/textFile.ts";
import { CliFailure, CliUsageError, writeLine, type CliCommand, type CliIo } from "../command.ts";

const usage = `Usage: guardbench eval --results results.jsonl [--labels dataset.jsonl] [--threshold 0.5] [--json]

Measures a classification run against labels: precision, recall, F1, false-positive rate (FPR) and AUPRC
(average precision, as scikit-learn computes it).
  --results    JSON Lines with one {"id", "label", "score"} object per line; "pUnsafe" is read when there is no
               "score", so the output of \`guardbench classify --input data.jsonl\` can be passed as it is
  --labels     a dataset (.jsonl or .json in the common record format) whose labels are joined to the results by
               id, for results that carry no "label" (classify's output has none)
  --threshold  the score at or above which an item counts as flagged (default 0.5)
  --json       print one JSON object {precision, recall, f1, fpr, auprc, counts} instead of a table
Lines whose classification failed (an "error" object) or that have no label are skipped and listed. A line that is
not JSON, has no score or has an unreadable label stops the command with its line number. A metric whose
denominator is zero is n/a (null in JSON), with the reason on standard error.`;

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

function resultId(value: unknown): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
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
    const format = error.code === "mapping-required" ? ' --labels takes a dataset in the common record format ({"id", "messages", "label"} per row).' : "";
    throw new CliFailure(`cannot read the labels in ${source}: ${error.message}${error.hint ? ` (${error.hint})` : ""}.${format}`);
  }
  const { badRowCount, badRows } = summary;
  if (badRowCount === 0) return { labels };
  const first = badRows[0]!;
  return { labels, warning: `${source}: ${badRowCount} row(s) could not be read and give no label (the first, row ${first.row}: ${first.reason})` };
}

type ResultLine = { kind: "scored"; id: string | undefined; item: ScoredItem } | ({ kind: "skipped" } & SkippedLine);

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
  const score = typeof value.score === "number" ? value.score : value.pUnsafe;
  if (typeof score !== "number" || !Number.isFinite(score)) {
    throw new CliFailure(`${source} line ${line} has no score: expected a number in "score" or "pUnsafe"`);
  }
  if (score < 0 || score > 1) throw new CliFailure(`${source} line ${line} has the score ${score}; scores are probabilities P(unsafe) from 0 to 1`);

  const id = resultId(value.id);
  const reading = normalizeLabel(value.label);
  if (!reading.ok) throw new CliFailure(`${source} line ${line}: ${reading.reason}`);
  const joined = id !== undefined ? labels?.get(id) : undefined;
  if (reading.label && joined && reading.label !== joined) {
    throw new CliFailure(`${source} line ${line} (id "${id}") is labeled ${reading.label}, but --labels says ${joined}; fix one of them`);
  }
  const label = reading.label ?? joined;
  if (label) return { kind: "scored", id, item: { score, label } };
  if (labels === undefined) return { kind: "skipped", line, reason: 'it has no "label" (pass --labels dataset.jsonl to join labels by id)' };
  return { kind: "skipped", line, reason: id === undefined ? "it has no label and no id to look one up in --labels" : `it has no label, and --labels has none for the id "${id}"` };
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
        const earlier = linesOfIds.get(result.id);
        if (earlier !== undefined) throw new CliFailure(`${source} line ${line} repeats the id "${result.id}" of line ${earlier}; --results must hold one run, each item once`);
        linesOfIds.set(result.id, line);
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

function printTable(evaluation: ScoreEvaluation, skipped: SkippedLine[], source: string, io: CliIo): void {
  const { tp, fp, tn, fn, total } = evaluation.counts;
  const cell = (name: string, count: number) => `${name} ${count}`.padEnd(16);
  const lines = [
    `${source}: ${total} item(s) evaluated at threshold ${evaluation.threshold}${skipped.length ? `, ${skipped.length} line(s) skipped` : ""}`,
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
  const notes = nullReasonLines(evaluation);
  if (notes.length > 0) lines.push("", ...notes);
  if (skipped.length > 0) lines.push("", ...describeSkipped(skipped));
  writeLine(io.stdout, lines.map((line) => line.trimEnd()).join("\n"));
}

export const evalCommand: CliCommand = {
  name: "eval",
  summary: "measure a classification run against labels (precision, recall, F1, FPR, AUPRC)",
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { results: { type: "string" }, labels: { type: "string" }, threshold: { type: "string" }, json: { type: "boolean" } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"; pass the results file with --results`);
    if (!values.results) throw new CliUsageError("--results is required");
    const threshold = values.threshold === undefined ? 0.5 : Number(values.threshold);
    if (values.threshold !== undefined && (values.threshold.trim() === "" || !Number.isFinite(threshold) || threshold < 0 || threshold > 1)) {
      throw new CliUsageError(`--threshold must be a number from 0 to 1, not "${values.threshold}"`);
    }

    let labels: Map<string, SafetyLabel> | undefined;
    if (values.labels !== undefined) {
      const read = await readLabels(resolve(io.cwd, values.labels), values.labels);
      labels = read.labels;
      if (read.warning) writeLine(io.stderr, `guardbench eval: ${read.warning}`);
    }
    const { items, skipped } = await readResults(resolve(io.cwd, values.results), values.results, labels);
    if (items.length === 0) {
      const why = skipped.length > 0 ? `; ${skipped.length} line(s) skipped:\n${describeSkipped(skipped).join("\n")}` : " (the file has no result lines)";
      throw new CliFailure(`no line of ${values.results} has both a score and a label, so there is nothing to measure${why}`);
    }
    const evaluation = evaluateScores(items, threshold);
    if (!values.json) {
      printTable(evaluation, skipped, values.results, io);
      return 0;
    }
    const { precision, recall, f1, fpr, auprc, counts } = evaluation;
    writeLine(io.stdout, JSON.stringify({ precision, recall, f1, fpr, auprc, counts: { tp: counts.tp, fp: counts.fp, tn: counts.tn, fn: counts.fn, total: counts.total, skipped: skipped.length } }));
    // Standard output stays one JSON object; what a person needs to know about it goes to standard error.
    const notes = [...nullReasonLines(evaluation), ...describeSkipped(skipped)];
    if (notes.length > 0) writeLine(io.stderr, notes.join("\n"));
    return 0;
  },
};
