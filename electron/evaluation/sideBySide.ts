/**
 * Several runs of one dataset at once (issue #15.5, `eval:side-by-side`): each run measured against the same labels in
 * effect, where the runs disagree, and per category of the dataset's taxonomy once each run's codes are mapped onto
 * it — with shared/metrics doing the arithmetic.
 */
import type { CategoryMapping, ParsedReq, SideBySideCategories, SideBySideReport, SideBySideRun } from "../../shared/ipc/contract.ts";
import { MAX_SIDE_BY_SIDE_DISAGREEMENTS } from "../../shared/ipc/contract.ts";
import type { SafetyLabel } from "../../shared/datasets/record.ts";
import { evaluateScores, isFlagged, perCategoryMetrics, precisionRecallCurve, runAgreement, type CategorizedItem, type ScoredItem } from "../../shared/metrics/index.ts";
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
  const joined = runs.map((run) => currentJoinedItems(store, run));
  const labels = new Map<string, SafetyLabel>();
  const sharedCodes = new Set<string>();
  for (const item of joined[0]!) {
    if (!item.label) continue;
    labels.set(item.itemId, item.label.label);
    if (item.label.label === "unsafe") for (const code of item.label.categories) sharedCodes.add(code);
  }
  const shared = [...sharedCodes].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const mappings = runs.map((run) => effectiveMapping(run.policy.categories, shared, request.categoryMapping?.[String(run.id)]));

  const measured = runs.map((run, index) => {
    const threshold = request.threshold ?? run.settings.threshold;
    const mapping = mappings[index]!;
    const scores = new Map<string, number>();
    const scored: ScoredItem[] = [];
    const categorized: CategorizedItem[] = [];
    for (const item of joined[index]!) {
      const result = item.result;
      if (result?.score === undefined) continue;
      scores.set(item.itemId, result.score);
      if (!item.label) continue;
      scored.push({ score: result.score, label: item.label.label });
      const predicted = isFlagged(result.score, threshold) ? (result.categories ?? []).flatMap((code) => (mapping[code] ? [mapping[code]] : [])) : [];
      categorized.push({ label: item.label.label, labelCategories: item.label.categories, predictedCategories: [...new Set(predicted)] });
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
      items: joined[index]!.length,
      categories: run.policy.categories.filter((category) => category.enabled).map(({ code, name }) => ({ code, name: name.trim() })),
    };
    return { summary, agreementRun: { runId: run.id, threshold, scores }, perCategory: perCategoryMetrics(categorized) };
  });
  const agreement = runAgreement(
    measured.map((run) => run.agreementRun),
    labels,
  );
  const perCategory: SideBySideCategories = {
    sharedCodes: shared,
    mappings,
    rows: shared.map((code) => ({ code, perRun: measured.map((run) => run.perCategory.categories.find((category) => category.category === code) ?? null) })),
    unknownHazardItems: measured[0]?.perCategory.unknownHazardItems ?? 0,
  };
  return {
    datasetId: first!.datasetId,
    runs: measured.map((run) => run.summary),
    agreement: { ...agreement, disagreements: agreement.disagreements.slice(0, MAX_SIDE_BY_SIDE_DISAGREEMENTS), disagreementCount: agreement.disagreements.length },
    perCategory,
  };
}

/**
 * A run's codes → shared codes: what the request maps ("" counts a code as none, a code it does not have is refused),
 * else the same code when the dataset has it.
 */
function effectiveMapping(categories: readonly { code: string }[], shared: readonly string[], asked: CategoryMapping[string] | undefined): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const { code } of categories) {
    const target = asked?.[code] ?? (shared.includes(code) ? code : "");
    if (target !== "" && !shared.includes(target)) {
      throw new RunError("category-unknown", `${code} is mapped onto ${target}, a category the dataset's labels do not name`, `Map it onto one of ${shared.join(", ") || "(none: the labels name no category)"}, or leave it unmapped.`);
    }
    if (target !== "") mapping[code] = target;
  }
  return mapping;
}
