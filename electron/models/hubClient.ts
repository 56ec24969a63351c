/**
 * Talks to the Hugging Face Hub (or `HF_ENDPOINT`): which commit a revision is, what a file's size and sha256
 * are, and a byte stream of the file from any offset. Redirects are followed by hand so the token is dropped
 * before a request leaves the Hub's host (signed CDN URLs must not receive it), as huggingface_hub does.
 */
import type { ExpectedDigest } from "./contentHash.ts";
import { cancelledError, DownloadError } from "./downloadError.ts";
import { checkEndpointHint, fileNotFound, hubErrorFor, type HubTarget } from "./hubErrors.ts";
import { defaultHubEndpoint, hubEndpoint, hubUrls, type HubUrls } from "./hubUrls.ts";
import { defaultRetryPolicy, TransientError, withRetries, type RetryNotice, type RetryPolicy } from "./retry.ts";
import { assertPlausibleToken, resolveHubToken, type TokenSources } from "./tokenStore.ts";

export interface HubClientOptions {
  /** Base URL (a mirror, the test double). Default https://huggingface.co; {@link HubClient.fromEnvironment} reads `HF_ENDPOINT`. */
  endpoint?: string;
  token?: string;
  retry?: Partial<RetryPolicy>;
  /** A request or body that delivers nothing for this long is abandoned and retried (resumed, for downloads). */
  stallTimeoutMs?: number;
}

export interface HubCallOptions {
  signal?: AbortSignal;
  onRetry?: (notice: RetryNotice) => void;
}

/** A file as the Hub lists it, pinned to one commit. */
export interface HubFile {
  repo: string;
  file: string;
  /** What the user asked for (branch, tag or commit); used in messages. */
  revision: string;
  /** The commit `revision` pointed at when we asked. Every byte request uses it, so all bytes come from one version. */
  commit: string;
  size: number;
  digest: ExpectedDigest;
}

export interface ContentStream {
  /** Where the bytes start: the requested offset for a 206, 0 when the server ignored the Range and sent everything. */
  startByte: number;
  /** `X-Linked-Etag` of the resolve answer (the LFS sha256), when the Hub sent one. */
  linkedEtag: string | undefined;
  chunks: AsyncIterable<Uint8Array>;
}

/** The server answered 416 to our Range: what we have on disk does not fit the file it serves. */
export class RangeNotSatisfiableError extends Error {}

interface TreeEntry {
  type: "file" | "directory";
  path: string;
  oid: string;
  size: number;
  lfs?: { oid: string; size: number };
}

const defaultStallTimeoutMs = 30_000;
const maxRedirects = 10;
const userAgent = "guardbench/0.1 (model downloader)";

export class HubClient {
  readonly urls: HubUrls;
  readonly retryPolicy: RetryPolicy;
  readonly stallTimeoutMs: number;
  // A private field, so the token never shows up in console.log / util.inspect of the client.
  readonly #token: string | undefined;

  constructor(options: HubClientOptions = {}) {
    this.urls = hubUrls((options.endpoint ?? defaultHubEndpoint).replace(/\/+$/, ""));
    this.retryPolicy = { ...defaultRetryPolicy, ...options.retry };
    this.stallTimeoutMs = options.stallTimeoutMs ?? defaultStallTimeoutMs;
    if (options.token !== undefined) assertPlausibleToken(options.token);
    this.#token = options.token;
  }

