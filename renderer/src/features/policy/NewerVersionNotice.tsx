/**
 * A draft restored after a reload (or kept open for a while) never stands in silently for a newer saved version of its
 * policy: this says a newer one exists and offers it, or lets the user keep their draft.
 */
import { InfoMessage } from "../../components/ErrorMessage.tsx";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "./familyLabels.ts";
import { policySelectors } from "./selectors.ts";

export function NewerVersionNotice({ family }: { family: PromptFamily }) {
  const newer = useAppStore(policySelectors.newerSavedVersionOf(family));
  const openSaved = useAppStore((s) => s.openSavedPolicy);
  const keep = useAppStore((s) => s.keepDraftOverNewer);
  if (!newer) return null;
  return (
    <InfoMessage>
      “{newer.name}” has a newer saved version ({newer.version}) than version {newer.from}, which this {FAMILY_LABELS[family]} draft came from.{" "}
      <button type="button" className="button button-small" onClick={() => void openSaved(newer.name, newer.version)}>
        Open version {newer.version}
      </button>{" "}
      <button type="button" className="button button-quiet button-small" onClick={() => keep(family)}>
        Keep this draft
      </button>
    </InfoMessage>
  );
}
