/**
 * The model picker on the Classify screen (LM Studio's top bar): the model in use, and a list of installed models with
 * family, quant, size and fit, each loaded with one click. A load shows llama.cpp's progress with Cancel; a failed one
 * says why right here. With one model installed and none loaded, that model is one click away without opening the list.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { FitBadge } from "../../components/FitBadge.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatBytes } from "../../components/format.ts";
import { Kbd } from "../../components/Panel.tsx";
import { ProgressBar } from "../../components/ProgressBar.tsx";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { FamilyOptions } from "../policy/FamilyOptions.tsx";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { modelsSelectors, type PickerModel } from "./selectors.ts";

export function ModelPicker() {
  const open = useAppStore(modelsSelectors.pickerOpen);
  const setOpen = useAppStore((s) => s.setModelPickerOpen);
  const engine = useAppStore(modelsSelectors.engine);
  const models = useAppStore(modelsSelectors.pickerModels);
  const popoverId = useId();
  const loaded = models.find((model) => model.loaded);
  const name = loaded ? loaded.fileName : engine.state === "ready" ? (engine.model?.path.split(/[\\/]/).pop() ?? "a model") : undefined;
  const only = models.length === 1 && !models[0]!.problem ? models[0]! : undefined;
  const offerOnly = only && !only.loaded && (engine.state === "idle" || engine.state === "failed");
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    // A click anywhere else closes the list, as a menu does.
    const onPointerDown = (event: PointerEvent) => {
      if (!container.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open, setOpen]);

  return (
    <div className="model-picker" ref={container}>
      <div className="model-picker-bar">
        <button
          type="button"
          className={`model-picker-button${name ? " model-picker-button-loaded" : ""}`}
          aria-haspopup="dialog"
          aria-expanded={open}
          aria-controls={open ? popoverId : undefined}
          aria-keyshortcuts="Control+L Meta+L"
          onClick={() => setOpen(!open)}
        >
          <span className="model-picker-label">{name ? "Model" : "No model loaded"}</span>
          <span className="model-picker-name">{name ?? "Select a model to load"}</span>
          {engine.state === "ready" && engine.model && (
            <span className="model-picker-meta">
              {FAMILY_LABELS[engine.model.family]}
              {engine.model.quant ? ` · ${engine.model.quant}` : ""}
            </span>
          )}
          <span aria-hidden="true" className="model-picker-key">
            <Kbd>Ctrl+L</Kbd>
          </span>
        </button>
        {offerOnly && !open && <LoadOnlyModel model={only} />}
      </div>
      <LoadStatus />
      {open && <PickerPopover id={popoverId} models={models} onClose={() => setOpen(false)} />}
    </div>
  );
}

/** One model installed, none loaded: load it without opening the list (when its family is known). */
function LoadOnlyModel({ model }: { model: PickerModel }) {
  const loadModel = useAppStore((s) => s.loadModel);
  const setOpen = useAppStore((s) => s.setModelPickerOpen);
  const loading = useAppStore(modelsSelectors.loading);
  if (loading) return null;
  return (
    <button
      type="button"
      className="button button-primary"
      onClick={() => (model.family ? void loadModel(model.id, model.family) : setOpen(true))}
      aria-label={`Load ${model.fileName}, the installed model`}
    >
      Load {model.fileName}
    </button>
  );
}

/** The load in progress (a real percentage once llama.cpp reports one, Cancel), or why the last one failed. */
function LoadStatus() {
  const loading = useAppStore(modelsSelectors.loading);
  const engine = useAppStore(modelsSelectors.engine);
  const actionError = useAppStore(modelsSelectors.actionError);
  const cancelLoad = useAppStore((s) => s.cancelLoad);
  if (loading) {
    const percent = loading.progress === undefined ? undefined : Math.round(loading.progress * 100);
    const detail = percent === undefined ? (loading.stage === "starting" ? "starting the engine…" : "reading the model…") : percent === 100 ? "100% · preparing the context…" : `${percent}%`;
    return (
      <div className="model-load" role="group" aria-label="Model load">
        <ProgressBar label={`Loading ${loading.fileName}`} value={loading.progress} detail={detail} />
        <button type="button" className="button button-small" onClick={() => void cancelLoad()} aria-keyshortcuts="Escape">
          Cancel loading
        </button>
      </div>
    );
  }
  if (engine.state === "failed") {
    const fileName = engine.model?.path.split(/[\\/]/).pop();
    return <ErrorMessage error={engine.error ?? { message: "The model could not be loaded." }} title={`Could not load ${fileName ?? "the model"}`} />;
  }
  if (actionError) return <ErrorMessage error={actionError} title="Could not load the model" />;
  return null;
}

