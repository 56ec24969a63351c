/**
 * A run's model file must still be the file it started with, and a custom guard's definition the one it started with:
 * results from two different models, or two different guards, must never mix in one run.
 */
import { sameCustomGuard } from "../../shared/families/customGuard.ts";
import type { RunSummary } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore } from "../store/index.ts";
import { RunError } from "./errors.ts";
import { cachedSha256OfFile, type HashOptions } from "../core/fileHash.ts";

/**
 * Throws RunError "model-changed" when the file at the run's model path no longer has the run's sha256, and
 * "custom-guard-changed" when a custom guard run's definition is no longer the one saved with the model.
 */
export async function assertRunModelUnchanged(store: GuardbenchStore, run: RunSummary, options: HashOptions = {}): Promise<void> {
  assertCustomGuardUnchanged(store, run);
  const { sha256 } = await cachedSha256OfFile(store.fileHashes, run.model.path, options);
  if (sha256 === run.model.sha256) return;
  throw new RunError(
    "model-changed",
    `the model changed: ${run.model.path} is not the file run ${run.id} started with (sha256 ${run.model.sha256.slice(0, 12)}… then, ${sha256.slice(0, 12)}… now), so its results would mix two models`,
    "Put the original file back to resume this run, or start a new run with the new file.",
  );
}

function assertCustomGuardUnchanged(store: GuardbenchStore, run: RunSummary): void {
  const { customGuard } = run.settings;
  if (customGuard === undefined) return;
  const saved = store.customGuards.find(run.model.path)?.definition;
  if (saved !== undefined && sameCustomGuard(saved, customGuard)) return;
  throw new RunError(
    "custom-guard-changed",
    saved === undefined
      ? `run ${run.id} scored ${run.model.path} as the custom guard "${customGuard.name}", and that model has no custom guard saved now`
      : `the custom guard changed: run ${run.id} scored ${run.model.path} as "${customGuard.name}", and the definition saved with the model now differs, so its results would mix two guards`,
    "Save the run's definition with the model again to resume this run (runs:get shows it), or start a new run with the new definition.",
  );
}
