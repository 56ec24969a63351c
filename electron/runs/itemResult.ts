/** One item of a run in full: conversation, label history and the classification as the result view shows it. */
import type { ClassificationResult } from "../../shared/classify/result.ts";
import { prepareForClassification } from "../../shared/conversation/index.ts";
import type { Turn } from "../../shared/conversation/types.ts";
import type { ItemResultDetail, RunDetail } from "../../shared/ipc/contract.ts";
import { buildPrompt } from "../../shared/prompts/index.ts";
import type { GuardbenchStore, StoredClassification } from "../store/index.ts";

export function itemResult(store: GuardbenchStore, runId: number, itemId: string): ItemResultDetail {
  const run = store.runs.get(runId);
  const item = store.datasets.item(run.datasetId, itemId);
  const stored = store.runs.result(runId, item.rowId);
  return {
    runId,
    datasetId: run.datasetId,
    itemId: item.itemId,
    position: item.position,
    turns: item.turns,
    ...(item.label ? { label: item.label } : {}),
    labelHistory: store.labels.history(item.rowId),
    ...(stored?.result ? { result: withPromptText(stored.result, item.turns, run) } : {}),
    ...(stored?.error ? { error: stored.error } : {}),
    ...(stored ? { finishedAt: stored.finishedAt } : {}),
  };
}

/**
 * Results are stored without the prompt text (several kilobytes of policy per item); the same builder the engine used,
 * given the run's policy, family and check, rebuilds it exactly.
 */
function withPromptText(result: StoredClassification, turns: Turn[], run: RunDetail): ClassificationResult {
  const prepared = prepareForClassification({ turns }, run.settings.check);
  const built = prepared.ok ? buildPrompt(run.model.family, prepared.turns, run.policy) : undefined;
  return { ...result, prompt: { text: built?.ok ? built.prompt.text : "", tokenCount: result.prompt.tokenCount } };
}
