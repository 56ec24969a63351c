/**
 * electron/runs: batch runs: a dataset scored by a model under a policy, every outcome committed as it finishes, a
 * killed run resumable where it stopped.
 *
 * - runManager.ts: runs as jobs (progress, pause, cancel) on the shared engine, for the app, `guardbench serve` and
 *   `guardbench run` alike (`runs:start` with a command's model file, its own endpoints and an earlier run to
 *   continue), and multi-runs (a run per model, scored one after another).
 * - runExecutor.ts (the local engine) and poolExecutor.ts (endpoints, optionally with the local engine): scoring the
 *   items that have no result yet.
 * - runItems.ts: a dataset's items joined with their labels in effect and a run's results: the one view review/,
 *   evaluation/ and the exports read, so they never disagree about an item.
 * - scoreReuse.ts, modelCheck.ts, cliRunKey.ts, errors.ts: scores taken from a run that differs only in threshold, the
 *   model file a run started with, when a later `guardbench run` is the same run, and RunError.
 *
 * May import: store/ (runs and results), engine/ (the engine interface, the remote engine and pool, EngineControl),
 * endpoints/ (saved endpoints and their keys), core/ (jobs, the rate meter, file hashes). Imported by host/, cli/,
 * review/ and evaluation/ (runItems.ts, RunError).
 * This file is the folder's map; import the modules themselves.
 */
export {};
