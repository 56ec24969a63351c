/** The model library: each installed file, what it is, and Load / Unload / Remove. */
import { useId, useState, type FormEvent } from "react";
import type { ModelSummary } from "../../../../shared/ipc/index.ts";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { DropZone } from "../../components/DropZone.tsx";
import { ConfirmPath } from "../../components/FileChoiceControls.tsx";
import { ProgressBar } from "../../components/ProgressBar.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatBytes } from "../../components/format.ts";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { appSelectors } from "../app/selectors.ts";
import { FamilyOptions } from "../policy/FamilyOptions.tsx";
import { modelsSelectors } from "./selectors.ts";
import { CUSTOM_GUARD_ID } from "../../../../shared/families/customGuard.ts";
import { CustomGuardEditor } from "../customGuard/CustomGuardEditor.tsx";
import { customGuardSelectors } from "../customGuard/selectors.ts";

export function InstalledPanel() {
  const installed = useAppStore(modelsSelectors.installed);
  const error = useAppStore(modelsSelectors.libraryError);
  const modelsDir = useAppStore(modelsSelectors.modelsDir);
  const loaded = useAppStore(modelsSelectors.libraryLoaded);
  return (
    <Panel title="Installed">
      {error && <ErrorMessage error={error} title="Could not list the model library" />}
      {!loaded && !error ? (
        <p className="status-line">Reading the model library…</p>
      ) : installed.length === 0 ? (
        <p className="empty">No models yet. Download one from the catalog{modelsDir ? `, or put a .gguf file into ${modelsDir}` : ""}.</p>
      ) : (
        <ul className="plain-list" aria-label="Installed models">
          {installed.map((model) => (
            <InstalledModel key={model.id} model={model} />
          ))}
        </ul>
      )}
      <ImportForm />
      {modelsDir && <p className="muted small">Library folder: <span className="mono">{modelsDir}</span></p>}
    </Panel>
  );
}

/**
 * Desktop: the native dialog (or a file the OS opened Guardbench with, shown ready to import). Browser: a typed path,
 * confirmed before anything is read — the main side reads the file where it is, so gigabytes are never uploaded.
 */
function ImportForm() {
  const chooser = useAppStore(appSelectors.fileChooser);
  const error = useAppStore(modelsSelectors.importError);
  const upload = useAppStore(modelsSelectors.importUpload);
  const dropModel = useAppStore((s) => s.importDroppedModel);
  return (
    <div className="import-form">
      <DropZone
        label="Model file"
        hint={chooser === "dialog" ? "Or drop a .gguf file here." : "Or drop a .gguf file here: the browser uploads it (a typed path is read in place, without the upload)."}
        onFile={(file) => void dropModel(file)}
      >
        {chooser === "dialog" ? <ImportWithDialog /> : <ImportTypedPath />}
      </DropZone>
      {upload && <ProgressBar label={`Uploading ${upload.name}`} value={upload.sent} max={upload.total || 1} detail={`${formatBytes(upload.sent)} of ${formatBytes(upload.total)}`} />}
      {error && <ErrorMessage error={error} title="Could not import" />}
    </div>
  );
}

function ImportWithDialog() {
  const importing = useAppStore(modelsSelectors.importing);
  const opened = useAppStore(modelsSelectors.importPath);
  const choose = useAppStore((s) => s.chooseModelFile);
  const importModel = useAppStore((s) => s.importModel);
  return (
    <>
      <p className="field-label">Import a .gguf file from this machine</p>
      <div className="inline-form">
        {opened !== "" && (
          <>
            <span className="mono small">{opened}</span>
            <button type="button" className="button button-primary button-small" aria-disabled={importing} onClick={() => !importing && void importModel(opened)}>
              {importing ? "Importing…" : "Import"}
            </button>
          </>
        )}
        <button type="button" className="button button-small" aria-disabled={importing} onClick={() => !importing && void choose()}>
          Choose a .gguf file…
        </button>
      </div>
    </>
  );
}

function ImportTypedPath() {
  const pathId = useId();
  const importing = useAppStore(modelsSelectors.importing);
  const confirming = useAppStore(modelsSelectors.importConfirming);
  const path = useAppStore(modelsSelectors.importPath);
  const setPath = useAppStore((s) => s.setModelImportPath);
  const requestImport = useAppStore((s) => s.requestModelImport);
  const confirmImport = useAppStore((s) => s.confirmModelImport);
  const cancelImport = useAppStore((s) => s.cancelModelImport);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!importing) requestImport();
  }

  return (
    <>
      <form onSubmit={submit}>
        <label htmlFor={pathId} className="field-label">
          Import a .gguf file from this machine
        </label>
        <div className="inline-form">
          <input id={pathId} className="input mono import-path" type="text" value={path} placeholder="/path/to/model.gguf" spellCheck={false} onChange={(event) => setPath(event.target.value)} />
          <button type="submit" className="button button-small" aria-disabled={importing}>
            {importing ? "Importing…" : "Import"}
          </button>
        </div>
      </form>
      {confirming && <ConfirmPath path={path.trim()} action="import" busy={importing} onConfirm={() => void confirmImport()} onCancel={cancelImport} />}
    </>
  );
}

