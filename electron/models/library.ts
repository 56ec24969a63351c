/**
 * The models on this machine: `<home>/models/<owner>/<repo>/<file>` for Hub downloads (the downloader's layout, see
 * paths.ts) and `<home>/models/local/<file>` for imports. A model's id is its path relative to the models folder, so it
 * stays stable across runs and equals the catalog's file key for Hub files.
 *
 * Nothing half-written is ever visible under a model's name: imports are validated before anything is copied, copied
 * to a hidden temporary name, and published with a link/rename that never overwrites. Temporaries a killed import left
 * behind are removed the next time a library opens (`removeAbandonedImports`).
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { constants, copyFile, link, lstat, mkdir, readdir, realpath, rename, rm, rmdir, stat, statfs, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import catalogData from "../../models/catalog.json" with { type: "json" };
import { catalogFileKey, parseCatalog, type Catalog } from "../../shared/models/catalog.ts";
import { assessCatalog, rateFit, type FitAssessment, type FitReport, type HardwareProfile, type MemoryEstimate } from "../../shared/models/fit.ts";
import type { InstalledModel, ModelFileErrorCode, ModelFileInfo } from "../../shared/models/modelInfo.ts";
import { inspectModelFile } from "../gguf/index.ts";
import { modelsDirectory } from "./paths.ts";

/** models/catalog.json, checked against its schema (a broken catalog is a bug in this repo, so it throws). */
export function loadCatalog(): Catalog {
  const parsed = parseCatalog(catalogData);
  if (!parsed.ok) throw new Error(`models/catalog.json is invalid:\n${parsed.problems.join("\n")}`);
  return parsed.catalog;
}

/** Imports go here, apart from Hub downloads, so an imported file can never collide with a downloaded one. */
const IMPORTS_FOLDER = "local";
const GGUF_EXTENSION = ".gguf";

/**
 * `.<file>.importing-<host>-<pid>-<uuid>`: the machine and process that copy it, so that a later start can tell an
 * import that was killed (its process is gone) from one still running. Names without them come from older versions.
 */
