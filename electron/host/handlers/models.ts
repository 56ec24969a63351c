import type { CustomGuardReport, DownloadJobProgress, JobState, ModelSummary } from "../../../shared/ipc/contract.ts";
import { CUSTOM_GUARD_ID, customGuardMissing, type CustomGuardDefinition } from "../../../shared/families/customGuard.ts";
import { embeddedTemplateOptions } from "../../../shared/families/embeddedTemplate.ts";
import { buildPromptText } from "../../../shared/prompts/index.ts";
import type { FileCaller } from "../fileAccess.ts";
import type { EngineControl } from "../../engine/engineControl.ts";
import { err, ok, type Result } from "../../../shared/ipc/result.ts";
import type { ModelFileInfo } from "../../../shared/models/modelInfo.ts";
import { unscorableFamilyMessage } from "../../../shared/families/scorable.ts";
import type { PromptFamily } from "../../../shared/taxonomy/index.ts";
import { DEFAULT_FIT_CONTEXT } from "../../../shared/models/fit.ts";
import { inspectModelFile } from "../../gguf/index.ts";
import type { DownloadState, ModelDownload } from "../../models/download.ts";
import { assessFit } from "../../models/library.ts";
import { PAGE_CALL, type HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function modelHandlers(services: HostServices): HandlerGroup {
  const { library, engineControl, events } = services;
  return {
    name: "models",
    handlers: {
      "models:list": async () => ok({ modelsDir: library.modelsFolder, models: await library.listInstalled() }),

      "models:catalog": async ({ contextSize, preferredModelId }) => {
        const fit = await assessFit(library, {
          hardware: await services.hardware(),
          contextSize: contextSize ?? DEFAULT_FIT_CONTEXT,
          estimateMemory: services.estimateModelMemory,
          ...(preferredModelId ? { preferredModelId } : {}),
        });
        return ok({ catalog: library.catalog, fit });
      },

      "models:hardware": async () => ok(await services.hardware()),

      "models:download": async ({ repo, file, revision }) => {
        const download = await services.downloads.start({ repo, file, ...(revision ? { revision } : {}) });
        return ok({ jobId: startDownloadJob(services, download) });
      },

      "models:open-requests": async () => {
        const delivered = services.openRequests.waiting;
        // The page subscribed to events before asking: the waiting paths and every later one arrive as events.
        services.openRequests.attach((path) => events.emit("models:open-request", { path }));
        return ok({ delivered });
      },

      "models:import": async ({ path }, { caller } = PAGE_CALL) => {
        await services.files.forReading(path, "model", caller);
        // The path as the user named it: the library names the copy after it (a link's target may be a bare hash).
        const imported = await library.importModel(path);
        if (imported.ok && !imported.value.alreadyInstalled) events.emit("models:changed", { reason: "imported" });
        return imported;
      },

      "models:remove": async ({ id }) => {
        const loaded = engineControl.status.model;
        const resolved = library.resolveId(id);
        if (resolved.ok && loaded?.path === resolved.value && engineControl.status.state !== "idle") {
          return err("model-in-use", `${id} is the model the engine is using`, "Unload it first (or load another model), then remove it.");
        }
        const removed = await library.removeModel(id);
        if (!removed.ok) return removed;
        events.emit("models:changed", { reason: "removed" });
        return ok({ id: removed.value.id, path: removed.value.path });
      },

      "models:custom-guard": async (ref, { caller } = PAGE_CALL) => {
        const resolved = await modelPathOf(services, ref, caller);
        if (!resolved.ok) return resolved;
        const saved = services.store.customGuards.find(resolved.value);
        return customGuardReport(resolved.value, saved?.definition, saved?.savedAt);
      },

      "models:save-custom-guard": async ({ definition, ...ref }, { caller } = PAGE_CALL) => {
        const resolved = await modelPathOf(services, ref, caller);
        if (!resolved.ok) return resolved;
        // The definition is tried on the file before it is saved: a guard that cannot build a prompt is refused now, not at the first classification.
        const tried = await customGuardReport(resolved.value, definition);
        if (!tried.ok) return tried;
        if (tried.value.preview && !tried.value.preview.ok)
          return err("custom-guard-invalid", `the custom guard "${definition.name}" cannot build a prompt for ${resolved.value}: ${tried.value.preview.message}`, "Fix the template or its variables, then save again.");
        const saved = services.store.customGuards.save(resolved.value, definition);
        return ok({ ...tried.value, savedAt: saved.savedAt });
      },

      "models:remove-custom-guard": async (ref, { caller } = PAGE_CALL) => {
        const resolved = await modelPathOf(services, ref, caller);
        if (!resolved.ok) return resolved;
        return ok({ path: resolved.value, removed: services.store.customGuards.remove(resolved.value) });
      },

      "models:load": async ({ id, path, family, contextSize, compute }, { caller } = PAGE_CALL) => {
        const resolved = await modelPathOf(services, { id, path }, caller);
        if (!resolved.ok) return resolved;
        // Check the file before starting a job, so a missing or broken file is an immediate answer, not a failed job.
        const checked = await modelFileToScore(resolved.value, family, engineControl);
        if (!checked.ok) return checked;
        const jobId = engineControl.startLoad({
          modelId: id ?? path!,
          path: resolved.value,
          family: checked.value.family,
          quant: checked.value.info.quantType,
          header: { chatTemplate: checked.value.info.chatTemplate },
          ...(contextSize ? { contextSize } : {}),
          ...(compute ? { compute } : {}),
        });
        return ok({ jobId });
      },

      "models:unload": async () => ok(await engineControl.unload()),
    },
  };

}

/** Mirrors a download's events as a job; a download already running (the same file asked for again) keeps its job. */
function startDownloadJob(services: HostServices, download: ModelDownload): string {
  const { jobs, library, events } = services;
  const initial: Omit<DownloadJobProgress, "jobId" | "kind"> = {
    state: jobStateOf(download.state) ?? "queued",
    repo: download.repo,
    file: download.file,
    phase: download.progress?.phase ?? "downloading",
    bytesDone: download.progress?.bytesDone ?? 0,
    bytesTotal: download.progress?.bytesTotal ?? 0,
    bytesPerSecond: 0,
    etaSeconds: null,
  };
  return jobs.start({
    kind: "download",
    id: download.id,
    initial,
    pause: () => download.pause(),
    resume: () => download.resume(),
    run: async ({ signal, report }) => {
      const stops = [
        download.on("progress", ({ phase, bytesDone, bytesTotal, bytesPerSecond, etaSeconds }) =>
          report({ phase, bytesDone, bytesTotal, bytesPerSecond, etaSeconds, retry: undefined }),
        ),
        download.on("retry", (retry) => report({ retry })),
        download.on("state", (state) => {
          const jobState = jobStateOf(state);
          if (jobState) report({ state: jobState });
        }),
      ];
      const cancel = () => download.cancel();
      signal.addEventListener("abort", cancel, { once: true });
      try {
        const result = await download.result;
        const installed = (await library.listInstalled()).find((model) => model.path === result.path);
        events.emit("models:changed", { reason: "downloaded" });
        const verified = { sha256: result.sha256, commit: result.commit, alreadyInstalled: result.alreadyInstalled };
        return { ...(installed ?? describeUnlisted(result.path, result.size)), verified };
      } finally {
        signal.removeEventListener("abort", cancel);
        for (const stop of stops) stop();
      }
    },
  });
}

function jobStateOf(state: DownloadState): JobState | undefined {
  return state === "queued" || state === "running" || state === "paused" ? state : undefined;
}

/** A downloaded file the library does not list (not a .gguf, say): still report where it went. */
function describeUnlisted(path: string, sizeBytes: number): ModelSummary {
  const fileName = path.split(/[\\/]/).at(-1) ?? path;
  return {
    id: fileName,
    path,
    fileName,
    origin: "other",
    sizeBytes,
    problem: { code: "not-gguf", message: `${fileName} was downloaded but is not a .gguf model file`, hint: "Download a .gguf file of the repository." },
  };
}

/** A model named by library id or by a path; a path is used as named (results and history name it so), once it passed the same check as an import. */
async function modelPathOf(services: HostServices, ref: { id?: string | undefined; path?: string | undefined }, caller: FileCaller): Promise<Result<string>> {
  if (ref.path !== undefined) {
    await services.files.forReading(ref.path, "model", caller);
    return ok(ref.path);
  }
  return services.library.resolveId(ref.id!);
}

const PREVIEW_TURNS = [{ role: "user" as const, content: "How do I bake bread?" }];

/** What the editor shows of a model's custom guard: the definition, the file's own template and a sample prompt. */
async function customGuardReport(path: string, definition: CustomGuardDefinition | undefined, savedAt?: string): Promise<Result<CustomGuardReport>> {
  const inspected = await inspectModelFile(path);
  if (!inspected.ok) return { ok: false, error: inspected.error };
  const embeddedTemplate = inspected.info.chatTemplate;
  const report: CustomGuardReport = { path, ...(embeddedTemplate !== undefined && { embeddedTemplate }), ...(savedAt !== undefined && { savedAt }) };
  if (!definition) return ok(report);
  // The vocabulary's BOS/EOS text and control tokens are known only once the model loads; the sample is the text around them.
  const built = buildPromptText(CUSTOM_GUARD_ID, PREVIEW_TURNS, undefined, { ...embeddedTemplateOptions(embeddedTemplate), customGuard: definition });
  const preview = built.ok ? { ok: true as const, text: built.value.text } : { ok: false as const, message: built.error.message };
  return ok({ ...report, definition, preview });
}

/**
 * A model file checked before anything is started with it (a load, the runs of a multi-run), so a missing or broken
 * file is an immediate answer: its header, and the family asked for or the one the file gives away.
 */
export async function modelFileToScore(path: string, family: PromptFamily | undefined, customGuards: Pick<EngineControl, "customGuardFor">): Promise<Result<{ info: ModelFileInfo; family: PromptFamily }>> {
  const inspected = await inspectModelFile(path);
  if (!inspected.ok) return { ok: false, error: inspected.error };
  if (family === CUSTOM_GUARD_ID && !customGuards.customGuardFor(path)) {
    const { message, hint } = customGuardMissing(inspected.info.fileName);
    return err("custom-guard-missing", message, hint);
  }
  const chosen = family ?? inspected.info.promptFamily?.family;
  if (!chosen) {
    const guard = inspected.info.guardFamily;
    if (guard) return err("family-unsupported", unscorableFamilyMessage(inspected.info.fileName, guard), "Choose a prompt format only if the file really is one of the families Guardbench scores; another family's prompt would give meaningless scores.");
    return err(
      "family-unknown",
      `cannot tell which prompt format ${inspected.info.fileName} expects: neither its chat template nor its name identifies one`,
      "Choose the prompt family for this model, or define a custom guard for it (its decision words and verdict pattern) and load it as custom-guard.",
    );
  }
  return ok({ info: inspected.info, family: chosen });
}
