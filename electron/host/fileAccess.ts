/**
 * Which files the main side reads or writes on behalf of the page ("Anything that reads a file takes only a path the
 * user chose; secrets never pass the contract", ARCHITECTURE.md).
 *
 * A page may name a file only after the user chose it in this session:
 * - desktop: the native open/save dialog (`files:pick`, the Electron shell's picker), or a file the operating system
 *   opened Guardbench with;
 * - browser (`guardbench serve`): a file the page uploaded (`files:upload-*`, stored privately under the data folder),
 *   or a path the user typed and confirmed in the page (`files:allow`). `serve` always requires the session token from
 *   the URL it printed, so only the page the user opened — not another local process or user — reaches that channel.
 *
 * Whatever the grant, this refuses: Guardbench's own files (the token and key files, the database and its WAL, and, for
 * the page, anything in the data folder but uploads and the library's `.gguf` files — hard links to them included);
 * anything that is not a regular file (FIFOs, which would hang a read, sockets, devices, folders); and /proc, /sys and
 * /dev, whose "files" are the process's environment and the kernel's state. Code on the main side (the CLI, tests:
 * `AppHost.client()`) names files itself and needs no grant, but gets the same refusals of secrets and special files.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readdir, realpath, rename, rm, stat, statfs, type FileHandle } from "node:fs/promises";
import type { Stats } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, extname, isAbsolute, join, relative, sep } from "node:path";
import { expandHome } from "../../shared/format/homePath.ts";
import type { ChosenFile, FilePurpose } from "../../shared/ipc/contract.ts";
import { fileKind } from "../datasets/textFile.ts";
import { databasePathFor } from "../store/index.ts";
import { sealedSecretsFilePath, secretsFilePath } from "../endpoints/keyStore.ts";
import { sealedTokenFilePath, tokenFilePath } from "../models/tokenStore.ts";
import { CodedError } from "../../shared/errors/codedError.ts";

/** Who names the file: the page (a transport: Electron IPC or the serve WebSocket), or main-side code (CLI, tests). */
export type FileCaller = "page" | "main";

export type FileAccessErrorCode =
  | "invalid-request"
  | "file-not-found"
  | "file-not-chosen"
  | "not-a-regular-file"
  | "system-file"
  | "guardbench-file"
  | "unreadable"
  | "upload-unknown"
  | "upload-out-of-order"
  | "upload-too-large"
  | "upload-incomplete"
  | "too-many-uploads"
  | "disk-full";

export class FileAccessError extends CodedError<FileAccessErrorCode> {}

/** The native dialog's filters per purpose (the Electron shell's picker uses them). */
export const FILE_DIALOG_FILTERS: Record<FilePurpose, Array<{ name: string; extensions: string[] }>> = {
  dataset: [
    { name: "Datasets (JSON Lines, JSON, CSV)", extensions: ["jsonl", "ndjson", "json", "csv"] },
    { name: "All files", extensions: ["*"] },
  ],
  model: [{ name: "GGUF models", extensions: ["gguf"] }],
  export: [
    { name: "JSON Lines", extensions: ["jsonl"] },
    { name: "CSV", extensions: ["csv"] },
  ],
};

/** The desktop app's native dialog: the chosen path, or undefined when the user cancelled. */
export type FilePicker = (request: { purpose: FilePurpose; suggestedName?: string }) => Promise<string | undefined>;

/** Guardbench's own files in a data folder: never read or overwritten for anyone, wherever a path or hard link leads. */
export function guardbenchOwnFiles(home: string, databasePath = databasePathFor(home)): string[] {
  return [
    tokenFilePath(home),
    sealedTokenFilePath(home),
    secretsFilePath(home),
    sealedSecretsFilePath(home),
    ...databaseFiles(databasePath),
    join(home, "window-state.json"),
  ];
}

/** The database and the files SQLite keeps beside it. */
export function databaseFiles(databasePath: string): string[] {
  return [databasePath, `${databasePath}-wal`, `${databasePath}-shm`, `${databasePath}-journal`];
}

export interface FileAccessOptions {
  home: string;
  /** the model library (default `<home>/models`): the page may name its `.gguf` files */
  modelsDir?: string;
  /** more files to protect like Guardbench's own (default: {@link guardbenchOwnFiles} of `home`) */
  protectedFiles?: readonly string[];
  /** at most this many uploads open at once (default 4) */
  maxOpenUploads?: number;
}

