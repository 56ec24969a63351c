/** Datasets: import a chosen file (with a column-mapping step) or a bundled demo, the list, and export. */
import { useId, useState, type FormEvent } from "react";
import { LABEL_VALUE_PRESETS, swapLabelValues, type LabelValues, type MappableField } from "../../../../shared/datasets/index.ts";
import type { DatasetBadRow, DatasetSummary } from "../../../../shared/ipc/index.ts";
import { DropZone } from "../../components/DropZone.tsx";
import { ConfirmPath, UploadButton } from "../../components/FileChoiceControls.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { formatBytes, formatDateTime } from "../../components/format.ts";
import { Panel, ScreenHeader } from "../../components/Panel.tsx";
import { ProgressBar } from "../../components/ProgressBar.tsx";
import { RunOptions } from "../../components/RunOptions.tsx";
import { ConfirmButton } from "../../components/ConfirmButton.tsx";
import { useAppStore } from "../../store/index.ts";
import { appSelectors } from "../app/selectors.ts";
import { runsSelectors } from "../runs/selectors.ts";
import { datasetsSelectors } from "./selectors.ts";

export function DatasetsScreen() {
  return (
    <div className="screen">
      <ScreenHeader title="Datasets" description="Labeled conversations to run a policy over. Guardbench reads only the files you choose, and nothing leaves this machine." />
      <div className="datasets-layout">
        <div className="stack">
          <ImportPanel />
          <DemoPanel />
        </div>
        <div className="stack">
          <DatasetList />
          <ExportPanel />
        </div>
      </div>
    </div>
  );
}

function ImportPanel() {
  const wizard = useAppStore(datasetsSelectors.wizard);
  const reset = useAppStore((s) => s.resetImport);
  const importError = useAppStore(datasetsSelectors.importError);
  const lastImport = useAppStore(datasetsSelectors.lastImport);
  const chooser = useAppStore(appSelectors.fileChooser);
  const dropFile = useAppStore((s) => s.dropImportFile);

  return (
    <Panel title="Import a file">
      <DropZone label="Dataset file" hint="Or drop a JSON Lines, JSON or CSV file here." onFile={(file) => void dropFile(file)}>
        {chooser === "dialog" ? <ChooseWithDialog /> : <ChooseInBrowser />}
      </DropZone>
      {wizard.error && <ErrorMessage error={wizard.error} title="Could not read the file" />}
      {wizard.step === "mapping" && wizard.preview && <MappingStep />}
      <ImportProgress />
      {importError && <ErrorMessage error={importError} title="The import failed" />}
      {lastImport && (
        <div className="import-report">
          <p role="status">
            Imported <strong>{lastImport.dataset.name}</strong>: {lastImport.dataset.items} items
            {lastImport.badRowCount > 0 ? `, ${badRowsSkipped(lastImport.badRowCount)}` : ""}.
          </p>
          {lastImport.badRows.length > 0 && <BadRows rows={lastImport.badRows} title="Skipped rows" />}
          <button type="button" className="button button-quiet button-small" onClick={reset}>
            Done
          </button>
        </div>
      )}
    </Panel>
  );
}

const DATASET_FILES = ".jsonl,.ndjson,.json,.csv,application/json,text/csv";

/** Desktop: the native dialog is the only way to name a file. */
function ChooseWithDialog() {
  const wizard = useAppStore(datasetsSelectors.wizard);
  const choose = useAppStore((s) => s.chooseImportFile);
  const busy = wizard.step === "previewing";
  return (
    <div className="import-form">
      <p className="field-label">A JSON Lines, JSON or CSV file on this machine</p>
      <div className="inline-form">
        <button type="button" className="button button-small" aria-disabled={busy} onClick={() => !busy && void choose()}>
          {busy ? "Reading…" : "Choose a file…"}
        </button>
        {wizard.file && <span className="mono small">{wizard.file.name}</span>}
      </div>
    </div>
  );
}

