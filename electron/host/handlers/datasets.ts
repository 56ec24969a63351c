import { basename, extname } from "node:path";
import type { DatasetImportReport, ImportJobProgress } from "../../../shared/ipc/contract.ts";
import { ok } from "../../../shared/ipc/result.ts";
import { demoDatasets } from "../../datasets/demo.ts";
import { resolveFormat } from "../../datasets/import.ts";
import { previewDataset } from "../../datasets/preview.ts";
import { importIntoStore, type StoreImportRequest } from "../../datasets/storeImport.ts";
import { RunError } from "../../runs/errors.ts";
import { exportDataset } from "../../evaluation/exportRows.ts";
import { PAGE_CALL, type HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function datasetHandlers(services: HostServices): HandlerGroup {
  const { store, runs, files } = services;
  return {
    name: "datasets",
    handlers: {
      "datasets:preview": async ({ path, format, rows }, { caller } = PAGE_CALL) => {
        const file = await files.forReading(path, "dataset", caller);
        // The format is told from the name the user gave (an upload keeps its name; a link may point at any name).
        return ok(await previewDataset(file.path, { format: format ?? resolveFormat(file.name, undefined), ...(rows ? { rows } : {}) }));
      },

      "datasets:import": async ({ path, name, format, mapping, onBadRows, reuseIdenticalImport }, { caller } = PAGE_CALL) => {
        const file = await files.forReading(path, "dataset", caller);
        const request: StoreImportRequest = {
          path: file.path,
          name: name ?? basename(file.name, extname(file.name)),
          format: format ?? resolveFormat(file.name, undefined),
          ...(mapping ? { mapping } : {}),
          ...(onBadRows ? { onBadRows } : {}),
          ...(reuseIdenticalImport ? { reuseIdenticalImport } : {}),
        };
        return ok({ jobId: startImportJob(services, request, () => files.discardUpload(file.path)) });
      },

      "datasets:list": async () =>
        ok({
          datasets: store.datasets.list(),
          demos: demoDatasets().map(({ path: _path, readmePath: _readme, ...info }) => info),
          failedImports: store.datasets.failedImports(),
        }),

      "datasets:dismiss-failed-import": async ({ datasetId }) => ok({ dismissed: store.datasets.dismissFailedImport(datasetId) }),

      "datasets:delete": async ({ datasetId }) => ok(runs.deleteDataset(datasetId)),

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

      "datasets:export": async ({ path, ...request }, { caller } = PAGE_CALL) => {
        const target = await files.forWriting(path, caller);
        return ok(await exportDataset(store, { ...request, path: target }));
      },
    },
  };
}

/** `imported`: called once the dataset is stored (an uploaded file is then removed). */
function startImportJob(services: HostServices, request: StoreImportRequest, imported?: () => Promise<void>): string {
  const initial: Omit<ImportJobProgress, "jobId" | "kind"> = { state: "running", path: request.path, bytesRead: 0, totalBytes: 0, items: 0, badRows: 0 };
  return services.jobs.start({
    kind: "import",
    initial,
    run: async ({ signal, report }): Promise<DatasetImportReport> => {
      const { reused, ...stored } = await importIntoStore(services.store, request, { signal, onProgress: (progress) => report(progress) });
      await imported?.().catch(() => undefined);
      return reused ? { ...stored, reused } : stored;
    },
  });
}
