/**
 * Long work as jobs (handlers: electron/host/handlers/jobs.ts). A model download, a model load, a dataset import or a
 * batch run answers `{ jobId }` at once, then pushes `job:progress` and finally one `job:done` carrying the job's own
 * Result. `job:cancel` cancels any job; downloads and runs also take `job:pause` and `job:resume`. A renderer that
 * (re)connects calls `job:list` to pick up jobs already running.
 */
import { z } from "zod";
import type { Result } from "../result.ts";
import { answer, type ChannelTable } from "./channel.ts";
import type { DatasetImportReport } from "./datasets.ts";
import type { EngineStatus } from "./engine.ts";
import { noFields } from "./fields.ts";
import type { ModelSummary } from "./models.ts";
import type { RunSummary } from "./runs.ts";

const jobIdSchema = z.strictObject({ jobId: z.string().min(1).max(100) });

export interface JobStarted {
  jobId: string;
}

export type JobKind = "download" | "load" | "import" | "run";
export type JobState = "queued" | "running" | "paused";

export interface DownloadJobProgress {
  jobId: string;
  kind: "download";
  state: JobState;
  repo: string;
  file: string;
  /**
   * "waiting": another Guardbench process is downloading this file (this one takes over when it ends or is killed);
   * "checking": hashing a partial file left by an earlier run before resuming it
   */
  phase: "waiting" | "checking" | "downloading";
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** set while waiting to retry after a broken connection, a 429 or a 5xx */
  retry?: { attempt: number; delayMs: number; reason: string };
}

export interface LoadJobProgress {
  jobId: string;
  kind: "load";
  state: JobState;
  modelId: string;
  path: string;
  stage: "starting" | "loading";
  /** the share of the weights llama.cpp has loaded, 0 to 1 (absent until it reports; a mapped file on the CPU jumps to 1) */
  progress?: number;
}

export interface ImportJobProgress {
  jobId: string;
  kind: "import";
  state: JobState;
  path: string;
  bytesRead: number;
  totalBytes: number;
  items: number;
  badRows: number;
}

export interface RunJobProgress {
  jobId: string;
  kind: "run";
  state: JobState;
  runId: number;
  datasetId: number;
  /** hashing: checking the model file; loading: loading the run's model; scoring: classifying items */
  phase: "hashing" | "loading" | "scoring";
  /** items with a result (scored or failed), earlier sessions of the run included */
  done: number;
  total: number;
  failed: number;
  itemsPerSecond: number;
  etaSeconds: number | null;
  /**
   * Runs scored across endpoints: each scorer's share this session (`name` "local" for the local engine). A suspended
   * endpoint failed and is being re-probed; its items went to the others. Absent for local-only runs.
   */
  perEndpoint?: EndpointProgress[];
}

export interface EndpointProgress {
  name: string;
  /** items it finished this session (failures included) */
  done: number;
  failed: number;
  itemsPerSecond: number;
  state: "active" | "suspended";
}

export type JobProgress = DownloadJobProgress | LoadJobProgress | ImportJobProgress | RunJobProgress;

/** A finished download: the installed model, and what the Hub's checksum verified. */
export interface DownloadedModel extends ModelSummary {
  verified: {
    sha256: string;
    /** the commit the revision pointed at; the bytes come from it */
    commit: string;
    /** a verified copy was already installed and nothing was downloaded */
    alreadyInstalled: boolean;
  };
}

export type JobDone =
  | { jobId: string; kind: "download"; result: Result<DownloadedModel> }
  | { jobId: string; kind: "load"; result: Result<EngineStatus> }
  | { jobId: string; kind: "import"; result: Result<DatasetImportReport> }
  | { jobId: string; kind: "run"; result: Result<RunSummary> };

export const jobChannels = {
  /** the jobs still running (for a renderer that connects after they started) */
  "job:list": { request: noFields, answer: answer<{ jobs: JobProgress[] }>() },
  "job:cancel": { request: jobIdSchema, answer: answer<{ jobId: string; cancelled: boolean }>() },
  /** downloads and runs */
  "job:pause": { request: jobIdSchema, answer: answer<{ jobId: string }>() },
  /** downloads and runs */
  "job:resume": { request: jobIdSchema, answer: answer<{ jobId: string }>() },
} as const satisfies ChannelTable;
