/** The changes between two versions of a policy (shared `diffPolicies`), one sentence per change. */
import type { CategoryChange, PolicyDiff } from "../../../shared/taxonomy/index.ts";

function describeChange(change: CategoryChange): string {
  switch (change.kind) {
    case "added":
      return `${change.code} added: “${change.category.name.trim()}”`;
    case "removed":
      return `${change.code} removed (was “${change.category.name.trim()}”)`;
    case "renamed":
      return `${change.code} renamed from “${change.from.trim()}” to “${change.to.trim()}”`;
    case "descriptionChanged":
      return `${change.code} description changed`;
    case "enabledChanged":
      return `${change.code} ${change.to ? "included" : "excluded"}`;
    case "moved":
      return `${change.code} moved from position ${change.fromIndex + 1} to ${change.toIndex + 1}`;
  }
}

export function PolicyDiffView({ diff, fromLabel, toLabel }: { diff: PolicyDiff; fromLabel: string; toLabel: string }) {
  const lines = [
    ...(diff.name ? [`Name changed from “${diff.name.from}” to “${diff.name.to}”`] : []),
    ...(diff.family ? [`Family changed from ${diff.family.from} to ${diff.family.to}`] : []),
    ...diff.changes.map(describeChange),
  ];
  return (
    <div className="diff" aria-label={`Changes from ${fromLabel} to ${toLabel}`} role="region">
      {lines.length === 0 ? (
        <p className="muted">
          {fromLabel} and {toLabel} are identical.
        </p>
      ) : (
        <ul className="diff-list">
          {lines.map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
