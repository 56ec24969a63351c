/**
 * AppHost: the only entry to the main side. Every transport (Electron IPC, the `guardbench serve` WebSocket, the CLI,
 * tests) calls `invoke(channel, request)` with untrusted input and gets a Result envelope back; pushed events reach
 * whoever subscribed through `on`/`onAny`, each subscription returning its disposer.
 */
import type { Channel, EventName, EventPayload, GuardbenchApi, Req, Res } from "../../shared/ipc/contract.ts";
import { parseRequest } from "../../shared/ipc/contract.ts";
import { err, type Result } from "../../shared/ipc/result.ts";
import { EngineControl } from "../engine/engineControl.ts";
import { toResultError } from "../core/errors.ts";
import { OpenRequestQueue } from "./openRequests.ts";
import { EventHub, type AnyEventListener } from "../core/eventHub.ts";
import { MAIN_CALL, mergeHandlerGroups, PAGE_CALL, type CallContext, type HandlerGroup, type HandlerTable } from "./handlerTable.ts";
import { defaultHandlerGroups } from "./handlers/index.ts";
import { estimateMemoryInWorker, forkWorker } from "../engine/engineProcess.ts";
import type { PoolOptions } from "../engine/remote/pool.ts";
import { FileSecretStore, secretsFilePath } from "../endpoints/keyStore.ts";
import { RunManager } from "../runs/runManager.ts";
import { cachedSha256OfFile } from "../core/fileHash.ts";
import { JobManager } from "../core/jobs.ts";
import { DisposableStore, type Disposer } from "../core/lifecycle.ts";
import { FileAccess, guardbenchOwnFiles } from "./fileAccess.ts";
import type { AppHostDeps, HostServices } from "./services.ts";
import { StoreChangeWatcher } from "./storeChanges.ts";
import { hostModeration } from "../moderation/wiring.ts";
import type { ModerationService } from "../moderation/service.ts";

export interface AppHostOptions {
  /** extra handler groups (tests); a channel claimed twice makes the constructor throw */
  extraHandlerGroups?: (services: HostServices) => HandlerGroup[];
  /** how long a hardware measurement is reused; default 30 s */
  hardwareCacheMs?: number;
  /** timings of the endpoint pool that scores runs across endpoints (tests shorten the re-probe delay) */
  runPoolOptions?: Omit<PoolOptions, "onEvent">;
  /** how often the database is looked at for label and run writes made elsewhere; default STORE_WATCH_INTERVAL_MS */
  storeWatchIntervalMs?: number;
}

export class AppHost {
  private readonly events = new EventHub();
  private readonly openRequests = new OpenRequestQueue();
  private readonly jobs: JobManager;
  private readonly engineControl: EngineControl;
  private readonly runManager: RunManager;
  private readonly table: HandlerTable;
  private readonly disposables = new DisposableStore();
  private readonly files: FileAccess;
  private readonly storeChanges: StoreChangeWatcher;
  /** `POST /v1/moderations` over this host's engine (mounted by `guardbench serve`'s HTTP server) */
  readonly moderation: ModerationService;

  /** Throws HandlerTableError when two handler groups claim a channel or a contract channel has no handler. */
  constructor(deps: AppHostDeps, options: AppHostOptions = {}) {
    this.jobs = new JobManager(this.events);
    const hashModel = async (path: string, signal: AbortSignal) => (await cachedSha256OfFile(deps.store.fileHashes, path, { signal })).sha256;
    const savedCustomGuard = (path: string) => deps.store.customGuards.find(path)?.definition;
    this.engineControl = new EngineControl(deps.engine, this.jobs, this.events, deps.engineDefaults, hashModel, savedCustomGuard);
    const secretStore = deps.secretStore ?? new FileSecretStore(secretsFilePath(deps.paths.home));
    this.files = new FileAccess({ home: deps.paths.home, modelsDir: deps.paths.modelsDir, protectedFiles: [...guardbenchOwnFiles(deps.paths.home, deps.paths.databasePath), ...(deps.protectedFiles ?? [])] });
    this.runManager = new RunManager(deps.store, this.jobs, this.engineControl, this.events, deps.paths.modelsDir, {
      secretStore,
      ...(deps.openVocabulary ? { openVocabulary: deps.openVocabulary } : {}),
      ...(options.runPoolOptions ? { poolOptions: options.runPoolOptions } : {}),
    });
    const services: HostServices = {
      ...deps,
      secretStore,
      estimateModelMemory: deps.estimateModelMemory ?? ((paths, contextSize) => estimateMemoryInWorker(forkWorker, paths, contextSize)),
      events: this.events,
      jobs: this.jobs,
      engineControl: this.engineControl,
      runs: this.runManager,
      hardware: cached(deps.detectHardware, options.hardwareCacheMs ?? 30_000),
      openRequests: this.openRequests,
      files: this.files,
    };
    this.moderation = hostModeration({ engineControl: this.engineControl, store: deps.store, ...deps.moderationApi });
    this.table = mergeHandlerGroups([...defaultHandlerGroups(services), ...(options.extraHandlerGroups?.(services) ?? [])]);
    this.disposables.add(() => this.jobs.cancelAll());
    this.disposables.add(() => this.engineControl.dispose());
    this.disposables.add(() => this.events.clear());
    this.disposables.add(() => void this.files.dispose());
    // Last: a constructor that threw above leaves no timer behind.
    this.storeChanges = new StoreChangeWatcher(deps.store, this.events, options.storeWatchIntervalMs);
    this.disposables.add(() => this.storeChanges.dispose());
  }

