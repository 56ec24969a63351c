/**
 * The moderation service as each face builds it: over `guardbench worker`'s own engine process, and over the app
 * host's engine (`guardbench serve`: the engine the workbench has loaded, through EngineControl, the path
 * `classify:run` takes).
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { ModerationAuditMode } from "../../shared/ipc/channels/moderation.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";
import type { EngineProcess } from "../engine/engineProcess.ts";
import type { EngineControl } from "../engine/engineControl.ts";
import { cachedSha256OfFile, sha256OfFile } from "../core/fileHash.ts";
import { openStore, type GuardbenchStore } from "../store/index.ts";
import { ModerationService, type ModerationAudit, type ModerationServiceOptions, type ServedModel } from "./service.ts";

type SharedOptions = Pick<ModerationServiceOptions, "defaultPolicy" | "queueLimit" | "timeoutMs" | "log" | "logContent">;

const AUDIT_ORDER: readonly ModerationAuditMode[] = ["off", "hash", "content"];

/** The stronger of two audit modes: a command-line flag can raise the app's setting, never lower it. */
export function strongerAudit(a: ModerationAuditMode, b: ModerationAuditMode): ModerationAuditMode {
  return AUDIT_ORDER.indexOf(a) >= AUDIT_ORDER.indexOf(b) ? a : b;
}

/** A model file's name as clients send it: the file name without `.gguf`. */
export function servedNameOf(path: string): string {
  return basename(path).replace(/\.gguf$/i, "");
}

/**
 * The database of GUARDBENCH_HOME, opened on first use and only if it exists: a worker that only serves completions
 * to a pool never creates one, and one started with `--audit` opens (or creates) it at once.
 */
export class OptionalStore {
  private store: GuardbenchStore | undefined;

  constructor(private readonly databasePath: string) {}

  /** The store, or undefined when there is no database (and `create` is false). Throws StoreError when it cannot be opened. */
  get(create = false): GuardbenchStore | undefined {
    if (!this.store && (create || existsSync(this.databasePath))) this.store = openStore(this.databasePath);
    return this.store;
  }

  close(): void {
    this.store?.close();
    this.store = undefined;
  }
}

function auditInto(store: () => GuardbenchStore, mode: () => ModerationAuditMode): ModerationAudit {
  const hashes = new Map<string, Promise<string | undefined>>();
  return {
    mode,
    record: (entries) => store().moderationAudit.record(entries),
    modelSha256: (path) => {
      let hash = hashes.get(path);
      if (!hash) {
        hash = cachedSha256OfFile(store().fileHashes, path).then(
          (digest) => digest.sha256,
          () => sha256OfFile(path).then((digest) => digest.sha256, () => undefined),
        );
        hashes.set(path, hash);
      }
      return hash;
    },
  };
}

export interface WorkerModerationOptions extends SharedOptions {
  engine: Pick<EngineProcess, "classify">;
  modelName: string;
  modelPath: string;
  family: PromptFamily;
  parallel: number;
  store: OptionalStore;
  audit: ModerationAuditMode;
}

export function workerModeration(options: WorkerModerationOptions): ModerationService {
  const served: ServedModel = {
    name: options.modelName,
    aliases: [...new Set([servedNameOf(options.modelPath), options.family])].filter((alias) => alias !== options.modelName),
    family: options.family,
    path: options.modelPath,
    parallel: options.parallel,
  };
  return new ModerationService({
    engine: { served: () => served, classify: (request, classifyOptions, signal) => options.engine.classify(request, classifyOptions, signal) },
    policies: () => options.store.get()?.policies,
    ...(options.audit === "off" ? {} : { audit: auditInto(() => options.store.get(true)!, () => options.audit) }),
    ...sharedOptions(options),
  });
}

export interface HostModerationOptions extends SharedOptions {
  engineControl: EngineControl;
  store: GuardbenchStore;
  /** `guardbench serve --audit`: at least this, whatever the app's setting */
  auditAtLeast?: ModerationAuditMode;
}

export function hostModeration(options: HostModerationOptions): ModerationService {
  const { engineControl, store } = options;
  return new ModerationService({
    engine: {
      served: () => {
        const status = engineControl.status;
        if ((status.state !== "ready" && status.state !== "crashed") || !status.model) return undefined;
        const name = servedNameOf(status.model.path);
        return {
          name,
          aliases: [...new Set([status.model.id ?? name, status.model.family])].filter((alias) => alias !== name),
          family: status.model.family,
          path: status.model.path,
          parallel: engineControl.loadedModel?.sequences ?? 1,
        };
      },
      classify: async (request, classifyOptions, signal) => (await engineControl.classify(request, classifyOptions, signal)).result,
    },
    policies: () => store.policies,
    audit: auditInto(
      () => store,
      () => strongerAudit(store.moderationAudit.mode(), options.auditAtLeast ?? "off"),
    ),
    ...sharedOptions(options),
  });
}

function sharedOptions(options: SharedOptions): SharedOptions {
  return {
    ...(options.defaultPolicy ? { defaultPolicy: options.defaultPolicy } : {}),
    ...(options.queueLimit ? { queueLimit: options.queueLimit } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.logContent ? { logContent: options.logContent } : {}),
  };
}
