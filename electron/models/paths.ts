import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { DownloadError } from "./downloadError.ts";

/**
 * Where Guardbench keeps its data outside the app: `$GUARDBENCH_HOME`, else `~/.guardbench`.
 * (The Electron app passes `app.getPath('userData')` as GUARDBENCH_HOME; the CLI uses this default.)
 */
export function guardbenchHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.GUARDBENCH_HOME?.trim();
  return resolve(configured ? configured : join(homedir(), ".guardbench"));
}

export function modelsDirectory(home: string): string {
  return join(home, "models");
}

/** Hub repo ids are `owner/name`; both parts are Hub-validated names, but we re-check because they become folders. */
const repoPart = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function assertValidRepoId(repo: string): void {
  const parts = repo.split("/");
  const valid = parts.length === 2 && parts.every((part) => repoPart.test(part) && !part.includes(".."));
  if (!valid) {
    throw new DownloadError(
      "invalid-repo",
      `${JSON.stringify(repo)} is not a Hugging Face model id`,
      'Model ids look like "owner/name", e.g. "meta-llama/Llama-Guard-3-1B".',
    );
  }
}

/**
 * `<modelsDir>/<owner>/<repo>/<file>` for a file name that came from the user or the Hub. Refuses anything that
 * is not a plain relative path inside the repo folder, because a hostile name (`../../.bashrc`, `/etc/x`,
 * `a\..\b` on Windows) would otherwise write outside the models folder.
 */
export function installedModelPath(modelsDir: string, repo: string, file: string): string {
  assertValidRepoId(repo);
  const problem = fileNameProblem(file);
  if (problem) {
    throw new DownloadError(
      "invalid-file-name",
      `refusing to download ${JSON.stringify(file)} from ${repo}: ${problem}`,
      "Model files must be plain relative paths inside the repository, such as \"model-Q4_K_M.gguf\" or \"gguf/model.gguf\".",
    );
  }
  const root = resolve(modelsDir);
  const destination = resolve(root, ...repo.split("/"), ...file.split("/"));
  // Belt and braces after the segment checks: the resolved path must still be inside the models folder.
  const inside = relative(root, destination);
  if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
    throw new DownloadError("invalid-file-name", `refusing to download ${JSON.stringify(file)}: it resolves outside ${root}`);
  }
  return destination;
}

function fileNameProblem(file: string): string | undefined {
  if (file.length === 0) return "the name is empty";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we are looking for
  if (/[\u0000-\u001f\u007f]/.test(file)) return "it contains control characters";
  if (file.includes("\\")) return "it contains a backslash";
  if (file.startsWith("/") || /^[A-Za-z]:/.test(file)) return "it is an absolute path";
  const segments = file.split("/");
  if (segments.some((segment) => segment === "..")) return 'it contains a ".." segment';
  if (segments.some((segment) => segment === "" || segment === ".")) return "it contains an empty or \".\" path segment";
  return undefined;
}

/** The in-progress download lives next to its destination so the final rename stays on one filesystem (atomic). */
export function partialPathFor(destination: string): string {
  return `${destination}.partial`;
}

/** Held by the process downloading `destination` (downloadLock.ts), so no other process writes the same partial. */
export function lockPathFor(destination: string): string {
  return `${destination}.partial.lock`;
}

/** What the partial file is a partial *of*, so a later run can tell whether resuming it is safe. */
export function partialSidecarPathFor(destination: string): string {
  return `${destination}.partial.json`;
}