function PickerPopover({ id, models, onClose }: { id: string; models: readonly PickerModel[]; onClose(): void }) {
  const autoLoad = useAppStore(modelsSelectors.autoLoadLastModel);
  const setAutoLoad = useAppStore((s) => s.setAutoLoadLastModel);
  const navigate = useAppStore((s) => s.navigate);
  const libraryLoaded = useAppStore(modelsSelectors.libraryLoaded);
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.querySelector<HTMLElement>("button:not([aria-disabled='true']), select")?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === "Escape") {
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    // Up and down move between the models' Load buttons, as in a list.
    const buttons = [...(list.current?.querySelectorAll<HTMLElement>(".picker-load") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    const next = buttons[at + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  }

  return (
    <div id={id} className="model-popover" role="dialog" aria-label="Pick a model" onKeyDown={onKeyDown}>
      {!libraryLoaded ? (
        <p className="status-line">Reading the model library…</p>
      ) : models.length === 0 ? (
        <p className="empty">
          No models installed.{" "}
          <button type="button" className="link-button" onClick={() => navigate("models")}>
            Download or import one on the Models screen
          </button>
        </p>
      ) : (
        <ul ref={list} className="picker-list" aria-label="Installed models to load">
          {models.map((model) => (
            <PickerRow key={model.id} model={model} />
          ))}
        </ul>
      )}
      <div className="model-popover-foot">
        <label className="checkbox">
          <input type="checkbox" checked={autoLoad} onChange={(event) => setAutoLoad(event.target.checked)} />
          Load the last used model at start when it fits in memory
        </label>
        <button type="button" className="button button-quiet button-small" onClick={() => navigate("models")}>
          Manage models…
        </button>
      </div>
    </div>
  );
}

function PickerRow({ model }: { model: PickerModel }) {
  const familyId = useId();
  const loadModel = useAppStore((s) => s.loadModel);
  const loading = useAppStore(modelsSelectors.loading);
  const [family, setFamily] = useState<PromptFamily | "">(model.family ?? "");
  const disabled = model.problem !== undefined || family === "" || model.loaded;
  return (
    <li className={`picker-row${model.loaded ? " picker-row-loaded" : ""}`}>
      <button
        type="button"
        className="picker-load"
        aria-disabled={disabled}
        aria-label={`${model.loaded ? "Loaded" : "Load"} ${model.fileName}`}
        aria-describedby={`${familyId}-facts`}
        onClick={() => !disabled && void loadModel(model.id, family)}
      >
        <span className="picker-name mono">{model.fileName}</span>
        <span id={`${familyId}-facts`} className="picker-facts">
          {family ? FAMILY_LABELS[family] : "prompt format unknown"}
          {model.quant ? ` · ${model.quant}` : ""} · {formatBytes(model.sizeBytes)}
          {loading?.fileName === model.fileName ? " · loading" : model.loaded ? " · loaded" : ""}
        </span>
      </button>
      {model.fit && <FitBadge rating={model.fit.rating} reason={model.fit.reason} />}
      {model.problem ? (
        <p className="small field-error">{model.problem}</p>
      ) : (
        !model.family && (
          <div className="field field-inline">
            <label htmlFor={familyId} className="field-label">
              Prompt format for {model.fileName}
            </label>
            <select id={familyId} className="select select-small" value={family} onChange={(event) => setFamily(event.target.value as PromptFamily)}>
              <option value="">Choose…</option>
              <FamilyOptions />
            </select>
          </div>
        )
      )}
    </li>
  );
}
