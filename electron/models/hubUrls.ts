/**
 * URL building exactly as huggingface_hub does it (see hf-hub-protocol.md §1): the repo id goes in raw, a
 * revision is percent-encoded with no safe characters (`refs/pr/1` → `refs%2Fpr%2F1`), a file path keeps its
 * `/` separators and encodes everything else per segment.
 */
import { DownloadError } from "./downloadError.ts";
import { assertValidRepoId } from "./paths.ts";

export const defaultHubEndpoint = "https://huggingface.co";
export const defaultRevision = "main";

/** `HF_ENDPOINT` (a mirror, or the test double) without its trailing slashes, else huggingface.co. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.HF_ENDPOINT?.trim();
  return (configured ? configured : defaultHubEndpoint).replace(/\/+$/, "");
}

/** Python's `urllib.parse.quote(text, safe="")`: encodeURIComponent leaves `!'()*` alone, Python does not. */
export function quoteSegment(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Python's `quote(path)` with its default `safe="/"`. */
export function quotePath(path: string): string {
  return path.split("/").map(quoteSegment).join("/");
}

export interface HubUrls {
  readonly endpoint: string;
  /** `GET` → `{ sha, gated, siblings … }` at that revision. */
  revisionInfo(repo: string, revision: string): string;
  /** `GET` → one page of the entries directly inside `folder` ("" for the repo root). */
  tree(repo: string, revision: string, folder: string): string;
  /** `HEAD`/`GET` → the file, usually through a 302 to a CDN. */
  resolve(repo: string, revision: string, file: string): string;
  /** The repo's web page, where a gated model's licence is accepted. */
  repoPage(repo: string): string;
  filesPage(repo: string, revision: string): string;
  tokensPage(): string;
}

export function hubUrls(endpoint: string): HubUrls {
  return {
    endpoint,
    revisionInfo: (repo, revision) => `${endpoint}/api/models/${repo}/revision/${quoteSegment(revision)}`,
    tree: (repo, revision, folder) =>
      `${endpoint}/api/models/${repo}/tree/${quoteSegment(revision)}${folder ? `/${quoteSegment(folder)}` : ""}`,
    resolve: (repo, revision, file) => `${endpoint}/${repo}/resolve/${quoteSegment(revision)}/${quotePath(file)}`,
    repoPage: (repo) => `${endpoint}/${repo}`,
    filesPage: (repo, revision) => `${endpoint}/${repo}/tree/${quoteSegment(revision)}`,
    tokensPage: () => `${endpoint}/settings/tokens`,
  };
}

export interface ModelReference {
  repo: string;
  revision: string;
}

/** `owner/name` or `owner/name@revision` (the revision may itself contain `/`, e.g. `refs/pr/1`). */
export function parseModelReference(text: string): ModelReference {
  const at = text.indexOf("@");
  const repo = at === -1 ? text : text.slice(0, at);
  const revision = at === -1 ? defaultRevision : text.slice(at + 1);
  assertValidRepoId(repo);
  if (revision === "") {
    throw new DownloadError("invalid-repo", `"${text}" names an empty revision`, "Write owner/name@revision, e.g. @main, a tag or a commit hash, or leave out the @ for main.");
  }
  return { repo, revision };
}
