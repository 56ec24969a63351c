/**
 * One item of a run in full: conversation, label history and the classification as the result view shows it. A batch
 * run stores its results with the token details no stored number needed left out (ClassifyOptions.deferTokenDetails);
 * opening the item computes and stores them, when the model the run scored with is loaded and free.
 */
import { hasTokenDetails, type ClassificationResult, type DetailedToken } from "../../shared/classify/result.ts";
import type { ScoredWith } from "../engine/engineControl.ts";
import type { TokenDetailsParams } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import { prepareForClassification } from "../../shared/conversation/index.ts";
import type { Turn } from "../../shared/conversation/types.ts";
import type { ItemResultDetail, RunDetail } from "../../shared/ipc/contract.ts";
import { isFlagged } from "../../shared/metrics/index.ts";
import { buildPromptText } from "../../shared/prompts/index.ts";
import { embeddedTemplateFor } from "../engine/templateCheck.ts";
import { embeddedTemplateOptions } from "../../shared/families/embeddedTemplate.ts";
import type { GuardbenchStore, StoredClassification } from "../store/index.ts";

/** Where deferred token details come from: the host's engine (EngineControl), undefined when another model is loaded. */
export interface TokenDetailSource {
  tokenDetails(scoredWith: ScoredWith, params: TokenDetailsParams): Promise<DetailedToken[] | undefined>;
}

export async function itemResult(store: GuardbenchStore, runId: number, itemId: string, details?: TokenDetailSource, threshold?: number): Promise<ItemResultDetail> {
  const run = store.runs.get(runId);
  const item = store.datasets.item(run.datasetId, itemId);
  let stored = store.runs.result(runId, item.rowId);
  if (stored?.result && details) stored = { ...stored, result: await withTokenDetails(store, run, item, stored.result, details) };
  return {
    runId,
    datasetId: run.datasetId,
    itemId: item.itemId,
    position: item.position,
    turns: item.turns,
    ...(item.label ? { label: item.label } : {}),
    labelHistory: store.labels.history(item.rowId),
    ...(stored?.result ? { result: withPromptText(stored.result, item.turns, run, threshold ?? run.settings.threshold, await embeddedTemplateFor(run.model.path, run.model.family)) } : {}),
    ...(stored?.error ? { error: stored.error } : {}),
    ...(stored ? { finishedAt: stored.finishedAt } : {}),
  };
}

/**
 * The stored result with the token details it left out computed and stored, or as it is when it has them all or they
 * cannot be computed now (another model loaded, the engine busy with a run or restarting): the item still opens, and a
 * later opening computes them.
 */
async function withTokenDetails(store: GuardbenchStore, run: RunDetail, item: { rowId: number; turns: Turn[] }, result: StoredClassification, details: TokenDetailSource): Promise<StoredClassification> {
  const positions = result.tokens.flatMap((token, position) => (hasTokenDetails(token) ? [] : [position]));
  if (positions.length === 0) return result;
  const request = { turns: item.turns, policy: run.policy, check: run.settings.check };
  let computed: DetailedToken[] | undefined;
  try {
    computed = await details.tokenDetails({ ...run.model, ...(run.settings.customGuard && { customGuard: run.settings.customGuard }) }, { request, tokens: result.tokens.map((token) => token.id), positions, topK: run.settings.topK });
  } catch (error) {
    if (error instanceof EngineError) return result;
    throw error;
  }
  if (!computed) return result;
  return store.runs.recordTokenDetails(run.id, item.rowId, new Map(positions.map((position, i) => [position, computed[i]!])));
}

/**
 * Results are stored without the prompt text (several kilobytes of policy per item); the same builder the engine used,
 * given the run's policy, family and check, rebuilds it exactly.
 */
function withPromptText(result: StoredClassification, turns: Turn[], run: RunDetail, threshold: number, embeddedTemplate: string | undefined): ClassificationResult {
  const prepared = prepareForClassification({ turns }, run.settings.check);
  const options = { ...embeddedTemplateOptions(embeddedTemplate), ...(run.settings.customGuard && { customGuard: run.settings.customGuard }) };
  const built = prepared.ok ? buildPromptText(run.model.family, prepared.turns, run.policy, options) : undefined;
  // The flag is the threshold's, not the stored one's: the scores may come from a run with another threshold (scoreReuse).
  return { ...result, threshold, flagged: isFlagged(result.score, threshold), prompt: { text: built?.ok ? built.value.text : "", tokenCount: result.prompt.tokenCount } };
}