  /**
   * Validates `request` against the channel's schema, then runs its handler. Never throws. This is the transports'
   * entry: the caller is the page, which may name only files the user chose (see fileAccess.ts).
   */
  invoke(channel: unknown, request: unknown): Promise<Result<unknown>> {
    return this.invokeAs(channel, request, PAGE_CALL);
  }

  private async invokeAs(channel: unknown, request: unknown, context: CallContext): Promise<Result<unknown>> {
    if (this.disposables.isDisposed) return err("host-closed", "Guardbench is shutting down", "Restart Guardbench.");
    const parsed = parseRequest(channel, request);
    if (!parsed.ok) return parsed;
    const handler = this.table[channel as Channel] as (request: unknown, context: CallContext) => Promise<Result<unknown>>;
    try {
      return await handler(parsed.value, context);
    } catch (error) {
      return { ok: false, error: toResultError(error, String(channel)) };
    } finally {
      // What the handler wrote (a label, a run) is announced before its answer goes out.
      this.storeChanges.check();
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): Disposer {
    return this.events.on(event, listener);
  }

  /** Every pushed event (transports forward them all). */
  onAny(listener: AnyEventListener): Disposer {
    return this.events.onAny(listener);
  }

  /**
   * Asks the UI to offer importing a model file the operating system opened with Guardbench. The user chose it (a
   * double-click, "Open with"), so it is granted for import first.
   */
  requestModelOpen(path: string): void {
    this.files.allowOpenRequest(path);
    this.openRequests.add([path]);
  }

  /**
   * A typed, in-process client: the CLI and tests use the same handlers and validation as the transports. Its caller
   * is main-side code, which names files itself (a command line, a test's fixture), so paths need no grant; Guardbench's
   * own files and special files are refused all the same.
   */
  client(): GuardbenchApi {
    return {
      invoke: <C extends Channel>(channel: C, request: Req<C>) => this.invokeAs(channel, request, MAIN_CALL) as Promise<Result<Res<C>>>,
      on: (event, listener) => this.on(event, listener),
    };
  }

  /**
   * Start-up: continues the runs the app left running when it last stopped (each as a job; one that cannot continue is
   * marked failed with the reason). Call once, after the host is set up.
   */
  resumeInterruptedRuns(): Promise<void> {
    return this.runManager.resumeInterrupted();
  }

  /** Resolves when the job has finished (tests, shutdown); undefined for a job that is not running. */
  whenJobDone(jobId: string) {
    return this.jobs.whenDone(jobId);
  }

  /**
   * Stops every running job as a shutdown does (a run stays resumable, in the state it was in) and resolves once they
   * have all finished: `guardbench run` on Ctrl+C, after pausing its run.
   */
  async stopJobs(): Promise<void> {
    const running = this.jobs.list().map((job) => this.jobs.whenDone(job.jobId));
    this.jobs.cancelAll();
    await Promise.all(running);
  }

  /** Cancels running jobs and drops every subscriber. The dependencies (store, engine) belong to whoever created them. */
  dispose(): void {
    this.disposables.dispose();
  }
}

/** Reuses a successful result for `maxAgeMs`; a failure is not cached. */
function cached<T>(produce: () => Promise<T>, maxAgeMs: number): () => Promise<T> {
  let entry: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (entry && Date.now() - entry.at < maxAgeMs) return entry.value;
    const value = produce();
    const current = { at: Date.now(), value };
    entry = current;
    value.catch(() => {
      if (entry === current) entry = undefined;
    });
    return value;
  };
}
