/**
 * Several runs of one dataset at once (issue #15.5, `eval:side-by-side`): each run measured against the same labels in
 * effect, and where the runs disagree, with shared/metrics doing the arithmetic.
 */
import type { ParsedReq, SideBySideReport, SideBySideRun } from "../../shared/ipc/contract.ts";
import { MAX_SIDE_BY_SIDE_DISAGREEMENTS } from "../../shared/ipc/contract.ts";
import type { SafetyLabel } from "../../shared/datasets/record.ts";
import { evaluateScores, precisionRecallCurve, runAgreement, type ScoredItem } from "../../shared/metrics/index.ts";
import { runName } from "../../shared/runs/runName.ts";
import { RunError } from "../runs/errors.ts";
import type { GuardbenchStore } from "../store/index.ts";
import { currentJoinedItems } from "./joinedItemsCache.ts";

export function sideBySideOf(store: GuardbenchStore, request: ParsedReq<"eval:side-by-side">): SideBySideReport {
  const runs = request.runIds.map((runId) => store.runs.get(runId));
  const [first] = runs;
  const stranger = runs.find((run) => run.datasetId !== first!.datasetId);
  if (stranger) {
    throw new RunError(
      "run-dataset-mismatch",
      `run ${stranger.id} scored dataset ${stranger.datasetId} (${stranger.datasetName}), not dataset ${first!.datasetId} (${first!.datasetName}) like run ${first!.id}; only runs of one dataset go side by side`,
      "Choose runs of the same dataset.",
    );
  }
  const labels = new Map<string, SafetyLabel>();
  const measured = runs.map((run) => {
    const threshold = request.threshold ?? run.settings.threshold;
    const scores = new Map<string, number>();
    const scored: ScoredItem[] = [];
    const items = currentJoinedItems(store, run);
    for (const item of items) {
      if (item.label) labels.set(item.itemId, item.label.label);
      const score = item.result?.score;
      if (score === undefined) continue;
      scores.set(item.itemId, score);
      if (item.label) scored.push({ score, label: item.label.label });
    }
    const summary: SideBySideRun = {
      runId: run.id,
      name: runName(run),
      modelPath: run.model.path,
      family: run.model.family,
      policyName: run.policyName,
      ...(run.policyVersion !== undefined ? { policyVersion: run.policyVersion } : {}),
      threshold,
      evaluation: evaluateScores(scored, threshold),
      curve: precisionRecallCurve(scored),
      evaluated: scored.length,
      items: items.length,
    };
    return { summary, agreementRun: { runId: run.id, threshold, scores } };
  });
  const agreement = runAgreement(
    measured.map((run) => run.agreementRun),
    labels,
  );
  return {
    datasetId: first!.datasetId,
    runs: measured.map((run) => run.summary),
    agreement: { ...agreement, disagreements: agreement.disagreements.slice(0, MAX_SIDE_BY_SIDE_DISAGREEMENTS), disagreementCount: agreement.disagreements.length },
  };
}
