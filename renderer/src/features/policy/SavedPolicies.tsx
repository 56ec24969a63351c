/** Saved policies with their versions: open any version, compare two of them. */
import { useState } from "react";
import type { PolicySummary } from "../../../../shared/ipc/index.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatDateTime } from "../../components/format.ts";
import { Panel } from "../../components/Panel.tsx";
import { PolicyDiffView } from "../../components/PolicyDiffView.tsx";
import { ConfirmButton } from "../../components/ConfirmButton.tsx";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "./familyLabels.ts";
import { policySelectors } from "./selectors.ts";

export function SavedPolicies() {
  const saved = useAppStore(policySelectors.saved);
  const error = useAppStore(policySelectors.savedError);
  return (
    <Panel title="Saved policies">
      {error && <ErrorMessage error={error} title="Could not list saved policies" />}
      {saved.length === 0 ? (
        <p className="empty">Nothing saved yet. “Save version” stores the policy above; every save is a new version.</p>
      ) : (
        <ul className="saved-list" aria-label="Saved policies">
          {saved.map((policy) => (
            <SavedPolicyItem key={policy.name} policy={policy} />
          ))}
        </ul>
      )}
      <VersionDiffResult />
    </Panel>
  );
}

function SavedPolicyItem({ policy }: { policy: PolicySummary }) {
  const openSavedPolicy = useAppStore((s) => s.openSavedPolicy);
  const deletePolicyVersion = useAppStore((s) => s.deletePolicyVersion);
  const latest = policy.versions.at(-1);
  return (
    <li className="saved-item">
      <div className="saved-item-header">
        <div>
          <strong>{policy.name}</strong>
          <span className="muted small">
            {" "}
            · {FAMILY_LABELS[policy.family]} · {policy.versions.length} {policy.versions.length === 1 ? "version" : "versions"}
            {latest ? ` · last saved ${formatDateTime(latest.savedAt)}` : ""}
          </span>
        </div>
        <button type="button" className="button button-small" aria-label={`Open ${policy.name}`} onClick={() => void openSavedPolicy(policy.name)}>
          Open
        </button>
      </div>
      <details className="versions">
        <summary>Versions</summary>
        <ol className="version-list" aria-label={`Versions of ${policy.name}`}>
          {[...policy.versions].reverse().map((version) => (
            <li key={version.version} className="version-row">
              <span>
                v{version.version} <span className="muted small">{formatDateTime(version.savedAt)}</span>
              </span>
              <button type="button" className="button button-quiet button-small" aria-label={`Open ${policy.name} version ${version.version}`} onClick={() => void openSavedPolicy(policy.name, version.version)}>
                Open
              </button>
              <ConfirmButton
                label="Delete"
                ariaLabel={`Delete ${policy.name} version ${version.version}`}
                title={`Delete ${policy.name} v${version.version}?`}
                message={() =>
                  version.runs > 0
                    ? `${version.runs} ${version.runs === 1 ? "run uses" : "runs use"} this version, so it is hidden instead: the ${version.runs === 1 ? "run keeps" : "runs keep"} its name, number and text, and the lists stop showing it.`
                    : "The version is deleted; its number is never given to another version. This cannot be undone."
                }
                confirmLabel={version.runs > 0 ? "Hide version" : "Delete version"}
                onConfirm={() => deletePolicyVersion(policy.name, version.version)}
              />
            </li>
          ))}
        </ol>
        {policy.versions.length > 1 && <CompareVersionsForm policy={policy} />}
      </details>
    </li>
  );
}

function CompareVersionsForm({ policy }: { policy: PolicySummary }) {
  const compareVersions = useAppStore((s) => s.compareVersions);
  const numbers = policy.versions.map((version) => version.version);
  const [from, setFrom] = useState(numbers.at(-2) ?? numbers[0]!);
  const [to, setTo] = useState(numbers.at(-1)!);
  const versionSelect = (label: string, value: number, onChange: (version: number) => void) => (
    <select className="select select-small" aria-label={label} value={value} onChange={(event) => onChange(Number(event.target.value))}>
      {numbers.map((number) => (
        <option key={number} value={number}>
          v{number}
        </option>
      ))}
    </select>
  );
  return (
    <div className="inline-form compare-form">
      <span aria-hidden="true">Compare</span>
      {versionSelect("Compare from version", from, setFrom)}
      <span aria-hidden="true">with</span>
      {versionSelect("Compare to version", to, setTo)}
      <button type="button" className="button button-small" onClick={() => void compareVersions(policy.name, from, to)}>
        Show changes
      </button>
    </div>
  );
}

function VersionDiffResult() {
  const versionDiff = useAppStore(policySelectors.versionDiff);
  if (!versionDiff) return null;
  const fromLabel = `v${versionDiff.from}`;
  const toLabel = `v${versionDiff.to}`;
  return (
    <div className="version-diff">
      <h3 className="subheading">
        {versionDiff.name}: {fromLabel} → {toLabel}
      </h3>
      {versionDiff.status === "loading" && <p className="status-line">Loading…</p>}
      {versionDiff.error && <ErrorMessage error={versionDiff.error} />}
      {versionDiff.diff && <PolicyDiffView diff={versionDiff.diff} fromLabel={fromLabel} toLabel={toLabel} />}
    </div>
  );
}
