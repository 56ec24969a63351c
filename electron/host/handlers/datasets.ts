import { isAbsolute } from "node:path";
import type { DatasetImportReport, ImportJobProgress } from "../../../shared/ipc/contract.ts";
import { err, ok } from "../../../shared/ipc/result.ts";
import { demoDatasets } from "../../datasets/demo.ts";
import { previewDataset } from "../../datasets/preview.ts";
import { importIntoStore, type StoreImportRequest } from "../../runs/datasetImport.ts";
import { RunError } from "../../runs/errors.ts";
import { exportDataset } from "../../runs/exportRows.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function datasetHandlers(services: HostServices): HandlerGroup {
  const { store, runs } = services;
  return {
    name: "datasets",
    handlers: {
      "datasets:preview": async ({ path, format, rows }) => {
        if (!isAbsolute(path)) return relativePath(path);
        return ok(await previewDataset(path, { ...(format ? { format } : {}), ...(rows ? { rows } : {}) }));
      },

      "datasets:import": async ({ path, name, format, mapping, onBadRows }) => {
        if (!isAbsolute(path)) return relativePath(path);
        return ok({ jobId: startImportJob(services, { path, ...(name ? { name } : {}), ...(format ? { format } : {}), ...(mapping ? { mapping } : {}), ...(onBadRows ? { onBadRows } : {}) }) });
      },

      "datasets:list": async () =>
        ok({
          datasets: store.datasets.list(),
          demos: demoDatasets().map(({ path: _path, readmePath: _readme, ...info }) => info),
          failedImports: store.datasets.failedImports(),
        }),

      "datasets:dismiss-failed-import": async ({ datasetId }) => ok({ dismissed: store.datasets.dismissFailedImport(datasetId) }),

      "datasets:get": async ({ datasetId }) =>
        ok({
          ...store.datasets.summary(datasetId),
          badRowList: store.datasets.badRows(datasetId),
          runs: store.runs.list(datasetId).map((run) => runs.withJob(run)),
        }),

      "datasets:demo": async ({ name }) => {
        const demos = demoDatasets();
        const demo = demos.find((candidate) => candidate.name === name);
        if (!demo) throw new RunError("demo-not-found", `there is no demo dataset named ${JSON.stringify(name)}`, `The demos are ${demos.map((d) => d.name).join(", ")} (datasets:list lists them).`);
        return ok({ jobId: startImportJob(services, { path: demo.path, name: `${demo.name} (demo)` }) });
      },

      "datasets:export": async ({ datasetId, runId, path, format, spreadsheetSafe }) => {
        if (!isAbsolute(path)) return relativePath(path);
        return ok(await exportDataset(store, { datasetId, ...(runId !== undefined ? { runId } : {}), path, format, ...(spreadsheetSafe !== undefined ? { spreadsheetSafe } : {}) }));
      },
    },
  };
}

/** The main side has no working folder the user knows of, so a relative path would land somewhere unexpected. */
function relativePath(path: string) {
  return err("invalid-request", `${JSON.stringify(path)} is not an absolute path`, "Choose the file with the file picker, or give its full path.");
}

function startImportJob(services: HostServices, request: StoreImportRequest): string {
  const initial: Omit<ImportJobProgress, "jobId" | "kind"> = { state: "running", path: request.path, bytesRead: 0, totalBytes: 0, items: 0, badRows: 0 };
  return services.jobs.start({
    kind: "import",
    initial,
    run: async ({ signal, report }): Promise<DatasetImportReport> => {
      const { reused: _reused, ...imported } = await importIntoStore(services.store, request, { signal, onProgress: (progress) => report(progress) });
      return imported;
    },
  });
}
