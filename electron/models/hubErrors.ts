/**
 * Turns a Hub error answer into the DownloadError a user can act on. The Hub says what is missing or forbidden
 * in `X-Error-Code` (hf-hub-protocol.md §6); the status alone cannot tell a missing repo from a private one.
 */
import { DownloadError } from "./downloadError.ts";
import type { HubUrls } from "./hubUrls.ts";
import { serverRequestedDelayMs, TransientError } from "./retry.ts";

/** What a request was about, so an error can name it. `revision` is what the user asked for, never the pinned commit. */
export interface HubTarget {
  repo: string;
  revision: string;
  file?: string;
}

export interface HubErrorContext {
  target: HubTarget;
  urls: HubUrls;
  /** Whether the request carried a token: a 401 means something different with and without one. */
  sentToken: boolean;
  /** Server-supplied text, already scrubbed of the token. */
  serverMessage: string | undefined;
}

/** For answers a real Hub would not give: most often HF_ENDPOINT points somewhere else. */
export const checkEndpointHint = "If HF_ENDPOINT is set, check that it points at a Hugging Face Hub or mirror.";

const tokenHowTo = "pass it with --token, set the HF_TOKEN environment variable, or save it in the app's Hugging Face token field (Models → Hugging Face token)";

/** Returns a TransientError for answers worth retrying (429, 5xx, 408), a DownloadError for the rest. */
export function hubErrorFor(status: number, headers: Headers, context: HubErrorContext): DownloadError | TransientError {
  const { target, urls, sentToken, serverMessage } = context;
  const said = serverMessage ? ` (the Hub said: ${serverMessage})` : "";
  if (status === 429) {
    return new TransientError("rate-limited", `HTTP 429 Too Many Requests${said}`, serverRequestedDelayMs(headers), status);
  }
  if (status >= 500 || status === 408) {
    return new TransientError("server-error", `HTTP ${status}${said}`, serverRequestedDelayMs(headers), status);
  }

  const repoPage = urls.repoPage(target.repo);
  const errorCode = headers.get("x-error-code");
  switch (errorCode) {
    case "RevisionNotFound":
      return new DownloadError(
        "revision-not-found",
        `revision "${target.revision}" does not exist in ${target.repo}`,
        `Use a branch, tag or commit hash of the repo (the branch list is on ${urls.filesPage(target.repo, "main")}), or leave the revision out for main.`,
        { status },
      );
    case "EntryNotFound":
      return fileNotFound(target, urls, status);
    case "GatedRepo":
      if (status === 403) return licenceNotAccepted(target.repo, repoPage, serverMessage);
      return sentToken ? invalidToken(urls, status) : tokenRequired(target.repo, urls, "it is gated");
    case "RepoNotFound":
      return new DownloadError(
        "repo-not-found",
        `model repo ${target.repo} was not found on ${urls.endpoint}`,
        sentToken
          ? "Check the owner/name spelling. If the repo is private, make sure your token's account can see it."
          : `Check the owner/name spelling. If the repo is private, it needs a Hugging Face token: ${tokenHowTo}.`,
        { status },
      );
  }
  if (status === 401) return sentToken ? invalidToken(urls, status) : tokenRequired(target.repo, urls, "the Hub asks for authentication");
  if (status === 403 && serverMessage === "Access to this resource is disabled.") {
    return new DownloadError("http-error", `${target.repo} has been disabled on the Hub`, "Pick another model; disabled repos cannot be downloaded.", { status });
  }
  return new DownloadError(
    "http-error",
    `the Hub answered HTTP ${status} for ${describe(target)}${said}`,
    checkEndpointHint,
    { status },
  );
}

export function fileNotFound(target: HubTarget, urls: HubUrls, status?: number): DownloadError {
  return new DownloadError(
    "file-not-found",
    `${target.repo} has no file "${target.file ?? ""}" at revision "${target.revision}"`,
    `The repo's files are listed at ${urls.filesPage(target.repo, target.revision)}; file names are case-sensitive and include any folder.`,
    status ? { status } : {},
  );
}

function tokenRequired(repo: string, urls: HubUrls, why: string): DownloadError {
  const licenceUrl = urls.repoPage(repo);
  return new DownloadError(
    "auth-required",
    `this model needs a Hugging Face token (${repo}: ${why})`,
    `Accept the licence at ${licenceUrl}, create a read token at ${urls.tokensPage()}, then ${tokenHowTo}.`,
    { status: 401, licenceUrl },
  );
}

function invalidToken(urls: HubUrls, status: number): DownloadError {
  return new DownloadError(
    "auth-invalid",
    "the Hub rejected your Hugging Face token (revoked, expired or mistyped)",
    `Create a new read token at ${urls.tokensPage()}, then ${tokenHowTo}.`,
    { status },
  );
}

function licenceNotAccepted(repo: string, licenceUrl: string, serverMessage: string | undefined): DownloadError {
  // A manually gated repo whose authors have not reviewed the request yet: accepting again will not help.
  if (serverMessage && /awaiting a review/i.test(serverMessage)) {
    return new DownloadError(
      "licence-not-accepted",
      `your request to access ${repo} is awaiting review by its authors`,
      `Check the status at ${licenceUrl}; pull again once access is granted.`,
      { status: 403, licenceUrl },
    );
  }
  return new DownloadError(
    "licence-not-accepted",
    `accept the licence at ${licenceUrl} to download ${repo}: the account your token belongs to has not been granted access`,
    `Open ${licenceUrl} signed in as that account, accept the terms (some authors also review requests), then pull again.`,
    { status: 403, licenceUrl },
  );
}

function describe(target: HubTarget): string {
  return target.file ? `${target.repo}/${target.file}@${target.revision}` : `${target.repo}@${target.revision}`;
}