  /** Endpoint from `HF_ENDPOINT`; token from the explicit option, else `HF_TOKEN`, else the store. */
  static async fromEnvironment(
    sources: TokenSources & { env: NodeJS.ProcessEnv },
    options: Omit<HubClientOptions, "endpoint" | "token"> = {},
  ): Promise<HubClient> {
    const token = await resolveHubToken(sources);
    return new HubClient({ ...options, endpoint: hubEndpoint(sources.env), ...(token ? { token } : {}) });
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** Size and expected digest of `file` at `revision`, from the revision and tree APIs (no byte of the file is fetched). */
  async resolveFile(repo: string, revision: string, file: string, call: HubCallOptions = {}): Promise<HubFile> {
    const target: HubTarget = { repo, revision, file };
    const info = await this.#getJson<{ sha?: unknown }>(this.urls.revisionInfo(repo, revision), target, call);
    const commit = info.body.sha;
    if (typeof commit !== "string" || !/^[0-9a-f]{40}$/.test(commit)) {
      throw this.#unexpectedAnswer(`the revision info for ${repo}@${revision} has no commit sha`);
    }
    const folder = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
    // The tree API lists a folder page by page (Link: rel="next"); the file is one of its entries.
    for (let page: string | undefined = this.urls.tree(repo, commit, folder); page; ) {
      const listing = await this.#getJson<TreeEntry[]>(page, target, call);
      if (!Array.isArray(listing.body)) throw this.#unexpectedAnswer(`the file list of ${repo} is not a list`);
      const entry = listing.body.find((candidate) => candidate.type === "file" && candidate.path === file);
      if (entry) return { repo, file, revision, commit, ...sizeAndDigest(entry) };
      page = nextPageUrl(listing.headers.get("link"), page);
    }
    throw fileNotFound(target, this.urls);
  }

  /** The file's bytes from `fromByte` on (through the Hub's redirect to its CDN), watched for stalls. */
  async openContent(file: HubFile, fromByte: number, call: HubCallOptions = {}): Promise<ContentStream> {
    const target: HubTarget = { repo: file.repo, revision: file.revision, file: file.file };
    const exchange = new Exchange(call.signal, this.stallTimeoutMs);
    try {
      const headers: Record<string, string> = { "accept-encoding": "identity" };
      if (fromByte > 0) headers.range = `bytes=${fromByte}-`;
      const { response, linkedEtag } = await this.#follow(this.urls.resolve(file.repo, file.commit, file.file), target, exchange, headers);
      if (response.status === 416) {
        await response.body?.cancel();
        throw new RangeNotSatisfiableError(`the server has no bytes from offset ${fromByte} (Content-Range: ${response.headers.get("content-range") ?? "none"})`);
      }
      await this.#throwUnlessOk(response, target, exchange);
      const startByte = response.status === 206 ? contentRangeStart(response.headers.get("content-range")) : 0;
      if (startByte !== 0 && startByte !== fromByte) {
        await response.body?.cancel();
        throw new TransientError("network", `asked for bytes from ${fromByte} but the server sent bytes from ${startByte}`);
      }
      return { startByte, linkedEtag, chunks: exchange.watch(response.body) };
    } catch (error) {
      exchange.finish();
      throw exchange.explain(error);
    }
  }

  async #getJson<T>(url: string, target: HubTarget, call: HubCallOptions): Promise<{ body: T; headers: Headers }> {
    const what = `asking ${new URL(url).host} about ${target.repo}`;
    return withRetries(
      async () => {
        const exchange = new Exchange(call.signal, this.stallTimeoutMs);
        try {
          const { response } = await this.#follow(url, target, exchange, { accept: "application/json" });
          await this.#throwUnlessOk(response, target, exchange);
          const text = await response.text();
          try {
            return { body: JSON.parse(text) as T, headers: response.headers };
          } catch {
            throw this.#unexpectedAnswer(`${url} did not answer with JSON`);
          }
        } catch (error) {
          throw exchange.explain(error);
        } finally {
          exchange.finish();
        }
      },
      what,
      this.retryPolicy,
      call,
    );
  }

  /** Follows redirects by hand: the token goes only to the host it was meant for. */
  async #follow(
    startUrl: string,
    target: HubTarget,
    exchange: Exchange,
    extraHeaders: Record<string, string>,
  ): Promise<{ response: Response; linkedEtag: string | undefined }> {
    let url = new URL(startUrl);
    let sendToken = this.#token !== undefined;
    let linkedEtag: string | undefined;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const headers: Record<string, string> = { "user-agent": userAgent, ...extraHeaders };
      if (sendToken && this.#token) headers.authorization = `Bearer ${this.#token}`;
      exchange.sentToken = sendToken;
      const response = await fetch(url, { headers, redirect: "manual", signal: exchange.signal });
      exchange.kick();
      linkedEtag ??= unquoteEtag(response.headers.get("x-linked-etag"));
      const location = response.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(response.status) || !location) return { response, linkedEtag };
      await response.body?.cancel();
      const next = new URL(location, url);
      // huggingface_hub's rule: a hop to another host (a signed CDN URL) loses the Authorization header for good.
      if (next.host !== url.host) sendToken = false;
      url = next;
    }
    throw new DownloadError("http-error", `too many redirects while fetching ${target.repo}`, checkEndpointHint);
  }

  async #throwUnlessOk(response: Response, target: HubTarget, exchange: Exchange): Promise<void> {
    if (response.ok) return;
    const serverMessage = await readServerMessage(response);
    throw hubErrorFor(response.status, response.headers, {
      target,
      urls: this.urls,
      sentToken: exchange.sentToken,
      serverMessage: serverMessage === undefined ? undefined : this.#redact(serverMessage),
    });
  }

  #unexpectedAnswer(detail: string): DownloadError {
    return new DownloadError("http-error", `unexpected answer from ${this.urls.endpoint}: ${detail}`, checkEndpointHint);
  }

  /** Server text is shown to the user; a misbehaving mirror must not be able to echo the token into it. */
  #redact(text: string): string {
    return this.#token ? text.split(this.#token).join("hf_***") : text;
  }
}

