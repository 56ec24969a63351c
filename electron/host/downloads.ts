/**
 * Model downloads for AppHost: the downloader's queue (one job per file, a concurrency limit) with the Hub token
 * looked up when a download starts, so a token saved through `hf:token-set` applies to the next download without a restart.
 */
import type { DownloadRequest, ModelDownload } from "../models/download.ts";
import { DownloadQueue } from "../models/downloadQueue.ts";
import { HubClient, type HubClientOptions } from "../models/hubClient.ts";
import { hubEndpoint } from "../models/hubUrls.ts";
import { resolveHubToken, type TokenStore } from "../models/tokenStore.ts";

export interface DownloadService {
  /** Starts (or joins) the download of one file. Throws a DownloadError for a malformed repo id or file name. */
  start(request: DownloadRequest): Promise<ModelDownload>;
}

export interface HubDownloadsOptions {
  modelsDir: string;
  /** HF_ENDPOINT and HF_TOKEN are read from here */
  env: NodeJS.ProcessEnv;
  tokenStore: TokenStore;
  /** retry and stall settings (tests shorten them) */
  hub?: Omit<HubClientOptions, "endpoint" | "token">;
  concurrency?: number;
  progressIntervalMs?: number;
}

export class HubDownloads implements DownloadService {
  /** One queue per token: a queue's Hub client holds one token, and jobs already running keep the one they started with. */
  private queue: { token: string | undefined; queue: DownloadQueue } | undefined;
  private readonly retired: DownloadQueue[] = [];

  constructor(private readonly options: HubDownloadsOptions) {}

  async start(request: DownloadRequest): Promise<ModelDownload> {
    const token = await resolveHubToken({ env: this.options.env, store: this.options.tokenStore });
    const queue = this.queueFor(token);
    // A file still downloading under the previous token is joined, not started twice.
    const joined = this.retired.flatMap((q) => q.jobs).find((job) => job.repo === request.repo && job.file === request.file);
    return joined ?? queue.enqueue(request);
  }

  private queueFor(token: string | undefined): DownloadQueue {
    if (this.queue && this.queue.token === token) return this.queue.queue;
    if (this.queue) this.retired.push(this.queue.queue);
    // Forget retired queues once their jobs are over.
    for (let i = this.retired.length - 1; i >= 0; i--) if (this.retired[i]!.jobs.length === 0) this.retired.splice(i, 1);
    const { modelsDir, env, hub, concurrency, progressIntervalMs } = this.options;
    const client = new HubClient({ ...hub, endpoint: hubEndpoint(env), ...(token ? { token } : {}) });
    const queue = new DownloadQueue({
      modelsDir,
      hub: client,
      ...(concurrency ? { concurrency } : {}),
      ...(progressIntervalMs !== undefined ? { progressIntervalMs } : {}),
    });
    this.queue = { token, queue };
    return queue;
  }
}