interface CheckMode {
  caller: FileCaller;
  granting: boolean;
}

/** A file checked for reading: `path` is what to open (links resolved), `name` what the user called it. */
export interface ReadableFile {
  path: string;
  name: string;
  sizeBytes: number;
}

/** Kernel pseudo-filesystems (Linux `statfs` f_type): their "files" are process and kernel state, never data. */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x1cd1, "devpts"],
  [0x6e736673, "nsfs"],
  [0xcafe4a11, "bpf"],
  [0x62656570, "configfs"],
  [0x6165676c, "pstore"],
  [0xde5e81e4, "efivarfs"],
]);
const SYSTEM_ROOTS = process.platform === "win32" ? [] : ["/proc", "/sys", "/dev"];

/** Bytes kept free beyond an upload's size, so an upload never fills the disk the database lives on. */
const UPLOAD_DISK_MARGIN = 256 * 1024 * 1024;
const UPLOADS_FOLDER = "uploads";

interface OpenUpload {
  dir: string;
  partPath: string;
  finalPath: string;
  name: string;
  sizeBytes: number;
  /** bytes accepted so far (counted before each write finishes, so two chunks can never claim one offset) */
  received: number;
  handle: FileHandle;
  failed?: Error;
}

export class FileAccess {
  private readonly home: string;
  private readonly modelsDir: string;
  private readonly protectedFiles: readonly string[];
  private readonly maxOpenUploads: number;
  private readonly readGrants = new Set<string>();
  private readonly writeGrants = new Set<string>();
  /** model files the operating system opened Guardbench with, as it named them */
  private readonly openedModels = new Set<string>();
  private readonly uploads = new Map<string, OpenUpload>();
  /** `<home>/uploads/<pid>-<random>`: this process's uploads, removed when it ends */
  private readonly sessionDir: string;
  private sessionReady: Promise<void> | undefined;
  /** the session folder with links resolved (a home under /tmp on macOS is really under /private/tmp) */
  private realSessionDir: string | undefined;

  constructor(options: FileAccessOptions) {
    this.home = options.home;
    this.modelsDir = options.modelsDir ?? join(options.home, "models");
    this.protectedFiles = options.protectedFiles ?? guardbenchOwnFiles(options.home);
    this.maxOpenUploads = options.maxOpenUploads ?? 4;
    this.sessionDir = join(options.home, UPLOADS_FOLDER, `${process.pid}-${randomBytes(6).toString("hex")}`);
  }

  /**
   * Grants a file the user chose (in the native dialog, or typed and confirmed in the page) for this session, after the
   * same checks as every later use. Answers the file as it will be read or written.
   */
  async allow(typedPath: string, purpose: FilePurpose): Promise<ChosenFile> {
    const path = expandHome(typedPath, homedir());
    // Granted by what the path leads to; answered as the user named it (a model's library name comes from it).
    if (purpose === "export") {
      this.writeGrants.add(await this.checkWrite(path, { caller: "page", granting: true }));
      return { path, name: basename(path), uploaded: false };
    }
    const file = await this.checkRead(path, purpose, { caller: "page", granting: true });
    this.readGrants.add(file.path);
    return { path, name: file.name, sizeBytes: file.sizeBytes, uploaded: this.isUpload(file.path) };
  }

  /**
   * Grants, for a model import, a path the operating system asked Guardbench to open (a double-click on a `.gguf`,
   * "Open with"). Recorded at once, checked like any other when it is used.
   */
  allowOpenRequest(path: string): void {
    if (isAbsolute(path)) this.openedModels.add(path);
  }

  /** The file to read for `path`, or a FileAccessError saying why it may not be read. */
  async forReading(path: string, purpose: Exclude<FilePurpose, "export">, caller: FileCaller): Promise<ReadableFile> {
    return this.checkRead(path, purpose, { caller, granting: false });
  }

  /** The path to write for `path` (its folder's links resolved), or a FileAccessError saying why not. */
  async forWriting(path: string, caller: FileCaller): Promise<string> {
    return this.checkWrite(path, { caller, granting: false });
  }

  isUpload(path: string): boolean {
    return isInside(path, this.sessionDir) || (this.realSessionDir !== undefined && isInside(path, this.realSessionDir));
  }