/**
 * One HTTP exchange (redirects and body included) with its own abort switch and a stall watchdog that fires
 * when nothing arrives for `stallTimeoutMs`. It also tells the caller's abort (pause/cancel) apart from a stall
 * and from a broken connection, which are retried.
 */
class Exchange {
  readonly signal: AbortSignal;
  sentToken = false;
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal | undefined;
  readonly #stallTimeoutMs: number;
  readonly #watchdog: NodeJS.Timeout;
  #stalled = false;

  constructor(outer: AbortSignal | undefined, stallTimeoutMs: number) {
    this.#outer = outer;
    this.#stallTimeoutMs = stallTimeoutMs;
    this.signal = outer ? AbortSignal.any([outer, this.#controller.signal]) : this.#controller.signal;
    this.#watchdog = setTimeout(() => {
      this.#stalled = true;
      this.#controller.abort();
    }, stallTimeoutMs);
  }

  kick(): void {
    this.#watchdog.refresh();
  }

  finish(): void {
    clearTimeout(this.#watchdog);
  }

  /** Yields the body's chunks, restarting the watchdog on each; stops the exchange when the reader stops early. */
  async *watch(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
    let completed = false;
    try {
      if (body) {
        for await (const chunk of body) {
          this.kick();
          yield chunk;
        }
      }
      completed = true;
    } catch (error) {
      throw this.explain(error);
    } finally {
      this.finish();
      if (!completed) this.#controller.abort();
    }
  }

  /** Names what happened: the caller aborted, the connection stalled, or the network failed. */
  explain(error: unknown): Error {
    if (this.#outer?.aborted) return cancelledError();
    if (this.#stalled) return new TransientError("stall", `no data arrived for ${this.#stallTimeoutMs / 1000} s`);
    if (error instanceof DownloadError || error instanceof TransientError || error instanceof RangeNotSatisfiableError) return error;
    return new TransientError("network", describeNetworkFailure(error));
  }
}

function describeNetworkFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const detail = cause?.message ?? cause?.code;
  // undici says "fetch failed" / "terminated"; the cause says why (ECONNREFUSED, "other side closed" …).
  return detail ? `connection failed: ${detail}` : `connection failed: ${error.message}`;
}

function sizeAndDigest(entry: TreeEntry): Pick<HubFile, "size" | "digest"> {
  if (entry.lfs) return { size: entry.lfs.size, digest: { kind: "sha256", hex: entry.lfs.oid } };
  return { size: entry.size, digest: { kind: "git-blob-sha1", hex: entry.oid, size: entry.size } };
}

async function readServerMessage(response: Response): Promise<string | undefined> {
  const header = response.headers.get("x-error-message");
  const body = await response.text().catch(() => "");
  if (header) return header;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === "string" ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** `Link: <https://…?cursor=…>; rel="next"` (GitHub-style pagination, as the Hub's tree API uses). */
function nextPageUrl(link: string | null, current: string): string | undefined {
  const next = link?.split(",").find((part) => /;\s*rel="?next"?/.test(part));
  const target = next?.match(/<([^>]+)>/)?.[1];
  return target ? new URL(target, current).toString() : undefined;
}

function contentRangeStart(contentRange: string | null): number {
  const start = contentRange?.match(/^bytes (\d+)-\d+\/(?:\d+|\*)$/)?.[1];
  if (start === undefined) throw new TransientError("network", `the server sent a 206 with an unreadable Content-Range (${contentRange ?? "none"})`);
  return Number(start);
}

function unquoteEtag(etag: string | null): string | undefined {
  return etag ? etag.replace(/^W\//, "").replace(/^"|"$/g, "") : undefined;
}
