import type { DownloadJobProgress, LoadJobProgress, ModelSummary } from "../../../../shared/ipc/index.ts";
import { catalogFileKey, knownValue } from "../../../../shared/models/catalog.ts";
import { formatBytes } from "../../../../shared/format/bytes.ts";
import type { FitAssessment } from "../../../../shared/models/fit.ts";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import { appSelectors } from "../app/selectors.ts";
import type { DownloadFailure } from "./slice.ts";

const engine = (s: AppState) => s.models.engine;
const jobs = appSelectors.jobsById;
const jobList = appSelectors.jobs;
const library = (s: AppState) => s.models.library;
const catalog = (s: AppState) => s.models.catalog;

export interface CatalogFileRow {
  /** `owner/repo/file`: also the library id once installed */
  key: string;
  repo: string;
  file: string;
  quant: string;
  /** "4.9 GB", "~4.9 GB" when only approximate, "size unknown" */
  sizeText: string;
  gated?: boolean;
  fit: FitAssessment;
  installed: boolean;
}

export interface CatalogModelRow {
  id: string;
  name: string;
  family: PromptFamily;
  whenToChoose: string;
  licence?: string;
  files: CatalogFileRow[];
}

const catalogRows = memoSelector([catalog, library], (report, list): CatalogModelRow[] => {
  if (!report) return [];
  const installedIds = new Set((list?.models ?? []).map((model) => model.id));
  const fitByKey = new Map(report.fit.candidates.map((candidate) => [candidate.fileKey, candidate.assessment]));
  return report.catalog.models.map((model) => ({
    id: model.id,
    name: model.name,
    family: model.promptFamily,
    whenToChoose: model.whenToChoose,
    licence: knownValue(model.original.licence),
    files: model.files.map((file): CatalogFileRow => {
      const key = catalogFileKey(file);
      const exact = knownValue(file.sizeBytes);
      const approx = knownValue(file.approxSizeGB);
      const sizeText = exact !== undefined ? formatBytes(exact) : approx !== undefined ? `~${formatBytes(approx * 1e9)}` : "size unknown";
      return {
        key,
        repo: file.repo.value,
        file: file.file.value,
        quant: file.quant,
        sizeText,
        gated: knownValue(file.gated),
        fit: fitByKey.get(key) ?? { rating: "unknown", reason: "not rated" },
        installed: installedIds.has(key),
      };
    }),
  }));
});

export interface RecommendationView {
  key: string;
  repo: string;
  file: string;
  title: string;
  reason: string;
  sizeText: string;
  fit: FitAssessment;
}

const recommendation = memoSelector([catalogRows, catalog], (rows, report): RecommendationView | undefined => {
  const recommended = report?.fit.recommendation;
  if (!recommended) return undefined;
  const file = rows.flatMap((row) => row.files).find((candidate) => candidate.key === recommended.candidate.fileKey);
  if (!file) return undefined;
  return { key: file.key, repo: file.repo, file: file.file, title: `${recommended.candidate.modelName} ${file.quant}`, reason: recommended.reason, sizeText: file.sizeText, fit: file.fit };
});

/** What the machine will compute on, and why: from the loaded engine when there is one, else from the hardware probe. */
const computeSummary = (s: AppState): string | undefined => {
  const compute = s.models.engine.state === "ready" ? s.models.engine.compute : undefined;
  if (compute) {
    if (compute.device === "gpu") return `GPU${compute.backend ? ` (${compute.backend})` : ""}`;
    return `CPU${compute.reason ? `: ${withoutCpuSuffix(compute.reason)}` : ""}`;
  }
  const hardware = s.models.hardware;
  if (!hardware) return undefined;
  if (hardware.gpu) return `GPU available: ${hardware.gpu.deviceNames[0] ?? hardware.gpu.backend} (${hardware.gpu.backend}), ${formatBytes(hardware.gpu.freeVramBytes)} free`;
  return `CPU only: ${withoutCpuSuffix(hardware.cpuInferenceReason ?? "no GPU detected")}`;
};

/** "no GPU detected — CPU inference" reads twice after "CPU: "; keep the reason only. */
function withoutCpuSuffix(reason: string): string {
  return reason.replace(/\s*[—-]\s*CPU inference$/i, "");
}

/** Each installed file's fit rating, by library id: catalog files by their key, others rated from their headers. */
const fitById = memoSelector([catalog], (report): ReadonlyMap<string, FitAssessment> => {
  const ratings = new Map<string, FitAssessment>();
  for (const candidate of report?.fit.candidates ?? []) ratings.set(candidate.fileKey, candidate.assessment);
  for (const other of report?.fit.otherInstalled ?? []) ratings.set(other.id, other.assessment);
  return ratings;
});

/** An installed model as the Classify screen's picker lists it. */
export interface PickerModel {
  id: string;
  fileName: string;
  /** the family it loads with: remembered from its last load, else detected, else from the catalog; undefined: the user chooses */
  family?: PromptFamily;
  /** where `family` came from, in words */
  familySource?: "last used" | "detected" | "catalog";
  quant?: string;
  sizeBytes: number;
  fit?: FitAssessment;
  problem?: string;
  loaded: boolean;
}

