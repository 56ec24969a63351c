/** The policy's name and categories: include/exclude, rename, describe, reorder, add custom ones. */
import { useId, useState, type FormEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import { suggestNextCode } from "../../../../shared/taxonomy/index.ts";
import { taxonomyRules } from "../../../../shared/taxonomy/presets.ts";
import { CategoryEditor } from "../../components/CategoryEditor.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { policySelectors } from "./selectors.ts";

/** Says so when the family's template hard-codes its categories (Qwen3Guard): the editor's changes would be refused. */
function FixedTaxonomyNote() {
  const family = useAppStore((s) => s.policy.family);
  const rules = taxonomyRules(family);
  if (rules.customCategories && rules.exclusions) return null;
  return (
    <p className="notice small" role="note">
      {rules.customCategories
        ? `${rules.displayName} judges every category its template lists: none can be excluded.`
        : `${rules.displayName}'s categories are fixed by its template: they cannot be changed${rules.exclusions ? "" : " or excluded"}. Its policy is the preset.`}
    </p>
  );
}

export function PolicyEditor() {
  const categories = useAppStore(useShallow(policySelectors.categoryViews));
  const enabled = useAppStore(policySelectors.enabledCount);
  const editPolicy = useAppStore((s) => s.editPolicy);
  const unsaved = useAppStore(policySelectors.isUnsaved);
  const reset = useAppStore((s) => s.resetPolicyToPreset);
  return (
    <Panel
      title="Categories"
      actions={
        <>
          <span className="muted small" role="status">
            {enabled} of {categories.length} included{unsaved ? " · unsaved changes" : ""}
          </span>
          <button type="button" className="button button-small" onClick={reset}>
            Reset to preset
          </button>
        </>
      }
    >
      <PolicyNameAndSave />
      <FixedTaxonomyNote />
      <p className="muted small">Alt+↑ / Alt+↓ inside a category moves it. Codes are never renumbered: excluding S6 keeps S7 as S7.</p>
      <ol className="category-list" aria-label="Categories">
        {categories.map((category, index) => (
          <CategoryEditor
            key={category.code}
            index={index}
            count={categories.length}
            {...category}
            onToggle={(on) => editPolicy({ type: "setEnabled", code: category.code, enabled: on })}
            onRename={(name) => editPolicy({ type: "rename", code: category.code, name })}
            onDescribe={(description) => editPolicy({ type: "describe", code: category.code, description })}
            onMove={(toIndex) => editPolicy({ type: "move", code: category.code, toIndex })}
            onRemove={() => editPolicy({ type: "remove", code: category.code })}
          />
        ))}
      </ol>
      <AddCategoryForm />
    </Panel>
  );
}

function PolicyNameAndSave() {
  const nameId = useId();
  const draft = useAppStore(policySelectors.draft);
  const origin = useAppStore(policySelectors.origin);
  const saving = useAppStore(policySelectors.saving);
  const saveError = useAppStore(policySelectors.saveError);
  const renamePolicy = useAppStore((s) => s.renamePolicy);
  const savePolicy = useAppStore((s) => s.savePolicy);
  const nameMissing = draft.name.trim() === "";
  return (
    <div className="policy-name">
      <div className="field field-grow">
        <label htmlFor={nameId} className="field-label">
          Policy name
        </label>
        <input id={nameId} className="input" type="text" value={draft.name} onChange={(event) => renamePolicy(event.target.value)} aria-invalid={nameMissing || undefined} />
      </div>
      <div className="policy-save">
        <button type="button" className="button button-primary" aria-disabled={nameMissing || saving} onClick={() => !nameMissing && !saving && void savePolicy()}>
          {saving ? "Saving…" : "Save version"}
        </button>
        <span className="muted small">{origin ? `Opened from “${origin.name}” v${origin.version}` : "Not saved yet"}</span>
      </div>
      {saveError && <ErrorMessage error={saveError} title="Could not save the policy" />}
    </div>
  );
}

function AddCategoryForm() {
  const codeId = useId();
  const nameId = useId();
  const descriptionId = useId();
  const draft = useAppStore(policySelectors.draft);
  const editPolicy = useAppStore((s) => s.editPolicy);
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const suggested = suggestNextCode(draft);

  function submit(event: FormEvent) {
    event.preventDefault();
    const error = editPolicy({ type: "add", category: { code: code.trim() || suggested, name, description } });
    setProblem(error);
    if (!error) {
      setCode("");
      setName("");
      setDescription("");
    }
  }

  return (
    <form className="add-category" onSubmit={submit} aria-label="Add a custom category">
      <h3 className="subheading">Add a custom category</h3>
      <div className="add-category-fields">
        <div className="field field-code">
          <label htmlFor={codeId} className="field-label">
            Code
          </label>
          <input id={codeId} className="input mono" type="text" value={code} placeholder={suggested} onChange={(event) => setCode(event.target.value)} />
        </div>
        <div className="field field-grow">
          <label htmlFor={nameId} className="field-label">
            Name
          </label>
          <input id={nameId} className="input" type="text" value={name} onChange={(event) => setName(event.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={descriptionId} className="field-label">
          Description (optional)
        </label>
        <textarea id={descriptionId} className="textarea" rows={2} value={description} onChange={(event) => setDescription(event.target.value)} />
      </div>
      {problem && <p className="field-error" role="alert">{problem}</p>}
      <button type="submit" className="button">
        Add category
      </button>
    </form>
  );
}