const IMPORT_TEMPORARY = /^\..*\.importing-(?:([a-z0-9-]+)-(\d+)-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * A copy in progress touches its file all the time, so one untouched for an hour belongs to nobody, whoever the name
 * says: a process of another machine sharing the folder, a pid reused since, or an older version's import.
 */
const ABANDONED_STILL_MS = 60 * 60_000;

export type LibraryErrorCode =
  | ModelFileErrorCode
  /** an import would replace a different file that is already installed under that name */
  | "name-taken"
  | "not-installed"
  /** an id that points outside the models folder (`../…`, an absolute path) */
  | "outside-library"
  | "not-a-model-id"
  | "disk-full"
  | "filesystem";

export interface LibraryError {
  code: LibraryErrorCode;
  message: string;
  hint: string;
}

export type LibraryResult<T> = { ok: true; value: T } | { ok: false; error: LibraryError };

export type { InstalledModel };

export interface ImportOutcome {
  model: InstalledModel;
  /** the same file (same bytes) was already installed under this name; nothing was copied */
  alreadyInstalled: boolean;
}

export interface LibraryFitReport extends FitReport {
  /** installed files that are not catalog entries (imports), rated from their headers */
  otherInstalled: Array<{ id: string; assessment: FitAssessment }>;
}

const failure = (code: LibraryErrorCode, message: string, hint: string): { ok: false; error: LibraryError } => ({ ok: false, error: { code, message, hint } });

export class ModelLibrary {
  readonly modelsFolder: string;
  private readonly catalogEntries: Map<string, { modelId: string; quant: string }>;
  private sweptAbandonedImports: Promise<unknown> | undefined;

  constructor(
    readonly home: string,
    readonly catalog: Catalog = loadCatalog(),
  ) {
    this.modelsFolder = resolve(modelsDirectory(home));
    this.catalogEntries = new Map(catalog.models.flatMap((model) => model.files.map((file) => [catalogFileKey(file), { modelId: model.id, quant: file.quant }])));
  }

  /** Every `.gguf` under the models folder, sorted by id, each with its header or its problem. */
  async listInstalled(): Promise<InstalledModel[]> {
    await this.sweepOnce();
    const paths = await findModelFiles(this.modelsFolder);
    const models: InstalledModel[] = [];
    // One at a time: header reads are light, and the machine's cores belong to inference.
    for (const path of paths) models.push(await this.describe(path));
    return models.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Validates `sourcePath` (nothing is copied when it is not a usable GGUF), then copies it to `local/<name>`. */
  async importModel(sourcePath: string): Promise<LibraryResult<ImportOutcome>> {
    await this.sweepOnce();
    const source = resolve(sourcePath);
    const inspection = await inspectModelFile(source);
    if (!inspection.ok) return { ok: false, error: inspection.error };

    const fileName = importedFileName(basename(source));
    const destination = join(this.modelsFolder, IMPORTS_FOLDER, fileName);
    const id = this.idOf(destination);
    const installedAs = (alreadyInstalled: boolean): LibraryResult<ImportOutcome> => ({
      ok: true,
      value: { model: this.installedModel(destination, { ...inspection.info, path: destination, fileName }), alreadyInstalled },
    });
    try {
      const existing = await compareFiles(source, destination);
      if (existing === "same") return installedAs(true);
      if (existing === "different") return nameTaken(id);

      await mkdir(dirname(destination), { recursive: true, mode: 0o700 });
      const free = await freeBytes(dirname(destination));
      if (free !== undefined && free < inspection.info.fileSizeBytes) {
        return failure(
          "disk-full",
          `Not enough disk space to import "${basename(source)}": it needs ${inspection.info.fileSizeBytes.toLocaleString("en-US")} bytes, ` +
            `${free.toLocaleString("en-US")} are free in ${this.modelsFolder}.`,
          "Free some space (`guardbench models rm <id>` deletes a model) or set GUARDBENCH_HOME to a bigger drive.",
        );
      }
      // Hidden, unique and next to the destination: never listed, never clashing, and the publish stays on one filesystem.
      const temporary = join(dirname(destination), `.${fileName}.importing-${thisHost()}-${process.pid}-${randomUUID()}`);
      try {
        await copyFile(source, temporary, constants.COPYFILE_EXCL);
        const copiedBytes = (await stat(temporary)).size;
        if (copiedBytes !== inspection.info.fileSizeBytes) {
          return failure(
            "filesystem",
            `"${basename(source)}" changed while it was being imported (${copiedBytes.toLocaleString("en-US")} bytes copied, ` +
              `${inspection.info.fileSizeBytes.toLocaleString("en-US")} expected).`,
            "Wait until whatever is writing the file has finished, then import it again.",
          );
        }
        const published = await publishWithoutOverwrite(temporary, destination);
        if (!published) return (await compareFiles(source, destination)) === "same" ? installedAs(true) : nameTaken(id);
      } finally {
        await rm(temporary, { force: true });
      }
      return installedAs(false);
    } catch (error) {
      if (errorCode(error) === "ENOSPC") {
        return failure("disk-full", `The disk filled up while importing "${basename(source)}"; nothing was kept.`, "Free some space or set GUARDBENCH_HOME to a bigger drive, then import again.");
      }
      return failure("filesystem", `Importing "${basename(source)}" failed: ${messageOf(error)}.`, `Check that ${this.modelsFolder} is writable.`);
    }
  }

  /**
   * Deletes the hidden temporaries of imports that were killed mid-copy (they can be gigabytes), never one that a
   * running import (in any process) is still writing. Returns the paths removed. Runs by itself, once, before the
   * first listing or import of this library.
   */
  async removeAbandonedImports(): Promise<string[]> {
    const folder = join(this.modelsFolder, IMPORTS_FOLDER);
    const names = await readdir(folder).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      const match = IMPORT_TEMPORARY.exec(name);
      if (!match) continue;
      const path = join(folder, name);
      const stats = await lstat(path).catch(() => undefined);
      if (!stats?.isFile()) continue;
      const [, host, pid] = match;
      const ownerGone = host === thisHost() && !isRunning(Number(pid));
      if (ownerGone || Date.now() - stats.mtimeMs >= ABANDONED_STILL_MS) {
        if (await rm(path).then(() => true, () => false)) removed.push(path);
      }
    }
    return removed;
  }

  private sweepOnce(): Promise<unknown> {
    this.sweptAbandonedImports ??= this.removeAbandonedImports().catch(() => []);
    return this.sweptAbandonedImports;
  }

  /** Deletes an installed model by id. Refuses ids that resolve outside the models folder. */
  async removeModel(id: string): Promise<LibraryResult<{ id: string; path: string }>> {
    const resolved = this.resolveId(id);
    if (!resolved.ok) return resolved;
    const path = resolved.value;
    try {
      const stats = await lstat(path).catch((error: unknown) => (errorCode(error) === "ENOENT" ? undefined : Promise.reject(error)));
      if (!stats) return failure("not-installed", `No installed model has the id "${id}".`, "`guardbench models list` shows the ids of installed models.");
      if (stats.isDirectory()) return failure("not-a-model-id", `"${id}" is a folder, not a model file.`, "Give the id of one .gguf file, as `guardbench models list` prints it.");
      // A symlinked folder inside the library could lead elsewhere; the file's real folder must be inside the real library.
      const realFolder = await realpath(dirname(path));
      if (!isInside(await realpath(this.modelsFolder), realFolder)) return outsideLibrary(id, this.modelsFolder);
      await unlink(path);
      await this.removeEmptyFolders(dirname(path));
      return { ok: true, value: { id: this.idOf(path), path } };
    } catch (error) {
      return failure("filesystem", `Removing "${id}" failed: ${messageOf(error)}.`, `Check the permissions of ${this.modelsFolder}.`);
    }
  }

  /** The absolute path of an id, or why the id is refused. Only `.gguf` files strictly inside the models folder qualify. */
  resolveId(id: string): LibraryResult<string> {
    if (id.trim() === "" || id.includes("\0")) return failure("not-a-model-id", `"${id}" is not a model id.`, "`guardbench models list` shows the ids of installed models.");
    if (isAbsolute(id)) return outsideLibrary(id, this.modelsFolder);
    const path = resolve(this.modelsFolder, id);
    if (!isInside(this.modelsFolder, path)) return outsideLibrary(id, this.modelsFolder);
    if (!path.toLowerCase().endsWith(GGUF_EXTENSION)) {
      return failure("not-a-model-id", `"${id}" is not a model id: model ids end in ${GGUF_EXTENSION}.`, "`guardbench models list` shows the ids of installed models.");
    }
    return { ok: true, value: path };
  }

  /** Where a catalog (Hub) file lives once downloaded. */
  hubFilePath(fileKey: string): string {
    return join(this.modelsFolder, ...fileKey.split("/"));
  }

  private idOf(path: string): string {
    return relative(this.modelsFolder, path).split(sep).join("/");
  }

  private async describe(path: string): Promise<InstalledModel> {
    const inspection = await inspectModelFile(path);
    if (inspection.ok) return this.installedModel(path, inspection.info);
    const sizeBytes = await stat(path).then((s) => s.size, () => 0);
    return { ...this.installedModel(path, undefined, sizeBytes), problem: inspection.error };
  }

  private installedModel(path: string, info: ModelFileInfo | undefined, sizeBytes = info?.fileSizeBytes ?? 0): InstalledModel {
    const id = this.idOf(path);
    const segments = id.split("/");
    const isHubLayout = segments.length >= 3 && segments[0] !== IMPORTS_FOLDER;
    const catalogEntry = this.catalogEntries.get(id);
    return {
      id,
      path,
      fileName: basename(path),
      origin: isHubLayout ? "hub" : segments[0] === IMPORTS_FOLDER && segments.length === 2 ? "imported" : "other",
      ...(isHubLayout ? { repo: `${segments[0]}/${segments[1]}` } : {}),
      sizeBytes,
      ...(catalogEntry ? { catalog: catalogEntry } : {}),
      ...(info ? { info } : {}),
    };
  }

  /** After a delete, drop `<owner>/<repo>/` folders that became empty, up to (not including) the models folder. */
  private async removeEmptyFolders(folder: string): Promise<void> {
    for (let current = folder; isInside(this.modelsFolder, current); current = dirname(current)) {
      const removed = await rmdir(current).then(() => true, () => false);
      if (!removed) return;
    }
  }
}

/**
 * Memory estimates from node-llama-cpp for installed files, keyed by path; a file missing from the map gets none. The
 * host and the CLI measure in a worker process (estimateMemoryInWorker), since the estimate loads the native addon.
 */
export type ModelMemoryEstimator = (paths: readonly string[], contextSize: number) => Promise<ReadonlyMap<string, MemoryEstimate>>;

/**
 * Rates every catalog file for this machine (from the GGUF header when it is installed, else from catalog data) and
 * every other installed model from its header.
 */
export async function assessFit(
  library: ModelLibrary,
  options: { hardware: HardwareProfile; contextSize: number; preferredModelId?: string; estimateMemory: ModelMemoryEstimator },
): Promise<LibraryFitReport> {
  const { estimateMemory, ...fitOptions } = options;
  // Only files our reader accepted reach node-llama-cpp's estimate.
  const usable = (await library.listInstalled()).filter((model) => !model.problem);
  const estimates = await estimateMemory(usable.map((model) => model.path), options.contextSize);
  const headerEstimates = new Map<string, MemoryEstimate>();
  const otherInstalled: LibraryFitReport["otherInstalled"] = [];
  for (const model of usable) {
    const estimate = estimates.get(model.path);
    if (!estimate) continue;
    if (model.catalog) headerEstimates.set(model.id, estimate);
    else otherInstalled.push({ id: model.id, assessment: rateFit(estimate, options.hardware) });
  }
  return { ...assessCatalog({ catalog: library.catalog, headerEstimates, ...fitOptions }), otherInstalled };
}

async function findModelFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => (errorCode(error) === "ENOENT" ? [] : Promise.reject(error)));
  const found: string[] = [];
  for (const entry of entries) {
    // Dot-files are work in progress (import temporaries) and never models.
    if (entry.name.startsWith(".")) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await findModelFiles(path)));
    else if (entry.name.toLowerCase().endsWith(GGUF_EXTENSION)) found.push(path);
  }
  return found;
}

