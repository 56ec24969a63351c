/**
 * The custom guard editor of one library model (issue #15.3b): the answer words that mean unsafe and safe, the pattern
 * that reads the verdict, and the chat template (the model file's own unless the user pastes another). Saved with the
 * model on the main side, which checks it and answers a preview of the prompt it builds.
 */
import { useEffect, useId, useState, type FormEvent } from "react";
import type { CustomGuardDefinition } from "../../../../shared/families/customGuard.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { useAppStore } from "../../store/index.ts";
import { customGuardSelectors } from "./selectors.ts";
import type { CustomGuardDraft } from "./slice.ts";

interface DraftFields {
  name: string;
  unsafe: string;
  safe: string;
  after: string;
  pattern: string;
  ownTemplate: boolean;
  template: string;
  variables: string;
}

const NEW_GUARD: DraftFields = { name: "", unsafe: "unsafe", safe: "safe", after: "", pattern: "^\\s*(?<verdict>\\w+)", ownTemplate: true, template: "", variables: "" };

function fieldsOf(definition: CustomGuardDefinition | undefined, fileName: string): DraftFields {
  if (!definition) return { ...NEW_GUARD, name: fileName.replace(/\.gguf$/i, "") };
  return {
    name: definition.name,
    unsafe: definition.decision.unsafe,
    safe: definition.decision.safe,
    after: definition.decision.after,
    pattern: definition.verdict.pattern,
    ownTemplate: definition.template === undefined,
    template: definition.template ?? "",
    variables: Object.keys(definition.variables).length > 0 ? JSON.stringify(definition.variables, null, 2) : "",
  };
}

/** The fields as a definition, or why the variables cannot be one (the rest is checked by the main side). */
function draftOf(fields: DraftFields, kept: CustomGuardDefinition | undefined): { ok: true; draft: CustomGuardDraft } | { ok: false; message: string } {
  let variables: unknown = {};
  if (fields.variables.trim() !== "") {
    try {
      variables = JSON.parse(fields.variables);
    } catch (error) {
      return { ok: false, message: `Template variables are not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (variables === null || typeof variables !== "object" || Array.isArray(variables)) return { ok: false, message: 'Template variables must be a JSON object, such as {"guideline": "…"}' };
  }
  return {
    ok: true,
    draft: {
      name: fields.name,
      decision: { unsafe: fields.unsafe, safe: fields.safe, after: fields.after, matchCase: kept?.decision.matchCase ?? "any" },
      verdict: { pattern: fields.pattern, flags: kept?.verdict.flags ?? "i" },
      variables: variables as Record<string, never>,
      ...(fields.ownTemplate ? {} : { template: fields.template }),
      // What the model vocabulary gives when it loads stays unset; a definition from a file keeps its own.
      ...(kept?.bosToken !== undefined && { bosToken: kept.bosToken }),
      ...(kept?.eosToken !== undefined && { eosToken: kept.eosToken }),
      ...(kept?.specialTokens !== undefined && { specialTokens: kept.specialTokens }),
    },
  };
}

export function CustomGuardEditor({ modelId, fileName }: { modelId: string; fileName: string }) {
  const id = useId();
  const entry = useAppStore(customGuardSelectors.entryOf(modelId));
  const open = useAppStore((s) => s.openCustomGuard);
  const save = useAppStore((s) => s.saveCustomGuard);
  const remove = useAppStore((s) => s.removeCustomGuard);
  const saved = entry.report?.definition;
  const [fields, setFields] = useState<DraftFields>(() => fieldsOf(saved, fileName));
  const [problem, setProblem] = useState<string>();

  useEffect(() => void open(modelId), [open, modelId]);
  // The saved definition arrives after the first render (or changes after a save): the fields follow it.
  useEffect(() => setFields(fieldsOf(saved, fileName)), [saved, fileName]);

  const set = <K extends keyof DraftFields>(key: K, value: DraftFields[K]) => setFields((current) => ({ ...current, [key]: value }));
  const fileTemplate = entry.report?.embeddedTemplate;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (entry.saving) return;
    const built = draftOf(fields, saved);
    setProblem(built.ok ? undefined : built.message);
    if (built.ok) await save(modelId, built.draft);
  }

  const field = (key: "name" | "unsafe" | "safe" | "after" | "pattern", label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`} className="field-label">
        {label}
      </label>
      <input id={`${id}-${key}`} className={`input${key === "pattern" ? " mono" : ""}`} type="text" value={fields[key]} spellCheck={false} onChange={(event) => set(key, event.target.value)} aria-describedby={hint ? `${id}-${key}-hint` : undefined} />
      {hint && (
        <p id={`${id}-${key}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );

  return (
    <form className="custom-guard-form" onSubmit={(event) => void submit(event)} noValidate aria-label={`Custom guard for ${fileName}`}>
      <p className="muted small">
        A model of no known family, scored with its own chat template: P(unsafe) is the probability of the unsafe word (any case, with or without a leading space) where the answer starts, and the pattern reads the verdict
        from the answer.
      </p>
      {entry.loading && !entry.report && <p className="status-line">Reading the custom guard…</p>}
      {field("name", "Guard name")}
      {field("unsafe", "Word that means unsafe", "One word, matched as the first token of the answer (Yes, unsafe, flagged …).")}
      {field("safe", "Word that means safe")}
      {field("after", "Text the model writes before the word", "Usually empty; e.g. “Verdict: ” when the model starts its answer with it.")}
      {field("pattern", "Verdict pattern", "A regular expression with a named group (?<verdict>…) for the word, and optionally (?<categories>…) for a comma-separated list of the policy's codes.")}
      <div className="field">
        <label className="checkbox">
          <input type="checkbox" checked={fields.ownTemplate} onChange={(event) => set("ownTemplate", event.target.checked)} /> Use the model file's own chat template
        </label>
        {fields.ownTemplate && fileTemplate === undefined && entry.report && <p className="field-error">This model file has no chat template: paste one.</p>}
      </div>
      {!fields.ownTemplate && (
        <div className="field">
          <label htmlFor={`${id}-template`} className="field-label">
            Chat template (Jinja)
          </label>
          <textarea id={`${id}-template`} className="textarea mono" rows={8} value={fields.template} spellCheck={false} onChange={(event) => set("template", event.target.value)} />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-variables`} className="field-label">
          Template variables (JSON, optional)
        </label>
        <textarea id={`${id}-variables`} className="textarea mono" rows={3} value={fields.variables} spellCheck={false} placeholder='{"guideline": "…"}' onChange={(event) => set("variables", event.target.value)} />
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {entry.error && <ErrorMessage error={entry.error} title="The custom guard was not saved" />}
      <div className="inline-form">
        <button type="submit" className="button button-primary button-small" aria-disabled={entry.saving}>
          {entry.saving ? "Saving…" : "Save custom guard"}
        </button>
        {saved && (
          <button type="button" className="button button-quiet button-small button-danger-text" onClick={() => void remove(modelId)}>
            Remove custom guard
          </button>
        )}
      </div>
      {saved && entry.report?.savedAt && (
        <p role="status" className="muted small" aria-label={`Custom guard status of ${fileName}`}>
          Saved “{saved.name}” with this model ({new Date(entry.report.savedAt).toLocaleString()}).
        </p>
      )}
      {entry.report?.preview?.ok && (
        <details>
          <summary>Prompt preview</summary>
          <pre className="mono small prompt-preview" aria-label={`Prompt preview of ${fileName}`}>
            {entry.report.preview.text}
          </pre>
        </details>
      )}
    </form>
  );
}