  /** An uploaded file that has been imported is not needed again: removed, with its grant. */
  async discardUpload(path: string): Promise<void> {
    if (!this.isUpload(path)) return;
    this.readGrants.delete(path);
    await rm(dirname(path), { recursive: true, force: true });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Uploads (browser mode)

  async beginUpload(name: string, sizeBytes: number): Promise<string> {
    if (this.uploads.size >= this.maxOpenUploads) {
      throw new FileAccessError("too-many-uploads", `${this.uploads.size} uploads are already in progress`, "Wait for them to finish, or cancel one.");
    }
    await this.ensureSessionDir();
    const free = await freeBytes(this.sessionDir);
    if (free !== undefined && free < sizeBytes + UPLOAD_DISK_MARGIN) {
      throw new FileAccessError(
        "disk-full",
        `not enough disk space to upload ${sizeBytes.toLocaleString("en-US")} bytes: ${free.toLocaleString("en-US")} are free in ${this.home}`,
        "Free some space, or type the file's path instead of uploading it (the file is then read where it is).",
      );
    }
    const uploadId = randomBytes(12).toString("base64url");
    const dir = join(this.sessionDir, uploadId);
    await mkdir(dir, { mode: 0o700 });
    const safeName = safeFileName(name);
    const partPath = join(dir, ".partial");
    const handle = await open(partPath, "wx", 0o600);
    this.uploads.set(uploadId, { dir, partPath, finalPath: join(dir, safeName), name: safeName, sizeBytes, received: 0, handle });
    return uploadId;
  }

  async appendUpload(uploadId: string, offset: number, bytes: Uint8Array): Promise<number> {
    const upload = this.openUpload(uploadId);
    if (upload.failed) throw new FileAccessError("unreadable", `the upload of ${upload.name} failed: ${upload.failed.message}`, "Upload the file again.");
    if (offset !== upload.received) {
      throw new FileAccessError("upload-out-of-order", `the chunk starts at byte ${offset.toLocaleString("en-US")}, but ${upload.received.toLocaleString("en-US")} bytes have been received`, "Send the chunks in order, each once.");
    }
    if (upload.received + bytes.length > upload.sizeBytes) {
      throw new FileAccessError("upload-too-large", `the upload of ${upload.name} is longer than the ${upload.sizeBytes.toLocaleString("en-US")} bytes announced`, "Upload the file again.");
    }
    upload.received += bytes.length;
    try {
      await upload.handle.write(bytes, 0, bytes.length, offset);
    } catch (error) {
      upload.failed = error as Error;
      throw new FileAccessError("unreadable", `cannot store the upload of ${upload.name}: ${(error as Error).message}`, "Check the free space of Guardbench's data folder.");
    }
    return upload.received;
  }

  async finishUpload(uploadId: string): Promise<ChosenFile> {
    const upload = this.openUpload(uploadId);
    if (upload.failed || upload.received !== upload.sizeBytes) {
      const problem = upload.failed ? upload.failed.message : `${upload.received.toLocaleString("en-US")} of ${upload.sizeBytes.toLocaleString("en-US")} bytes arrived`;
      throw new FileAccessError("upload-incomplete", `the upload of ${upload.name} is incomplete: ${problem}`, "Upload the file again.");
    }
    this.uploads.delete(uploadId);
    try {
      await upload.handle.sync();
    } finally {
      await upload.handle.close();
    }
    await rename(upload.partPath, upload.finalPath);
    const path = await realpath(upload.finalPath);
    this.readGrants.add(path);
    return { path, name: upload.name, sizeBytes: upload.sizeBytes, uploaded: true };
  }

  async cancelUpload(uploadId: string): Promise<boolean> {
    const upload = this.uploads.get(uploadId);
    if (!upload) return false;
    this.uploads.delete(uploadId);
    await upload.handle.close().catch(() => undefined);
    await rm(upload.dir, { recursive: true, force: true });
    return true;
  }

  /** Ends open uploads and removes this session's uploaded files (imported ones live on in the database). */
  async dispose(): Promise<void> {
    const open = [...this.uploads.values()];
    this.uploads.clear();
    await Promise.all(open.map((upload) => upload.handle.close().catch(() => undefined)));
    await rm(this.sessionDir, { recursive: true, force: true });
  }

  private openUpload(uploadId: string): OpenUpload {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new FileAccessError("upload-unknown", "there is no upload in progress with that id", "Start the upload again (files:upload-begin).");
    return upload;
  }

  /** The session folder, 0700, after removing the folders of sessions whose process has ended. */
  private ensureSessionDir(): Promise<void> {
    this.sessionReady ??= (async () => {
      const uploadsRoot = dirname(this.sessionDir);
      await mkdir(uploadsRoot, { recursive: true, mode: 0o700 });
      for (const entry of await readdir(uploadsRoot).catch(() => [] as string[])) {
        const pid = Number(/^(\d+)-/.exec(entry)?.[1]);
        if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) await rm(join(uploadsRoot, entry), { recursive: true, force: true });
      }
      await mkdir(this.sessionDir, { mode: 0o700 });
      this.realSessionDir = await realpath(this.sessionDir);
    })();
    this.sessionReady.catch(() => (this.sessionReady = undefined));
    return this.sessionReady;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The checks

  /** `granting`: the check before a grant (files:allow, the dialog), so no grant is needed yet. */
  private async checkRead(path: string, purpose: Exclude<FilePurpose, "export">, { caller, granting }: CheckMode): Promise<ReadableFile> {
    assertAbsolute(path);
    const needsGrant = caller === "page" && !granting && !(purpose === "model" && this.openedModels.has(path));
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      // A page learns nothing about files it was not given, not even whether they exist.
      if (needsGrant) throw notChosen(path);
      throw accessError(path, error);
    }
    if (needsGrant && !this.readGrants.has(real)) throw notChosen(path);
    await assertNotSystemFile(real, path);
    const info = await statOf(real, path);
    if (!info.isFile()) throw notRegular(path, info);
    await this.assertNotOwnFile(real, info, path, caller, purpose);
    return { path: real, name: basename(path), sizeBytes: info.size };
  }