function InstalledModel({ model }: { model: ModelSummary }) {
  const familyId = useId();
  const computeId = useId();
  const loadedId = useAppStore(modelsSelectors.loadedModelId);
  const engineState = useAppStore(modelsSelectors.engineState);
  const loadModel = useAppStore((s) => s.loadModel);
  const unloadModel = useAppStore((s) => s.unloadModel);
  const removeModel = useAppStore((s) => s.removeModel);
  const catalogFamilies = useAppStore(modelsSelectors.catalogFamilies);
  const detected = model.info?.promptFamily;
  const catalogFamily = model.catalog ? catalogFamilies[model.catalog.modelId] : undefined;
  const [family, setFamily] = useState<PromptFamily | "">(detected?.family ?? catalogFamily ?? "");
  const [compute, setCompute] = useState<"auto" | "cpu">("auto");
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const customGuardSaved = useAppStore(customGuardSelectors.savedFor(model.id));
  const isLoaded = loadedId === model.id;
  // A custom guard loads with the definition saved with the file: there is nothing to load before one is saved.
  const loadable = family !== "" && (family !== CUSTOM_GUARD_ID || customGuardSaved);
  const label = model.fileName;

  return (
    <li className="installed">
      <div className="installed-header">
        <div>
          <strong className="mono">{model.fileName}</strong>
          {isLoaded && <span className="badge badge-ok">Loaded</span>}
          <p className="muted small">
            {formatBytes(model.sizeBytes)}
            {model.info ? ` · ${model.info.quantType} · ${model.info.architecture}` : ""}
            {model.repo ? ` · ${model.repo}` : model.origin === "imported" ? " · imported" : ""}
          </p>
        </div>
      </div>
      {model.problem ? (
        <ErrorMessage error={model.problem} title="This file cannot be used" />
      ) : (
        <div className="load-form">
          {!detected && model.info?.guardFamily && !model.info.guardFamily.scorable && (
            <p className="warnings small" role="note" aria-label={`Family of ${label}`}>
              This is a <strong>{model.info.guardFamily.name}</strong> model ({model.info.guardFamily.reason}). Guardbench cannot score {model.info.guardFamily.name} yet; a prompt format chosen here would give
              meaningless scores.
            </p>
          )}
          <div className="field field-inline">
            <label htmlFor={familyId} className="field-label">
              Prompt format
            </label>
            <select id={familyId} className="select select-small" value={family} onChange={(event) => setFamily(event.target.value as PromptFamily)} aria-describedby={`${familyId}-why`}>
              {!detected && <option value="">Choose…</option>}
              <FamilyOptions />
            </select>
          </div>
          <div className="field field-inline">
            <label htmlFor={computeId} className="field-label">
              Run on
            </label>
            <select id={computeId} className="select select-small" value={compute} onChange={(event) => setCompute(event.target.value as "auto" | "cpu")}>
              <option value="auto">GPU if it works</option>
              <option value="cpu">CPU only</option>
            </select>
          </div>
          {isLoaded ? (
            <button type="button" className="button button-small" onClick={() => void unloadModel()} aria-label={`Unload ${label}`}>
              Unload
            </button>
          ) : (
            <button
              type="button"
              className="button button-primary button-small"
              aria-label={`Load ${label}`}
              aria-disabled={!loadable || engineState === "loading"}
              onClick={() => loadable && engineState !== "loading" && void loadModel(model.id, family, compute)}
            >
              Load
            </button>
          )}
          {confirmingRemove ? (
            <>
              <button type="button" className="button button-small button-danger" onClick={() => void removeModel(model.id)} aria-label={`Confirm removing ${label}`}>
                Delete file
              </button>
              <button type="button" className="button button-quiet button-small" onClick={() => setConfirmingRemove(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="button button-quiet button-small button-danger-text" onClick={() => setConfirmingRemove(true)} aria-label={`Remove ${label}`} disabled={isLoaded}>
              Remove
            </button>
          )}
        </div>
      )}
      <p id={`${familyId}-why`} className="muted small">
        {detected
          ? `Detected: ${detected.reason}`
          : "The prompt format could not be detected from the file: choose the one the model was trained with, or define a custom guard (its own template, your decision words and verdict pattern)."}
      </p>
      {!model.problem && family === CUSTOM_GUARD_ID && <CustomGuardEditor modelId={model.id} fileName={model.fileName} />}
    </li>
  );
}