/** A safe, recognisable name: letters, digits, `.`, `_`, `-`; always ending in .gguf so the listing finds it. */
function importedFileName(original: string): string {
  const cleaned = original.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[.-]+/, "");
  const named = cleaned === "" ? "model" : cleaned;
  return named.toLowerCase().endsWith(GGUF_EXTENSION) ? named : `${named}${GGUF_EXTENSION}`;
}

/** Hard-linking fails when the name exists, so a file that appeared meanwhile is never replaced. Returns false then. */
async function publishWithoutOverwrite(temporary: string, destination: string): Promise<boolean> {
  try {
    await link(temporary, destination);
    return true;
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    // Filesystems without hard links (FAT, some network drives): check, then rename (atomic, but only nearly race-free).
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"].includes(errorCode(error) ?? "")) throw error;
    if (await exists(destination)) return false;
    await rename(temporary, destination);
    return true;
  }
}

async function compareFiles(source: string, destination: string): Promise<"absent" | "same" | "different"> {
  const target = await stat(destination).catch((error: unknown) => (errorCode(error) === "ENOENT" ? undefined : Promise.reject(error)));
  if (!target) return "absent";
  if (resolve(source) === resolve(destination)) return "same";
  if (target.size !== (await stat(source)).size) return "different";
  const [a, b] = await Promise.all([sha256Of(source), sha256Of(destination)]);
  return a === b ? "same" : "different";
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function freeBytes(folder: string): Promise<number | undefined> {
  try {
    const stats = await statfs(folder);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined; // not every platform reports it; the copy itself will fail cleanly if space runs out
  }
}

function nameTaken(id: string): { ok: false; error: LibraryError } {
  return failure(
    "name-taken",
    `A different model is already installed as "${id}"; it was left as it is.`,
    `Rename the file you are importing, or remove the installed one first with \`guardbench models rm ${id}\`.`,
  );
}

function outsideLibrary(id: string, modelsFolder: string): { ok: false; error: LibraryError } {
  return failure(
    "outside-library",
    `Refusing "${id}": it points outside the models folder ${modelsFolder}.`,
    "Model ids are paths inside the models folder, as `guardbench models list` prints them (e.g. local/model.gguf).",
  );
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** This machine's name as import temporaries carry it: lower-case letters, digits and dashes. */
function thisHost(): string {
  return hostname().toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, 63) || "host";
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");
}
