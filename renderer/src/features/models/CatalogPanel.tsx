/** The catalog: each guard model with its quants, sizes and how well each fits this machine. */
import { useId, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { FitBadge } from "../../components/FitBadge.tsx";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { modelsSelectors, type CatalogFileRow, type CatalogModelRow } from "./selectors.ts";

export function CatalogPanel() {
  const rows = useAppStore(modelsSelectors.catalogRows);
  const error = useAppStore(modelsSelectors.catalogError);
  const loaded = useAppStore(modelsSelectors.catalogLoaded);
  return (
    <Panel title="Catalog">
      {error && <ErrorMessage error={error} title="Could not read the catalog" />}
      {!loaded && !error && <p className="status-line">Rating the catalog for this machine…</p>}
      <ul className="plain-list" aria-label="Catalog models">
        {rows.map((row) => (
          <CatalogModel key={row.id} row={row} />
        ))}
      </ul>
    </Panel>
  );
}

/** "Q4_K_M · bartowski": two repos can offer the same quant. */
function fileLabel(file: CatalogFileRow): string {
  return `${file.quant} · ${file.repo.split("/")[0]} · ${file.sizeText}`;
}

function CatalogModel({ row }: { row: CatalogModelRow }) {
  const quantId = useId();
  const [chosenKey, setChosenKey] = useState(row.files[0]!.key);
  const file = row.files.find((candidate) => candidate.key === chosenKey) ?? row.files[0]!;
  return (
    <li className="catalog-model">
      <div className="catalog-model-header">
        <h3 className="catalog-model-name">{row.name}</h3>
        <span className="badge badge-muted">{FAMILY_LABELS[row.family]}</span>
        {row.licence && <span className="muted small">licence: {row.licence}</span>}
      </div>
      <p className="small">{row.whenToChoose}</p>
      <div className="catalog-file">
        <div className="field field-inline">
          <label htmlFor={quantId} className="field-label">
            Quant
          </label>
          <select id={quantId} className="select select-small" aria-label={`Quant for ${row.name}`} value={file.key} onChange={(event) => setChosenKey(event.target.value)}>
            {row.files.map((candidate) => (
              <option key={candidate.key} value={candidate.key}>
                {fileLabel(candidate)}
                {candidate.installed ? " (installed)" : ""}
              </option>
            ))}
          </select>
        </div>
        <CatalogFileAction file={file} modelName={row.name} />
      </div>
      <FitBadge rating={file.fit.rating} reason={file.fit.reason} />
      {file.gated && <p className="muted small">This repo is gated: add a Hugging Face token below before downloading.</p>}
      <CatalogFileFailure file={file} />
    </li>
  );
}

function CatalogFileAction({ file, modelName }: { file: CatalogFileRow; modelName: string }) {
  const job = useAppStore(modelsSelectors.downloadJobFor(file.key));
  const downloadModel = useAppStore((s) => s.downloadModel);
  if (file.installed) return <span className="badge badge-ok">Installed</span>;
  if (job) return <span className="status-line">Downloading (see Downloads)</span>;
  return (
    <button type="button" className="button button-small" onClick={() => void downloadModel(file.repo, file.file)} aria-label={`Download ${modelName} ${file.quant} from ${file.repo}`}>
      Download
    </button>
  );
}

function CatalogFileFailure({ file }: { file: CatalogFileRow }) {
  const failure = useAppStore(modelsSelectors.downloadFailureFor(file.key));
  if (!failure) return null;
  return <ErrorMessage error={failure.error} title={`Download of ${file.file} failed`} />;
}
