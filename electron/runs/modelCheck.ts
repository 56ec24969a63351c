/** A run's model file must still be the file it started with: results from two different models must never mix in one run. */
import type { RunSummary } from "../../shared/ipc/contract.ts";
import type { GuardbenchStore } from "../store/index.ts";
import { RunError } from "./errors.ts";
import { cachedSha256OfFile, type HashOptions } from "../core/fileHash.ts";

/** Throws RunError "model-changed" when the file at the run's model path no longer has the run's sha256. */
export async function assertRunModelUnchanged(store: GuardbenchStore, run: RunSummary, options: HashOptions = {}): Promise<void> {
  const { sha256 } = await cachedSha256OfFile(store.fileHashes, run.model.path, options);
  if (sha256 === run.model.sha256) return;
  throw new RunError(
    "model-changed",
    `the model changed: ${run.model.path} is not the file run ${run.id} started with (sha256 ${run.model.sha256.slice(0, 12)}… then, ${sha256.slice(0, 12)}… now), so its results would mix two models`,
    "Put the original file back to resume this run, or start a new run with the new file.",
  );
}