const pickerModels = memoSelector(
  [library, catalog, fitById, (s: AppState) => s.models.familyOf, engine],
  (list, report, fits, remembered, status): PickerModel[] => {
    const catalogFamily = new Map((report?.catalog.models ?? []).map((model) => [model.id, model.promptFamily]));
    return (list?.models ?? []).map((model) => {
      const fromCatalog = model.catalog ? catalogFamily.get(model.catalog.modelId) : undefined;
      const [family, familySource] = remembered[model.id]
        ? [remembered[model.id], "last used" as const]
        : model.info?.promptFamily
          ? [model.info.promptFamily.family, "detected" as const]
          : fromCatalog
            ? [fromCatalog, "catalog" as const]
            : [undefined, undefined];
      const fit = fits.get(model.id);
      return {
        id: model.id,
        fileName: model.fileName,
        ...(family ? { family, familySource } : {}),
        ...(model.info?.quantType ? { quant: model.info.quantType } : model.catalog ? { quant: model.catalog.quant } : {}),
        sizeBytes: model.sizeBytes,
        ...(fit ? { fit } : {}),
        ...(model.problem ? { problem: model.problem.message } : {}),
        loaded: status.state === "ready" && status.model?.id === model.id,
      };
    });
  },
);

export const modelsSelectors = {
  engine,
  pickerModels,
  /** the fit rating of an installed file (undefined until the catalog report is in) */
  fitOf: (id: string) => (s: AppState) => fitById(s).get(id),
  pickerOpen: (s: AppState) => s.models.pickerOpen,
  autoLoadLastModel: (s: AppState) => s.models.autoLoadLastModel,
  importUpload: (s: AppState) => s.models.importUpload,
  /** the model being loaded, its share loaded so far (undefined until llama.cpp reports), and the load job */
  loading: memoSelector([engine, jobs], (status, byId) => {
    const job = Object.values(byId).find((candidate): candidate is LoadJobProgress => candidate.kind === "load");
    if (status.state !== "loading" && !job) return undefined;
    const path = status.state === "loading" && status.model ? status.model.path : job?.path ?? "";
    return { fileName: path.split(/[\\/]/).pop() ?? path, progress: job?.progress, stage: job?.stage ?? "starting", jobId: job?.jobId ?? status.jobId };
  }),
  engineState: (s: AppState) => s.models.engine.state,
  /** the loaded model's prompt family, once it is ready to classify */
  readyFamily: (s: AppState): PromptFamily | undefined => (s.models.engine.state === "ready" ? s.models.engine.model?.family : undefined),
  loadedModelId: (s: AppState) => (s.models.engine.state === "ready" ? s.models.engine.model?.id : undefined),
  /** the loaded file's own chat template: the prompt itself for Llama Guard 4, which has no builder of its own */
  loadedChatTemplate: (s: AppState): string | undefined => {
    const id = s.models.engine.state === "ready" ? s.models.engine.model?.id : undefined;
    return id === undefined ? undefined : s.models.library?.models.find((model) => model.id === id)?.info?.chatTemplate;
  },
  loadedModelName: (s: AppState) => {
    const model = s.models.engine.state === "ready" ? s.models.engine.model : undefined;
    return model && (model.path.split(/[\\/]/).pop() ?? model.path);
  },
  installed: memoSelector([library], (list): ModelSummary[] => list?.models ?? []),
  hasInstalledModel: (s: AppState) => (s.models.library?.models.length ?? 0) > 0,
  libraryLoaded: (s: AppState) => s.models.library !== undefined,
  libraryError: (s: AppState) => s.models.libraryError,
  modelsDir: (s: AppState) => s.models.library?.modelsDir,
  catalogRows,
  /** the prompt family of each catalog model, by model id */
  catalogFamilies: memoSelector([catalog], (report): Record<string, PromptFamily> =>
    Object.fromEntries((report?.catalog.models ?? []).map((model) => [model.id, model.promptFamily])),
  ),
  catalogError: (s: AppState) => s.models.catalogError,
  catalogLoaded: (s: AppState) => s.models.catalog !== undefined,
  recommendation,
  hardware: (s: AppState) => s.models.hardware,
  computeSummary,
  token: (s: AppState) => s.models.token,
  tokenError: (s: AppState) => s.models.tokenError,
  downloadJobFor: (key: string) => (s: AppState): DownloadJobProgress | undefined =>
    jobList(s).find((job): job is DownloadJobProgress => job.kind === "download" && `${job.repo}/${job.file}` === key),
  downloadJobs: memoSelector([jobList], (list) => list.filter((job): job is DownloadJobProgress => job.kind === "download")),
  loadJob: (s: AppState): LoadJobProgress | undefined => jobList(s).find((job): job is LoadJobProgress => job.kind === "load"),
  downloadFailureFor: (key: string) => (s: AppState): DownloadFailure | undefined => s.models.downloadFailures[key],
  /** a download failed because the Hub wants a token: the token form should be in view */
  needsToken: (s: AppState) => Object.values(s.models.downloadFailures).some(({ error }) => error.code === "auth-required" || error.code === "auth-invalid"),
  actionError: (s: AppState) => s.models.actionError,
  importing: (s: AppState) => s.models.importing,
  importError: (s: AppState) => s.models.importError,
  importPath: (s: AppState) => s.models.importPath,
  importConfirming: (s: AppState) => s.models.importConfirming,
};
