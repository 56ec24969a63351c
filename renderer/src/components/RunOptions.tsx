/** The options of a run picker: every run by its name (shared/runs/runName.ts), its note on hover. */
import type { RunSummary } from "../../../shared/ipc/index.ts";
import { runName } from "../../../shared/runs/runName.ts";

export function RunOptions({ runs, withState = false }: { runs: readonly RunSummary[]; withState?: boolean }) {
  return runs.map((run) => (
    <option key={run.id} value={run.id} title={run.note}>
      {runName(run)}
      {withState ? ` · ${run.state}` : ""}
    </option>
  ));
}
