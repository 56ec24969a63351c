import type { DownloadJobProgress, LoadJobProgress, ModelSummary } from "../../../../shared/ipc/index.ts";
import { catalogFileKey, knownValue } from "../../../../shared/models/catalog.ts";
import { formatBytes } from "../../../../shared/format/bytes.ts";
import type { FitAssessment } from "../../../../shared/models/fit.ts";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import type { DownloadFailure } from "./slice.ts";

const engine = (s: AppState) => s.models.engine;
const jobs = (s: AppState) => s.models.jobs;
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

const jobList = memoSelector([jobs], (byId) => Object.values(byId));

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

export const modelsSelectors = {
  engine,
  engineState: (s: AppState) => s.models.engine.state,
  /** the loaded model's prompt family, once it is ready to classify */
  readyFamily: (s: AppState): PromptFamily | undefined => (s.models.engine.state === "ready" ? s.models.engine.model?.family : undefined),
  loadedModelId: (s: AppState) => (s.models.engine.state === "ready" ? s.models.engine.model?.id : undefined),
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
  jobs: jobList,
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
