/**
 * The Runs screen's pieces for "Scale out": choosing which scorers a new run uses (saved endpoints and this machine),
 * and a running run's progress per scorer.
 */
import { useId } from "react";
import { useShallow } from "zustand/react/shallow";
import type { EndpointProgress, RunJobProgress } from "../../../../shared/ipc/index.ts";
import { useAppStore } from "../../store/index.ts";
import { endpointsSelectors, perEndpointOf } from "./selectors.ts";

/** Checkboxes for the run's pool; shown only once an endpoint is saved (before that a run uses this machine). */
export function RunPoolPicker() {
  const endpoints = useAppStore(endpointsSelectors.list);
  const chosen = useAppStore(useShallow(endpointsSelectors.chosenEndpoints));
  const includeLocal = useAppStore(endpointsSelectors.poolIncludesLocal);
  const valid = useAppStore(endpointsSelectors.poolValid);
  const setPoolEndpoint = useAppStore((s) => s.setPoolEndpoint);
  const setPoolLocal = useAppStore((s) => s.setPoolLocal);
  const errorId = useId();
  if (endpoints.length === 0) return null;
  return (
    <fieldset className="run-pool" aria-describedby={valid ? undefined : errorId}>
      <legend className="field-label">Scored by</legend>
      <label className="run-pool-choice">
        <input type="checkbox" checked={includeLocal} onChange={(event) => setPoolLocal(event.target.checked)} />
        This machine
      </label>
      {endpoints.map((endpoint) => (
        <label key={endpoint.name} className="run-pool-choice">
          <input type="checkbox" checked={chosen.includes(endpoint.name)} onChange={(event) => setPoolEndpoint(endpoint.name, event.target.checked)} />
          {endpoint.name}
          <span className="muted small"> ({endpoint.model})</span>
        </label>
      ))}
      {!valid && (
        <p id={errorId} className="field-error run-pool-error">
          Choose this machine or at least one endpoint.
        </p>
      )}
    </fieldset>
  );
}

const STATE_LABELS: Record<EndpointProgress["state"], string> = { active: "active", suspended: "suspended" };

/** One line per scorer of a running run; nothing for a run scored by this machine alone. */
export function RunEndpointProgress({ job, runName }: { job?: RunJobProgress; runName: string }) {
  const scorers = perEndpointOf(job);
  if (scorers.length === 0) return null;
  return (
    <table className="run-endpoints" aria-label={`Scorers of ${runName}`}>
      <thead>
        <tr>
          <th scope="col">Scorer</th>
          <th scope="col">Done</th>
          <th scope="col">Failed</th>
          <th scope="col">Items/s</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {scorers.map((scorer) => (
          <tr key={scorer.name}>
            <th scope="row">{scorer.name === "local" ? "this machine" : scorer.name}</th>
            <td>{scorer.done}</td>
            <td>{scorer.failed}</td>
            <td>{scorer.itemsPerSecond.toFixed(1)}</td>
            <td>
              <span className={`badge ${scorer.state === "active" ? "badge-ok" : "badge-danger"}`}>{STATE_LABELS[scorer.state]}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