  private async checkWrite(path: string, { caller, granting }: CheckMode): Promise<string> {
    assertAbsolute(path);
    const name = basename(path);
    if (name === "" || name === "." || name === "..") throw new FileAccessError("invalid-request", `${JSON.stringify(path)} names a folder, not a file to write`, "Give the path of the file to create, e.g. /home/me/labels.jsonl.");
    let folder: string;
    try {
      folder = await realpath(dirname(path));
    } catch (error) {
      throw (error as NodeJS.ErrnoException).code === "ENOENT"
        ? new FileAccessError("file-not-found", `the folder ${dirname(path)} does not exist`, "Create the folder first, or choose another one.")
        : accessError(dirname(path), error);
    }
    const target = join(folder, name);
    if (caller === "page" && !granting && !this.writeGrants.has(target)) throw notChosen(path);
    const home = await this.realHome();
    await assertNotSystemFile(folder, path);
    let existing: Stats | undefined;
    try {
      existing = await lstat(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw accessError(path, error);
    }
    // The export renames a finished temporary file over the target, so a symbolic link is replaced, never written
    // through; one that points at Guardbench's own files is refused all the same, as the user cannot have meant it.
    if (existing && !existing.isFile() && !existing.isSymbolicLink()) throw notRegular(path, existing);
    const linkTarget = existing?.isSymbolicLink() ? await realpath(target).catch(() => undefined) : undefined;
    if (linkTarget) await assertNotSystemFile(linkTarget, path);
    const pointedAt = linkTarget ? await stat(linkTarget).catch(() => undefined) : existing;
    if (pointedAt?.isFile() && (await this.ownFileIdentity(pointedAt))) throw ownFile(path, this.home);
    if (caller === "page" && [folder, linkTarget].some((place) => place !== undefined && isInside(place, home))) throw ownFolder(path, this.home, "write");
    return target;
  }

  private async assertNotOwnFile(real: string, info: Stats, requested: string, caller: FileCaller, purpose: Exclude<FilePurpose, "export">): Promise<void> {
    if (await this.ownFileIdentity(info)) throw ownFile(requested, this.home);
    if (caller !== "page") return;
    const home = await this.realHome();
    if (!isInside(real, home)) return;
    if (this.isUpload(real)) return;
    const models = await realpath(this.modelsDir).catch(() => this.modelsDir);
    if (purpose === "model" && isInside(real, models) && extname(real).toLowerCase() === ".gguf") return;
    throw ownFolder(requested, this.home, "read");
  }

  /** Whether `info` is one of Guardbench's own files: same device and inode, so a hard link or another path is caught. */
  private async ownFileIdentity(info: Stats): Promise<boolean> {
    const identities = await Promise.all(this.protectedFiles.map((file) => stat(file).catch(() => undefined)));
    return identities.some((own) => own !== undefined && own.dev === info.dev && own.ino === info.ino);
  }

  private async realHome(): Promise<string> {
    return realpath(this.home).catch(() => this.home);
  }
}

function assertAbsolute(path: string): void {
  if (!isAbsolute(path)) {
    throw new FileAccessError("invalid-request", `${JSON.stringify(path)} is not an absolute path`, "Choose the file with the file picker, or give its full path.");
  }
}

async function assertNotSystemFile(real: string, requested: string): Promise<void> {
  const root = SYSTEM_ROOTS.find((candidate) => isInside(real, candidate));
  if (root) throw systemFile(requested, `it is in ${root}, which holds the system's and processes' state, not files`);
  if (process.platform !== "linux") return;
  const kind = await statfs(real).then(
    (info) => PSEUDO_FILESYSTEMS.get(Number(info.type)),
    () => undefined,
  );
  if (kind) throw systemFile(requested, `it is on the ${kind} pseudo-filesystem, which holds the kernel's and processes' state, not files`);
}

async function statOf(real: string, requested: string): Promise<Stats> {
  try {
    return await stat(real);
  } catch (error) {
    throw accessError(requested, error);
  }
}

function isInside(path: string, folder: string): boolean {
  const inside = relative(folder, path);
  return inside === "" || (inside !== ".." && !inside.startsWith(`..${sep}`) && !isAbsolute(inside));
}

function notRegular(path: string, info: Stats): FileAccessError {
  return new FileAccessError("not-a-regular-file", `${path} is ${fileKind(info)}, not a regular file`, "Choose a file saved on disk.");
}

function systemFile(path: string, why: string): FileAccessError {
  return new FileAccessError("system-file", `Guardbench does not read ${path}: ${why}`, "Choose a file saved on disk.");
}

function notChosen(path: string): FileAccessError {
  return new FileAccessError(
    "file-not-chosen",
    `${path} was not chosen in this session: Guardbench reads and writes only files you choose`,
    "Choose the file with the file dialog (desktop app), or upload it or type its path and confirm it (browser).",
  );
}

function ownFile(path: string, home: string): FileAccessError {
  return new FileAccessError("guardbench-file", `${path} is one of Guardbench's own files (its database, token or keys in ${home}); it is never read or overwritten as a dataset, model or export`, "Choose another file.");
}

function ownFolder(path: string, home: string, access: "read" | "write"): FileAccessError {
  return access === "read"
    ? new FileAccessError("guardbench-file", `${path} is inside Guardbench's data folder (${home}), which holds its database, token and keys; files there are not read for the page`, "Copy the file to another folder and choose it there, or upload it.")
    : new FileAccessError("guardbench-file", `${path} is inside Guardbench's data folder (${home}), which holds its database, token and keys; exports are not written there`, "Choose another folder.");
}

function accessError(path: string, error: unknown): FileAccessError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new FileAccessError("file-not-found", `${path} does not exist`, "Check the path.");
  if (code === "EACCES" || code === "EPERM") return new FileAccessError("unreadable", `${path} cannot be read: permission denied`);
  if (code === "ENOTDIR") return new FileAccessError("file-not-found", `${path} does not exist (a part of the path is a file, not a folder)`, "Check the path.");
  return new FileAccessError("unreadable", `${path} cannot be opened: ${(error as Error).message}`);
}

/**
 * A name safe to create in the uploads folder: the last path segment, without control characters or leading dots
 * (no hidden or `..` names), at most 200 characters with the extension kept (the format is told from it).
 */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we remove
  const lastSegment = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim().replace(/^\.+/, "");
  if (lastSegment === "") return "upload";
  if (lastSegment.length <= 200) return lastSegment;
  const extension = extname(lastSegment).slice(0, 20);
  return `${lastSegment.slice(0, 200 - extension.length)}${extension}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function freeBytes(folder: string): Promise<number | undefined> {
  try {
    const info = await statfs(folder);
    return Number(info.bavail) * Number(info.bsize);
  } catch {
    return undefined;
  }
}
