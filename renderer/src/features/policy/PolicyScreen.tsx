/** The Policy screen: edit the policy of a prompt family on the left, see the exact prompt it makes on the right. */
import { useId } from "react";
import { InfoMessage } from "../../components/ErrorMessage.tsx";
import { ScreenHeader } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { modelsSelectors } from "../models/selectors.ts";
import { FAMILY_LABELS } from "./familyLabels.ts";
import { FamilyOptions } from "./FamilyOptions.tsx";
import { NewerVersionNotice } from "./NewerVersionNotice.tsx";
import { PolicyEditor } from "./PolicyEditor.tsx";
import { MappingEditor } from "./MappingEditor.tsx";
import { PolicyFileActions } from "./PolicyFileActions.tsx";
import { PromptInspector } from "./PromptInspector.tsx";
import { SavedPolicies } from "./SavedPolicies.tsx";
import { policySelectors } from "./selectors.ts";

export function PolicyScreen() {
  return (
    <div className="screen">
      <ScreenHeader title="Policy" description="Choose which hazard categories the guard model checks, and how they are worded in its prompt.">
        <FamilyPicker />
      </ScreenHeader>
      <FamilyMismatchNotice />
      <EditedFamilyNewerNotice />
      <div className="policy-layout">
        <div className="stack">
          <PolicyEditor />
          <PolicyFileActions />
          <MappingEditor />
          <SavedPolicies />
        </div>
        <PromptInspector />
      </div>
    </div>
  );
}

function FamilyPicker() {
  const id = useId();
  const family = useAppStore(policySelectors.family);
  const selectFamily = useAppStore((s) => s.selectFamily);
  return (
    <div className="field field-inline">
      <label htmlFor={id} className="field-label">
        Model family
      </label>
      <select id={id} className="select" value={family} onChange={(event) => selectFamily(event.target.value as typeof family)}>
        <FamilyOptions />
      </select>
    </div>
  );
}

/** Each family keeps its own draft; classification always uses the loaded model's. Say so when they differ. */
function FamilyMismatchNotice() {
  const family = useAppStore(policySelectors.family);
  const modelFamily = useAppStore(modelsSelectors.readyFamily);
  const selectFamily = useAppStore((s) => s.selectFamily);
  if (!modelFamily || modelFamily === family) return null;
  return (
    <InfoMessage>
      You are editing the {FAMILY_LABELS[family]} policy, but the loaded model is {FAMILY_LABELS[modelFamily]} and classifies with its own policy.{" "}
      <button type="button" className="button button-quiet button-small" onClick={() => selectFamily(modelFamily)}>
        Edit the {FAMILY_LABELS[modelFamily]} policy
      </button>
    </InfoMessage>
  );
}

function EditedFamilyNewerNotice() {
  const family = useAppStore(policySelectors.family);
  return <NewerVersionNotice family={family} />;
}
