import type { ResultError } from "../../shared/ipc/result.ts";
import { CodedError } from "../../shared/errors/codedError.ts";

/** Run failures as data (`{ code, message, hint }`), like EngineError and StoreError: AppHost and the CLI show them as they are. */
export type RunErrorCode =
  /** the model file's content differs from the one the run started with */
  | "model-changed"
  /** a custom guard run without a definition saved with its model */
  | "custom-guard-missing"
  /** a custom guard run's definition is not the one saved with its model now (or none is saved) */
  | "custom-guard-changed"
  /** the engine has another model loaded than the run's */
  | "model-mismatch"
  /** the policy was written for another prompt family than the loaded model's */
  | "policy-family-mismatch"
  /** a family setting the run's prompt family does not have */
  | "family-setting-unknown"
  /** another live process is scoring the run */
  | "run-busy"
  /** a run (or a dataset's run) that is being scored cannot be deleted */
  | "run-in-progress"
  /** a category mapping names a shared category the dataset's labels do not have */
  | "category-unknown"
  /** `earlier: "require"` found no run of an identical earlier request to continue */
  | "no-earlier-run"
  /** the run is cancelled, or done with nothing left to score */
  | "run-not-resumable"
  /** the dataset has no items */
  | "dataset-empty"
  | "demo-not-found"
  /** two ids that must belong together do not (a run of another dataset) */
  | "run-dataset-mismatch"
  /** a filter or ordering that reads scores was asked for without a run */
  | "run-required"
  /** the run was cancelled before it finished; its results stay */
  | "cancelled"
  /** endpoints were asked to score a family they cannot (they read decisions the Llama Guard way only) */
  | "family-not-on-endpoints"
  /** a run names an endpoint that is not saved (any more) */
  | "endpoint-not-found"
  /** every endpoint scoring the run stayed unavailable: the run stopped, resumable */
  | "no-endpoint-available";

export class RunError extends CodedError<RunErrorCode> {
  constructor(code: RunErrorCode, message: string, hint?: string) {
    super(code, message, hint);
  }
}

/**
 * A run that stopped for a reason that is already data (an engine or store error recorded as the run's stopReason): a
 * CodedError carrying that reason as it was recorded, so whatever turns errors into data needs no case for it.
 */
export class RunStopped extends CodedError {
  constructor(readonly reason: ResultError) {
    super(reason.code, reason.message, reason.hint, reason.details);
  }

  override toData(): ResultError {
    return this.reason;
  }
}
