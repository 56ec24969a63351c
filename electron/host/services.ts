/** What AppHost is built from (its constructor's argument) and what the handler groups receive. */
import type { HardwareProfile } from "../../shared/models/fit.ts";
import type { HostTransport } from "../../shared/ipc/channels/app.ts";
import type { ModelLibrary, ModelMemoryEstimator } from "../models/library.ts";
import type { SecretStore } from "../endpoints/keyStore.ts";
import type { TokenStore } from "../models/tokenStore.ts";
import type { RunManager, VocabularyOpener } from "../runs/runManager.ts";
import type { GuardbenchStore } from "../store/index.ts";
import type { DownloadService } from "./downloads.ts";
import type { EngineControl, EngineDefaults, EnginePort } from "../engine/engineControl.ts";
import type { EventHub } from "../core/eventHub.ts";
import type { OpenRequestQueue } from "./openRequests.ts";
import type { JobManager } from "../core/jobs.ts";
import type { FileAccess, FilePicker } from "./fileAccess.ts";
import type { HostModerationOptions } from "../moderation/wiring.ts";

export interface HostPaths {
  home: string;
  modelsDir: string;
  databasePath: string;
}

/** Everything AppHost uses, passed in so tests can give it real components on a temporary home. */
export interface AppHostDeps {
  paths: HostPaths;
  transport: HostTransport;
  appVersion: string;
  /** process.versions.electron in the desktop app */
  electronVersion?: string;
  /** HF_TOKEN is read from here */
  env: NodeJS.ProcessEnv;
  store: GuardbenchStore;
  engine: EnginePort;
  engineDefaults?: EngineDefaults;
  library: ModelLibrary;
  downloads: DownloadService;
  /** measured through node-llama-cpp; AppHost caches it for a short while */
  detectHardware: () => Promise<HardwareProfile>;
  /** node-llama-cpp's memory estimates for installed files; default: in a Node engine worker of its own */
  estimateModelMemory?: ModelMemoryEstimator;
  tokenStore: TokenStore;
  /** endpoint API keys; default: the 0600 key file in the home folder */
  secretStore?: SecretStore;
  /** the tokenizer for runs scored by endpoints; default: ModelVocabulary.open with a Node engine worker */
  openVocabulary?: VocabularyOpener;
  /** the desktop app's native file dialog (`files:pick`); absent in a browser, where the page uploads or confirms a path */
  pickFile?: FilePicker;
  /** files besides the data folder's own that are never read or written for anyone (the desktop app's window state …) */
  protectedFiles?: readonly string[];
  /** the moderation API's settings (`guardbench serve --audit`, request logging) */
  moderationApi?: Omit<HostModerationOptions, "engineControl" | "store">;
}

export interface HostServices extends AppHostDeps {
  secretStore: SecretStore;
  estimateModelMemory: ModelMemoryEstimator;
  events: EventHub;
  jobs: JobManager;
  engineControl: EngineControl;
  /** batch runs as jobs, resumable */
  runs: RunManager;
  /** detectHardware, cached */
  hardware: () => Promise<HardwareProfile>;
  /** model files the OS asked to open, until a page takes them */
  openRequests: OpenRequestQueue;
  /** the files the user chose, and the checks every file-taking channel makes */
  files: FileAccess;
}
