/** A model family's own settings as checkboxes (Qwen3Guard: Count Controversial as flagged), for a classify or a run. */
export interface FamilySettingChoice {
  id: string;
  label: string;
  description: string;
  value: boolean;
}

export function FamilySettingsFieldset({ legend, choices, onChange }: { legend: string; choices: readonly FamilySettingChoice[]; onChange(id: string, value: boolean): void }) {
  if (choices.length === 0) return null;
  return (
    <fieldset className="choices family-settings">
      <legend className="small">{legend}</legend>
      {choices.map((choice) => (
        <label key={choice.id} className="checkbox" title={choice.description}>
          <input type="checkbox" checked={choice.value} onChange={(event) => onChange(choice.id, event.target.checked)} /> {choice.label}
        </label>
      ))}
    </fieldset>
  );
}
