/**
 * Builds an AppHost from a home folder with the real components: the SQLite store, the model library, Hub downloads,
 * the engine worker and hardware detection. `guardbench serve`, the Electron shell and the CLI commands all start here;
 * only the worker spawner and the token store differ between them.
 */
import packageJson from "../../package.json" with { type: "json" };
import { detectHardwareInWorker, EngineProcess, estimateMemoryInWorker, forkWorker, type WorkerSpawner } from "../engine/engineProcess.ts";
import { gpuModeFromEnv } from "../engine/hardware.ts";
import { ModelVocabulary } from "../engine/remote/promptEncoding.ts";
import { ModelLibrary } from "../models/library.ts";
import { modelsDirectory } from "../models/paths.ts";
import { FileSecretStore, secretsFilePath, type SecretStore } from "../endpoints/keyStore.ts";
import { FileTokenStore, tokenFilePath, type TokenStore } from "../models/tokenStore.ts";
import { databasePathFor, openStore, type GuardbenchStore } from "../store/index.ts";
import { ensurePrivateFolder, formatMode } from "../store/privateFiles.ts";
import { AppHost } from "./appHost.ts";
import { HubDownloads } from "./downloads.ts";
import type { EngineDefaults } from "../engine/engineControl.ts";
import type { FilePicker } from "./fileAccess.ts";
import type { AppHostDeps } from "./services.ts";

export interface HostSetup {
  home: string;
  env: NodeJS.ProcessEnv;
  transport: AppHostDeps["transport"];
  electronVersion?: string;
  /** default: a Node child process (CLI, serve); the desktop app passes a utilityProcess spawner */
  spawnWorker?: WorkerSpawner;
  /** default: a 0600 file in the home folder; the desktop app passes a safeStorage-backed store */
  tokenStore?: TokenStore;
  /** endpoint API keys; default: a 0600 JSON file in the home folder; the desktop app passes a safeStorage-sealed one */
  secretStore?: SecretStore;
  engineDefaults?: EngineDefaults;
  /** an Electron build of better-sqlite3's addon (see OpenDatabaseOptions.nativeBinding) */
  sqliteNativeBinding?: string;
  /** the desktop app's native file dialog (files:pick) */
  pickFile?: FilePicker;
  /** files outside the data folder that are never read or written for the page (the desktop app's window state) */
  protectedFiles?: readonly string[];
  /** the moderation API's settings (`guardbench serve --audit`) */
  moderationApi?: AppHostDeps["moderationApi"];
  /**
   * default true: runs the app left running continue as background jobs. A CLI command is not the app: it serves one
   * request and exits, so it leaves them for the app (or `guardbench run`) to continue.
   */
  resumeInterruptedRuns?: boolean;
}

export interface RunningHost {
  host: AppHost;
  store: GuardbenchStore;
  engine: EngineProcess;
  /** what the user should know about the start-up (a data folder made private) */
  notes: string[];
  /** stops jobs, kills the engine worker, closes the database */
  dispose(): void;
}

/**
 * `GUARDBENCH_MMAP=off` reads model weights into memory instead of mapping the file (llama.cpp's --no-mmap): for file
 * systems where mapping is slow or unsupported, and for tests that watch a load's progress move tensor by tensor.
 */
export function mmapFromEnv(env: NodeJS.ProcessEnv): { mmap?: false } {
  const setting = env.GUARDBENCH_MMAP?.trim().toLowerCase();
  return setting && ["off", "false", "0", "no"].includes(setting) ? { mmap: false } : {};
}

/**
 * GUARDBENCH_PROBE_DELAY_MS: the first re-probe of a failed endpoint (default 5 s); GUARDBENCH_ALL_DOWN_TIMEOUT_MS: how
 * long every endpoint may stay down before a run stops, resumable (default 5 min).
 */
export function poolOptionsFromEnv(env: NodeJS.ProcessEnv): { probeDelayMs?: number; allDownTimeoutMs?: number } {
  const positive = (text: string | undefined) => {
    const value = Number(text);
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const probeDelayMs = positive(env.GUARDBENCH_PROBE_DELAY_MS);
  const allDownTimeoutMs = positive(env.GUARDBENCH_ALL_DOWN_TIMEOUT_MS);
  return { ...(probeDelayMs ? { probeDelayMs } : {}), ...(allDownTimeoutMs ? { allDownTimeoutMs } : {}) };
}

/** Throws StoreError when the database cannot be opened (corrupt, locked, too new): callers show its message and hint. */
export function createAppHost(setup: HostSetup): RunningHost {
  const paths = { home: setup.home, modelsDir: modelsDirectory(setup.home), databasePath: databasePathFor(setup.home) };
  const notes: string[] = [];
  const looserMode = ensurePrivateFolder(setup.home);
  if (looserMode !== undefined) notes.push(`made ${setup.home} private (it was ${formatMode(looserMode)}, now 0700): it holds your history, datasets, token and keys`);
  const store = openStore(paths.databasePath, setup.sqliteNativeBinding ? { nativeBinding: setup.sqliteNativeBinding } : {});
  const engine = new EngineProcess(setup.spawnWorker ?? forkWorker);
  const tokenStore = setup.tokenStore ?? new FileTokenStore(tokenFilePath(setup.home));
  const gpu = gpuModeFromEnv(setup.env);
  const host = new AppHost({
    paths,
    transport: setup.transport,
    appVersion: packageJson.version,
    ...(setup.electronVersion ? { electronVersion: setup.electronVersion } : {}),
    env: setup.env,
    store,
    engine,
    engineDefaults: { gpu, ...mmapFromEnv(setup.env), ...setup.engineDefaults },
    library: new ModelLibrary(setup.home),
    downloads: new HubDownloads({ modelsDir: paths.modelsDir, env: setup.env, tokenStore }),
    detectHardware: () => detectHardwareInWorker(setup.spawnWorker ?? forkWorker, gpu),
    estimateModelMemory: (paths, contextSize) => estimateMemoryInWorker(setup.spawnWorker ?? forkWorker, paths, contextSize),
    tokenStore,
    secretStore: setup.secretStore ?? new FileSecretStore(secretsFilePath(setup.home)),
    openVocabulary: (modelPath, family) => ModelVocabulary.open(modelPath, family, setup.spawnWorker ?? forkWorker),
    ...(setup.pickFile ? { pickFile: setup.pickFile } : {}),
    ...(setup.protectedFiles ? { protectedFiles: setup.protectedFiles } : {}),
    ...(setup.moderationApi ? { moderationApi: setup.moderationApi } : {}),
  }, { runPoolOptions: poolOptionsFromEnv(setup.env) });
  // Runs the app left running (it quit or was killed mid-run) continue in the background, as jobs.
  if (setup.resumeInterruptedRuns !== false) void host.resumeInterruptedRuns();
  return {
    host,
    store,
    engine,
    notes,
    dispose: () => {
      host.dispose();
      engine.dispose();
      store.close();
    },
  };
}
