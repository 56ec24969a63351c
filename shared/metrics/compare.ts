/**
 * Two runs over the same dataset (another model, policy or threshold): how the metrics moved and which items changed
 * verdict. Both runs are evaluated over exactly the same items — the ids they share that carry a label — so that a
 * delta never comes from one run having seen different items; ids found in one run only are listed, not dropped.
 */
import type { SafetyLabel } from "../datasets/record.ts";
import { METRIC_NAMES, evaluateScores, type MetricName, type ScoreEvaluation } from "./evaluate.ts";
import { assertThreshold, isFlagged, type ScoredItem } from "./scores.ts";

export interface RunItem {
  id: string;
  score: number;
  /** absent for an unlabeled item: it can still flip, but counts in no metric */
  label?: SafetyLabel;
  /** the model's verdict as it answered (safe, unsafe, unparseable …); absent: not compared */
  verdict?: string;
  /** the category codes the model named; absent: not compared */
  categories?: readonly string[];
}

export interface CompareOptions {
  /** the threshold for both runs, or for the baseline when `candidateThreshold` is given */
  threshold: number;
  /** a separate threshold for the candidate (models are calibrated differently) */
  candidateThreshold?: number;
}

export type FlipDirection = "safe-to-unsafe" | "unsafe-to-safe";

/**
 * What differs for an item: its flag at the threshold(s) (`direction` says which way), the verdict the model wrote (it
 * can change while the flag stays, e.g. an unsafe answer whose P(unsafe) is under the threshold), or only the
 * categories it named.
 */
export type FlipKind = "flag" | "verdict" | "categories";

export interface VerdictFlip {
  id: string;
  label?: SafetyLabel;
  baselineScore: number;
  candidateScore: number;
  /** every way the item changed, in this order: flag, verdict, categories */
  changed: FlipKind[];
  /** with a flag change: which way it flipped */
  direction?: FlipDirection;
  baselineVerdict?: string;
  candidateVerdict?: string;
  baselineCategories?: string[];
  candidateCategories?: string[];
  /**
   * "fixed": the candidate's flag matches the label and the baseline's did not; "regressed": the reverse; "same": the
   * flag did not change (only the verdict or categories did); "unlabeled": no label to judge by
   */
  effect: "fixed" | "regressed" | "same" | "unlabeled";
}

const sameCodes = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((code, i) => code === [...b].sort()[i]);

export interface RunComparison {
  baseline: ScoreEvaluation;
  candidate: ScoreEvaluation;
  /** candidate − baseline; null where either side is null (see the evaluations' nullReasons) */
  deltas: Record<MetricName, number | null>;
  /** items whose flag, verdict or categories differ between the runs, in the baseline's order */
  flips: VerdictFlip[];
  /** ids present in both runs */
  sharedItems: number;
  onlyInBaseline: string[];
  onlyInCandidate: string[];
  /** shared ids whose two runs carry different labels: left out of the metrics, since neither label can be trusted */
  labelConflicts: string[];
}

function indexById(items: readonly RunItem[], run: string): Map<string, RunItem> {
  const byId = new Map<string, RunItem>();
  for (const item of items) {
    if (byId.has(item.id)) throw new RangeError(`the ${run} run has the id ${JSON.stringify(item.id)} twice; a run scores each dataset item once`);
    byId.set(item.id, item);
  }
  return byId;
}

export function compareRuns(baselineItems: readonly RunItem[], candidateItems: readonly RunItem[], options: CompareOptions): RunComparison {
  const baselineThreshold = options.threshold;
  const candidateThreshold = options.candidateThreshold ?? options.threshold;
  assertThreshold(baselineThreshold);
  assertThreshold(candidateThreshold);
  const baselineById = indexById(baselineItems, "baseline");
  const candidateById = indexById(candidateItems, "candidate");

  const baselineScored: ScoredItem[] = [];
  const candidateScored: ScoredItem[] = [];
  const flips: VerdictFlip[] = [];
  const labelConflicts: string[] = [];
  const onlyInBaseline: string[] = [];
  let sharedItems = 0;
  for (const baseline of baselineItems) {
    const candidate = candidateById.get(baseline.id);
    if (!candidate) {
      onlyInBaseline.push(baseline.id);
      continue;
    }
    sharedItems++;
    const conflict = baseline.label !== undefined && candidate.label !== undefined && baseline.label !== candidate.label;
    if (conflict) labelConflicts.push(baseline.id);
    const label = conflict ? undefined : (baseline.label ?? candidate.label);
    if (label) {
      baselineScored.push({ score: baseline.score, label });
      candidateScored.push({ score: candidate.score, label });
    }
    const wasFlagged = isFlagged(baseline.score, baselineThreshold);
    const isNowFlagged = isFlagged(candidate.score, candidateThreshold);
    const changed: FlipKind[] = [];
    if (wasFlagged !== isNowFlagged) changed.push("flag");
    if (baseline.verdict !== undefined && candidate.verdict !== undefined && baseline.verdict !== candidate.verdict) changed.push("verdict");
    if (baseline.categories && candidate.categories && !sameCodes(baseline.categories, candidate.categories)) changed.push("categories");
    if (changed.length === 0) continue;
    const candidateRight = label === undefined ? undefined : isNowFlagged === (label === "unsafe");
    flips.push({
      id: baseline.id,
      ...(label ? { label } : {}),
      baselineScore: baseline.score,
      candidateScore: candidate.score,
      changed,
      ...(wasFlagged !== isNowFlagged ? { direction: isNowFlagged ? "safe-to-unsafe" : "unsafe-to-safe" } : {}),
      ...(baseline.verdict !== undefined ? { baselineVerdict: baseline.verdict } : {}),
      ...(candidate.verdict !== undefined ? { candidateVerdict: candidate.verdict } : {}),
      ...(baseline.categories ? { baselineCategories: [...baseline.categories] } : {}),
      ...(candidate.categories ? { candidateCategories: [...candidate.categories] } : {}),
      effect: wasFlagged === isNowFlagged ? "same" : candidateRight === undefined ? "unlabeled" : candidateRight ? "fixed" : "regressed",
    });
  }

  const baseline = evaluateScores(baselineScored, baselineThreshold);
  const candidate = evaluateScores(candidateScored, candidateThreshold);
  const deltas = Object.fromEntries(
    METRIC_NAMES.map((name) => {
      const before = baseline[name];
      const after = candidate[name];
      return [name, before === null || after === null ? null : after - before];
    }),
  ) as Record<MetricName, number | null>;
  return {
    baseline,
    candidate,
    deltas,
    flips,
    sharedItems,
    onlyInBaseline,
    onlyInCandidate: candidateItems.filter((item) => !baselineById.has(item.id)).map((item) => item.id),
    labelConflicts,
  };
}
