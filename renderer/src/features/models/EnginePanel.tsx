/** The engine: which model is loaded (or loading, or why it failed), what it computes on and why, and this machine. */
import type { ModelTemplateCheck } from "../../../../shared/families/index.ts";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatBytes } from "../../components/format.ts";
import { Panel } from "../../components/Panel.tsx";
import { ProgressBar } from "../../components/ProgressBar.tsx";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { modelsSelectors } from "./selectors.ts";

export function EnginePanel() {
  return (
    <Panel title="Engine">
      <EngineState />
      <MachineSummary />
    </Panel>
  );
}

function EngineState() {
  const engine = useAppStore(modelsSelectors.engine);
  const loadJob = useAppStore(modelsSelectors.loadJob);
  const compute = useAppStore(modelsSelectors.computeSummary);
  const unloadModel = useAppStore((s) => s.unloadModel);
  const cancelJob = useAppStore((s) => s.cancelJob);
  const fileName = engine.model?.path.split(/[\\/]/).pop();

  switch (engine.state) {
    case "idle":
      return (
        <div className="engine-state">
          <p role="status">No model loaded. Every screen works without one, but classifying and counting tokens need a model: load one from Installed.</p>
        </div>
      );
    case "loading":
      return (
        <div className="engine-state" role="status">
          <p>
            Loading <strong>{fileName}</strong>
            {loadJob ? ` (${loadJob.stage === "starting" ? "starting the engine" : "reading the weights"})` : ""}…
          </p>
          <ProgressBar label={`Loading ${fileName ?? "the model"}`} />
          {engine.jobId && (
            <button type="button" className="button button-small" onClick={() => void cancelJob(engine.jobId!)}>
              Cancel loading
            </button>
          )}
        </div>
      );
    case "ready":
      return (
        <div className="engine-state">
          <p role="status">
            <span className="badge badge-ok">Ready</span> <strong>{fileName}</strong> · {FAMILY_LABELS[engine.model!.family]}
            {engine.model!.customGuardName !== undefined && ` “${engine.model!.customGuardName}”`}
            {engine.model?.contextSize ? ` · ${engine.model.contextSize.toLocaleString()}-token context` : ""}
          </p>
          {compute && <p className="muted small">Computing on: {compute}</p>}
          {engine.model?.templateCheck && <TemplateCheckNote check={engine.model.templateCheck} />}
          {engine.classified !== undefined && <p className="muted small">Classified since loaded: {engine.classified.toLocaleString()}</p>}
          <button type="button" className="button button-small" onClick={() => void unloadModel()}>
            Unload
          </button>
        </div>
      );
    case "failed":
      return <ErrorMessage error={engine.error ?? { message: "The model could not be loaded." }} title={`Could not load ${fileName ?? "the model"}`} />;
    case "crashed":
      return (
        <ErrorMessage
          error={{ message: engine.error?.message ?? "The engine process stopped.", hint: engine.error?.hint ?? "The next request restarts it and reloads the model." }}
          title="The engine crashed"
        />
      );
  }
}

/**
 * Whether the prompt Guardbench builds for this family is what the model's own chat template renders: the trust signal
 * that the scores come from the prompt the model was trained on. A difference shows both sides where they part.
 */
export function TemplateCheckNote({ check }: { check: ModelTemplateCheck }) {
  switch (check.status) {
    case "identical":
      return (
        <p className="muted small" aria-label="Prompt check">
          <span className="badge badge-ok">Prompt checked</span> {check.summary}
        </p>
      );
    case "different":
      return (
        <div className="warnings" role="alert" aria-label="Prompt check">
          <p>
            <span className="badge badge-warn">Prompt differs</span> {check.summary}
          </p>
          {check.difference && (
            <details>
              <summary>Where they differ</summary>
              <dl className="facts">
                <div>
                  <dt>Guardbench</dt>
                  <dd>
                    <code>{check.difference.builder}</code>
                  </dd>
                </div>
                <div>
                  <dt>Model&apos;s template</dt>
                  <dd>
                    <code>{check.difference.template}</code>
                  </dd>
                </div>
              </dl>
            </details>
          )}
        </div>
      );
    case "template-error":
      return (
        <p className="warnings small" aria-label="Prompt check">
          <span className="badge badge-warn">Prompt not checked</span> {check.summary}
        </p>
      );
    case "unchecked":
      return (
        <p className="muted small" aria-label="Prompt check">
          {check.summary}
        </p>
      );
  }
}

function MachineSummary() {
  const hardware = useAppStore(modelsSelectors.hardware);
  const engineState = useAppStore(modelsSelectors.engineState);
  const compute = useAppStore(modelsSelectors.computeSummary);
  if (!hardware) return null;
  return (
    <dl className="facts">
      <div>
        <dt>Memory</dt>
        <dd>
          {formatBytes(hardware.freeRamBytes)} free of {formatBytes(hardware.totalRamBytes)}
        </dd>
      </div>
      <div>
        <dt>CPU</dt>
        <dd>{hardware.cpuCores} cores</dd>
      </div>
      <div>
        <dt>GPU</dt>
        <dd>{hardware.gpu ? `${hardware.gpu.deviceNames.join(", ") || hardware.gpu.backend} (${hardware.gpu.backend}), ${formatBytes(hardware.gpu.freeVramBytes)} free` : "none usable"}</dd>
      </div>
      {engineState !== "ready" && compute && (
        <div>
          <dt>Inference</dt>
          <dd>{compute}</dd>
        </div>
      )}
    </dl>
  );
}