/** Browser: upload the file, or type its path and confirm it. */
function ChooseInBrowser() {
  const wizard = useAppStore(datasetsSelectors.wizard);
  const setPath = useAppStore((s) => s.setImportPath);
  const askToConfirm = useAppStore((s) => s.previewDataset);
  const confirm = useAppStore((s) => s.confirmImportPath);
  const cancelConfirm = useAppStore((s) => s.cancelImportPath);
  const upload = useAppStore((s) => s.uploadImportFile);
  const cancelUpload = useAppStore((s) => s.cancelUpload);
  const pathId = useId();
  const busy = wizard.step === "previewing" || wizard.step === "uploading";

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!busy) void askToConfirm();
  }

  return (
    <div className="import-form">
      <div className="inline-form">
        <UploadButton label="Upload a dataset file…" accept={DATASET_FILES} disabled={busy} onFile={(file) => void upload(file)} />
        <span className="muted small">JSON Lines, JSON or CSV; kept privately by Guardbench until it is imported</span>
      </div>
      {wizard.step === "uploading" && wizard.upload && (
        <div className="download">
          <ProgressBar label={`Uploading ${wizard.upload.name}`} value={wizard.upload.sent} max={wizard.upload.total || 1} detail={`${formatBytes(wizard.upload.sent)} of ${formatBytes(wizard.upload.total)}`} />
          <button type="button" className="button button-small" onClick={cancelUpload}>
            Cancel upload
          </button>
        </div>
      )}
      <form onSubmit={submit}>
        <label htmlFor={pathId} className="field-label">
          Path to a JSON Lines, JSON or CSV file on this machine
        </label>
        <div className="inline-form">
          <input id={pathId} className="input mono import-path" type="text" value={wizard.path} placeholder="/path/to/dataset.jsonl" spellCheck={false} onChange={(event) => setPath(event.target.value)} />
          <button type="submit" className="button button-small" aria-disabled={busy}>
            {wizard.step === "previewing" ? "Reading…" : "Preview"}
          </button>
        </div>
      </form>
      {(wizard.step === "confirm" || (wizard.step === "previewing" && !wizard.file)) && (
        <ConfirmPath path={wizard.path.trim()} action="read" busy={wizard.step === "previewing"} onConfirm={() => void confirm()} onCancel={cancelConfirm} />
      )}
    </div>
  );
}

const FIELDS: ReadonlyArray<{ field: MappableField; label: string; required?: boolean }> = [
  { field: "prompt", label: "Prompt", required: true },
  { field: "response", label: "Response" },
  { field: "label", label: "Label" },
  { field: "categories", label: "Categories" },
  { field: "id", label: "Id" },
];

