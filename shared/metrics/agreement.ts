/**
 * Several runs of one dataset side by side (issue #15.5): on the items every run scored, which ones the runs flag
 * differently at their thresholds, and how often each pair agrees — as a share and as Cohen's kappa, which discounts
 * the agreement two runs would reach by chance given how often each flags.
 */
import type { SafetyLabel } from "../datasets/record.ts";
import { assertThreshold, isFlagged } from "./scores.ts";

export interface AgreementRun {
  runId: number;
  threshold: number;
  /** P(unsafe) of each item the run scored, by item id */
  scores: ReadonlyMap<string, number>;
}

export interface PairAgreement {
  runIds: [number, number];
  /** items both runs scored */
  compared: number;
  /** of those, flagged alike */
  agreed: number;
  /** agreed / compared; null without items */
  share: number | null;
  /** Cohen's kappa of the two flags; null without items, or when chance agreement is already certain (both flag all alike) */
  kappa: number | null;
}

export interface Disagreement {
  itemId: string;
  label?: SafetyLabel;
  /** per run, in the order given */
  flagged: boolean[];
  scores: number[];
}

export interface RunAgreement {
  /** items every run scored: the ones compared */
  compared: number;
  /** of those, flagged alike by every run */
  unanimous: number;
  pairs: PairAgreement[];
  /** the compared items the runs flag differently, in the order of the first run's items */
  disagreements: Disagreement[];
}

export function runAgreement(runs: readonly AgreementRun[], labels: ReadonlyMap<string, SafetyLabel>): RunAgreement {
  for (const run of runs) assertThreshold(run.threshold);
  const [first, ...rest] = runs;
  if (!first) return { compared: 0, unanimous: 0, pairs: [], disagreements: [] };
  const shared = [...first.scores.keys()].filter((id) => rest.every((run) => run.scores.has(id)));
  const flagsOf = (run: AgreementRun, id: string) => isFlagged(run.scores.get(id)!, run.threshold);
  const disagreements: Disagreement[] = [];
  for (const itemId of shared) {
    const flagged = runs.map((run) => flagsOf(run, itemId));
    if (flagged.every((flag) => flag === flagged[0])) continue;
    const label = labels.get(itemId);
    disagreements.push({ itemId, ...(label ? { label } : {}), flagged, scores: runs.map((run) => run.scores.get(itemId)!) });
  }
  const pairs: PairAgreement[] = [];
  for (let a = 0; a < runs.length; a++) {
    for (let b = a + 1; b < runs.length; b++) pairs.push(pairAgreement(runs[a]!, runs[b]!, flagsOf));
  }
  return { compared: shared.length, unanimous: shared.length - disagreements.length, pairs, disagreements };
}

function pairAgreement(a: AgreementRun, b: AgreementRun, flagsOf: (run: AgreementRun, id: string) => boolean): PairAgreement {
  // Counts of (a flags, b flags): both, only a, only b, neither.
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  let neither = 0;
  for (const id of a.scores.keys()) {
    if (!b.scores.has(id)) continue;
    const [flagA, flagB] = [flagsOf(a, id), flagsOf(b, id)];
    if (flagA && flagB) both++;
    else if (flagA) onlyA++;
    else if (flagB) onlyB++;
    else neither++;
  }
  const compared = both + onlyA + onlyB + neither;
  const agreed = both + neither;
  if (compared === 0) return { runIds: [a.runId, b.runId], compared, agreed, share: null, kappa: null };
  const observed = agreed / compared;
  const chance = ((both + onlyA) / compared) * ((both + onlyB) / compared) + ((neither + onlyB) / compared) * ((neither + onlyA) / compared);
  return { runIds: [a.runId, b.runId], compared, agreed, share: observed, kappa: chance === 1 ? null : (observed - chance) / (1 - chance) };
}