function MappingStep() {
  const wizard = useAppStore(datasetsSelectors.wizard);
  const problems = useAppStore(datasetsSelectors.mappingProblems);
  const setField = useAppStore((s) => s.setMappingField);
  const setBadRows = useAppStore((s) => s.setBadRowPolicy);
  const setName = useAppStore((s) => s.setImportName);
  const importDataset = useAppStore((s) => s.importDataset);
  const importing = useAppStore(datasetsSelectors.importJobId) !== undefined;
  const nameId = useId();
  const preview = wizard.preview!;
  const needsMapping = !preview.detection.isRecordFormat;
  const columns = preview.columns;

  return (
    <section className="mapping" aria-label="Column mapping">
      <p className="small">
        {wizard.file && (
          <>
            <span className="mono">{wizard.file.name}</span>
            {wizard.file.uploaded ? " (uploaded)" : ""}:{" "}
          </>
        )}
        Detected format: <strong>{preview.format}</strong>, {columns.length} columns{preview.partial ? `, first ${preview.rows.length} rows shown` : ""}.
        {!needsMapping && " The rows are in the common record format (messages): no mapping needed."}
      </p>
      <div className="table-scroll">
        <table className="table preview-table" aria-label="Preview rows">
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column} scope="col" className="mono">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, index) => (
              <tr key={index}>
                {columns.map((column) => (
                  <td key={column} className="preview-cell">
                    {cellText(row, column)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {needsMapping && (
        <div className="mapping-fields">
          {FIELDS.map(({ field, label, required }) => (
            <MappingField key={field} label={label} required={required} value={wizard.mapping[field] ?? ""} columns={columns} onChange={(column) => setField(field, column || undefined)} />
          ))}
          {wizard.mapping.label && <LabelValuesField />}
        </div>
      )}
      <PreviewReadings />
      {problems.length > 0 && (
        <ul className="warnings" aria-label="Mapping problems">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      {preview.badRows.length > 0 && <BadRows rows={preview.badRows} title="Bad rows in the preview" />}
      <fieldset className="bad-row-choice">
        <legend className="field-label">When a row is bad</legend>
        <label>
          <input type="radio" name="bad-rows" checked={wizard.onBadRows === "skip"} onChange={() => setBadRows("skip")} /> Skip it and list it
        </label>
        <label>
          <input type="radio" name="bad-rows" checked={wizard.onBadRows === "stop"} onChange={() => setBadRows("stop")} /> Stop the import (nothing is stored)
        </label>
      </fieldset>
      <div className="inline-form">
        <label htmlFor={nameId} className="field-label">
          Dataset name
        </label>
        <input id={nameId} className="input" type="text" value={wizard.name} onChange={(event) => setName(event.target.value)} />
        <button type="button" className="button button-primary button-small" aria-disabled={problems.length > 0 || importing} onClick={() => problems.length === 0 && !importing && void importDataset()}>
          Import
        </button>
      </div>
    </section>
  );
}

const AUTOMATIC = "automatic";
const OTHER = "other";

/** Which preset the mapped values are (either way round), else "other". */
function presetOf(values: LabelValues | undefined): string {
  if (!values) return AUTOMATIC;
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value.toLowerCase() === b[i]!.toLowerCase());
  const found = LABEL_VALUE_PRESETS.find(({ values: preset }) => (same(preset.unsafe, values.unsafe) && same(preset.safe, values.safe)) || (same(preset.unsafe, values.safe) && same(preset.safe, values.unsafe)));
  return found?.id ?? OTHER;
}

/** How the label column's cells become labels: the default reading, a preset pair, or the user's own values. */
function LabelValuesField() {
  const mapping = useAppStore(datasetsSelectors.wizard).mapping;
  const text = useAppStore(datasetsSelectors.wizard).labelValueText;
  const seen = useAppStore(datasetsSelectors.previewLabelValues);
  const setField = useAppStore((s) => s.setMappingField);
  const setValues = useAppStore((s) => s.setLabelValues);
  const setText = useAppStore((s) => s.setLabelValueText);
  const ids = { preset: useId(), unsafe: useId(), safe: useId(), trueMeans: useId() };
  const chosen = presetOf(mapping.labelValues);

  function choose(id: string) {
    if (id === AUTOMATIC) return setValues(undefined);
    if (id === OTHER) return setValues({ unsafe: mapping.labelValues?.unsafe ?? [], safe: mapping.labelValues?.safe ?? [] });
    setValues(LABEL_VALUE_PRESETS.find((preset) => preset.id === id)!.values);
  }

  return (
    <fieldset className="label-values">
      <legend className="field-label">Label values</legend>
      {seen.length > 0 && (
        <p className="small" aria-label="Values in the first rows">
          In the first rows: {seen.map(({ value, count }) => `${value === "" ? "(empty)" : value} (${count})`).join(", ")}
        </p>
      )}
      <div className="field field-inline">
        <label htmlFor={ids.preset} className="field-label">
          Read the label column as
        </label>
        <select id={ids.preset} className="select select-small" value={chosen} onChange={(event) => choose(event.target.value)}>
          <option value={AUTOMATIC}>safe / unsafe words, 1 / 0, true / false</option>
          {LABEL_VALUE_PRESETS.map((preset) => (
            <option key={preset.id} value={preset.id}>
              {preset.title}
            </option>
          ))}
          <option value={OTHER}>other values…</option>
        </select>
      </div>
      {mapping.labelValues ? (
        <div className="inline-form">
          <label htmlFor={ids.unsafe} className="field-label">
            Values meaning unsafe
          </label>
          <input id={ids.unsafe} className="input input-narrow" type="text" value={text?.unsafe ?? ""} spellCheck={false} onChange={(event) => setText("unsafe", event.target.value)} />
          <label htmlFor={ids.safe} className="field-label">
            Values meaning safe
          </label>
          <input id={ids.safe} className="input input-narrow" type="text" value={text?.safe ?? ""} spellCheck={false} onChange={(event) => setText("safe", event.target.value)} />
          <button type="button" className="button button-quiet button-small" onClick={() => setValues(swapLabelValues(mapping.labelValues!))}>
            Swap unsafe and safe
          </button>
        </div>
      ) : (
        <div className="field field-inline">
          <label htmlFor={ids.trueMeans} className="field-label">
            1 / true in the label column means
          </label>
          <select id={ids.trueMeans} className="select select-small" value={mapping.labelTrueMeans ?? "unsafe"} onChange={(event) => setField("labelTrueMeans", event.target.value)}>
            <option value="unsafe">unsafe</option>
            <option value="safe">safe</option>
          </select>
        </div>
      )}
    </fieldset>
  );
}

/** The first rows as the import will read them with this mapping: prompt, label, categories, or why a row is skipped. */
function PreviewReadings() {
  const readings = useAppStore(datasetsSelectors.previewReadings);
  if (readings.length === 0) return null;
  const importable = readings.filter((reading) => reading.problem === undefined).length;
  return (
    <>
      {importable === 0 && (
        <p className="warnings" role="alert">
          None of the first {readings.length} rows can be imported as mapped; see why below. An import that gives no items makes no dataset.
        </p>
      )}
      <div className="table-scroll">
        <table className="table preview-table" aria-label="How the first rows will read">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Prompt</th>
              <th scope="col">Label</th>
              <th scope="col">Categories</th>
            </tr>
          </thead>
          <tbody>
            {readings.map((reading) => (
              <tr key={reading.row}>
                <td className="mono">{reading.row}</td>
                {reading.problem !== undefined ? (
                  <td colSpan={3} className="preview-cell">
                    skipped: {reading.problem}
                  </td>
                ) : (
                  <>
                    <td className="preview-cell">{clip(reading.prompt ?? "")}</td>
                    <td>{reading.label ?? <span className="muted">none</span>}</td>
                    <td className="mono small">{reading.categories?.join(", ")}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 119)}…` : text);

function MappingField({ label, required, value, columns, onChange }: { label: string; required?: boolean; value: string; columns: string[]; onChange(column: string): void }) {
  const id = useId();
  return (
    <div className="field field-inline">
      <label htmlFor={id} className="field-label">
        {label} column
      </label>
      <select id={id} className="select select-small" value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{required ? "Choose…" : "(none)"}</option>
        {columns.map((column) => (
          <option key={column} value={column}>
            {column}
          </option>
        ))}
      </select>
    </div>
  );
}

function cellText(row: unknown, column: string): string {
  if (typeof row !== "object" || row === null || !Object.hasOwn(row, column)) return "";
  const value = (row as Record<string, unknown>)[column];
  return clip(typeof value === "string" ? value : JSON.stringify(value));
}

function BadRows({ rows, title }: { rows: DatasetBadRow[]; title: string }) {
  return (
    <table className="table bad-rows" aria-label={title}>
      <caption className="subheading">{title}</caption>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.row}-${row.line}`}>
            <td className="mono">{row.line}</td>
            <td>{row.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ImportProgress() {
  const jobId = useAppStore(datasetsSelectors.importJobId);
  const progress = useAppStore(datasetsSelectors.importProgress);
  const label = useAppStore(datasetsSelectors.importLabel);
  const cancel = useAppStore((s) => s.cancelImport);
  if (!jobId) return null;
  return (
    <div className="download">
      <ProgressBar
        label={`Importing ${label ?? ""}`}
        value={progress && progress.totalBytes > 0 ? progress.bytesRead : undefined}
        max={progress?.totalBytes || 1}
        detail={progress ? `${progress.items} items, ${progress.badRows} bad rows` : "Starting…"}
      />
      <button type="button" className="button button-small" onClick={() => void cancel()}>
        Cancel import
      </button>
    </div>
  );
}

function DemoPanel() {
  const demos = useAppStore(datasetsSelectors.demos);
  const importDemo = useAppStore((s) => s.importDemo);
  const busy = useAppStore(datasetsSelectors.importJobId) !== undefined;
  if (demos.length === 0) return null;
  return (
    <Panel title="Demo datasets">
      <ul className="plain-list" aria-label="Demo datasets">
        {demos.map((demo) => (
          <li key={demo.name} className="demo">
            <div>
              <strong>{demo.name}</strong> <span className="muted small">({demo.rows} rows: {demo.safe} safe, {demo.unsafe} unsafe)</span>
              <p className="small">{demo.description}</p>
              <p className="muted small">
                {demo.licence}
                {demo.attribution ? ` · ${demo.attribution}` : ""}
              </p>
            </div>
            <button type="button" className="button button-small" aria-label={`Import demo ${demo.name}`} aria-disabled={busy} onClick={() => !busy && void importDemo(demo.name)}>
              Import
            </button>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function DatasetList() {
  const list = useAppStore(datasetsSelectors.list);
  const error = useAppStore(datasetsSelectors.listError);
  const deleteDataset = useAppStore((s) => s.deleteDataset);
  const runs = useAppStore(runsSelectors.list);
  const prepareRun = useAppStore((s) => s.prepareRun);
  const openReview = useAppStore((s) => s.openReview);
  return (
    <Panel title="Imported datasets">
      {error && <ErrorMessage error={error} />}
      <FailedImports />
      {list.length === 0 ? (
        <p className="empty">No datasets yet. Import a file or a demo.</p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-label="Datasets">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Items</th>
                <th scope="col">Labels (safe / unsafe / none)</th>
                <th scope="col">Imported</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((dataset) => (
                <tr key={dataset.id}>
                  <td>
                    {dataset.name}
                    <div className="muted small">{dataset.format}{dataset.badRows > 0 ? ` · ${badRowsSkipped(dataset.badRows)}` : ""}</div>
                  </td>
                  <td className="numeric">{dataset.items}</td>
                  <td className="numeric">
                    {dataset.labels.safe} / {dataset.labels.unsafe} / {dataset.labels.unlabeled}
                    {dataset.labels.reviewed > 0 && <div className="muted small">{dataset.labels.reviewed} reviewed</div>}
                  </td>
                  <td className="small">{formatDateTime(dataset.importedAt)}</td>
                  <td className="nowrap">
                    <button type="button" className="button button-small" onClick={() => prepareRun(dataset.id)} aria-label={`Run a policy on ${dataset.name}`}>
                      Run
                    </button>{" "}
                    <button type="button" className="button button-quiet button-small" onClick={() => void openReview(dataset.id)} aria-label={`Review ${dataset.name}`}>
                      Review
                    </button>{" "}
                    <ConfirmButton
                      label="Delete"
                      ariaLabel={`Delete ${dataset.name}`}
                      title={`Delete ${dataset.name}?`}
                      message={() => {
                        const runCount = runs.filter((run) => run.datasetId === dataset.id).length;
                        return `Its ${dataset.items} items, ${dataset.labels.reviewed} reviewed labels and ${runCount} ${runCount === 1 ? "run" : "runs"} with their results are deleted. This cannot be undone.`;
                      }}
                      confirmLabel="Delete dataset"
                      onConfirm={() => deleteDataset(dataset.id)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

/** Imports an earlier session could not finish or clean up (killed, disk full): the store removed their items at start. */
function FailedImports() {
  const failed = useAppStore(datasetsSelectors.failedImports);
  const dismiss = useAppStore((s) => s.dismissFailedImport);
  if (failed.length === 0) return null;
  return (
    <div className="stack" aria-label="Failed imports" role="group">
      {failed.map((entry) => (
        <div key={entry.datasetId}>
          <ErrorMessage title={`The import of ${entry.name} (started ${formatDateTime(entry.startedAt)}) failed`} error={{ message: entry.reason, hint: entry.sourcePath }} />
          <button type="button" className="button button-quiet button-small" onClick={() => void dismiss(entry.datasetId)} aria-label={`Dismiss the failed import of ${entry.name}`}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}

function badRowsSkipped(count: number): string {
  return `${count} bad ${count === 1 ? "row" : "rows"} skipped`;
}

function ExportPanel() {
  const list = useAppStore(datasetsSelectors.list);
  const runs = useAppStore(runsSelectors.list);
  const exportDataset = useAppStore((s) => s.exportDataset);
  const chooseExportFile = useAppStore((s) => s.chooseExportFile);
  const allowExportPath = useAppStore((s) => s.allowExportPath);
  const exporting = useAppStore(datasetsSelectors.exporting);
  const report = useAppStore(datasetsSelectors.exportReport);
  const error = useAppStore(datasetsSelectors.exportError);
  const chooser = useAppStore(appSelectors.fileChooser);
  const [datasetId, setDatasetId] = useState<number | "">("");
  const [runId, setRunId] = useState<number | "">("");
  const [path, setPath] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [format, setFormat] = useState<"jsonl" | "csv">("jsonl");
  const ids = { dataset: useId(), run: useId(), path: useId(), format: useId() };
  const chosen: DatasetSummary | undefined = list.find((d) => d.id === (datasetId === "" ? list[0]?.id : datasetId));
  const datasetRuns = runs.filter((run) => run.datasetId === chosen?.id);
  if (list.length === 0) return null;

  const exportTo = (target: string) => chosen && void exportDataset({ datasetId: chosen.id, ...(runId !== "" && { runId }), path: target, format });

  async function saveWithDialog() {
    if (!chosen || exporting) return;
    const target = await chooseExportFile(`${chosen.name}.${format}`);
    if (target) exportTo(target);
  }

  async function writeTypedPath() {
    setConfirming(false);
    const target = await allowExportPath(path.trim());
    if (target) exportTo(target);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!chosen || path.trim() === "" || exporting) return;
    setConfirming(true);
  }

  return (
    <Panel title="Export labels and results">
      <form className="export-form" onSubmit={submit}>
        <div className="field field-inline">
          <label htmlFor={ids.dataset} className="field-label">
            Dataset
          </label>
          <select id={ids.dataset} className="select select-small" value={chosen?.id ?? ""} onChange={(event) => (setDatasetId(Number(event.target.value)), setRunId(""))}>
            {list.map((dataset) => (
              <option key={dataset.id} value={dataset.id}>
                {dataset.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.run} className="field-label">
            With results of
          </label>
          <select id={ids.run} className="select select-small" value={runId} onChange={(event) => setRunId(event.target.value === "" ? "" : Number(event.target.value))}>
            <option value="">(labels only)</option>
            <RunOptions runs={datasetRuns} />
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.format} className="field-label">
            Format
          </label>
          <select id={ids.format} className="select select-small" value={format} onChange={(event) => setFormat(event.target.value as "jsonl" | "csv")}>
            <option value="jsonl">JSON Lines</option>
            <option value="csv">CSV</option>
          </select>
        </div>
        {chooser === "dialog" ? (
          <div className="inline-form">
            <button type="button" className="button button-small" aria-disabled={exporting} onClick={() => void saveWithDialog()}>
              {exporting ? "Exporting…" : "Export to a file…"}
            </button>
          </div>
        ) : (
          <div className="inline-form">
            <label htmlFor={ids.path} className="field-label">
              Save to
            </label>
            <input id={ids.path} className="input mono import-path" type="text" value={path} placeholder={`/path/to/labels.${format}`} spellCheck={false} onChange={(event) => (setPath(event.target.value), setConfirming(false))} />
            <button type="submit" className="button button-small" aria-disabled={exporting}>
              {exporting ? "Exporting…" : "Export"}
            </button>
          </div>
        )}
      </form>
      {confirming && <ConfirmPath path={path.trim()} action="write" onConfirm={() => void writeTypedPath()} onCancel={() => setConfirming(false)} />}
      {report && (
        <p role="status" className="small">
          Wrote {report.rows} rows to <span className="mono">{report.path}</span>.
        </p>
      )}
      {error && <ErrorMessage error={error} title="Could not export" />}
    </Panel>
  );
}
