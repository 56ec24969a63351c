import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DownloadError } from "./downloadError.ts";

/**
 * Where the app keeps the user's Hugging Face token. The CLI uses {@link FileTokenStore}; the Electron app
 * provides a safeStorage-backed implementation of the same interface.
 */
export interface TokenStore {
  get(): Promise<string | undefined>;
  set(token: string): Promise<void>;
  clear(): Promise<void>;
}

export function tokenFilePath(home: string): string {
  return join(home, "hf-token");
}

/**
 * The token in a file only its owner can read (0600, in a 0700 folder). It is written to a fresh 0600 file and
 * renamed into place, so no other user can ever catch it in a readable file, even halfway through a write.
 */
export class FileTokenStore implements TokenStore {
  constructor(readonly filePath: string) {}

  async get(): Promise<string | undefined> {
    try {
      const token = (await readFile(this.filePath, "utf8")).trim();
      return token === "" ? undefined : token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async set(token: string): Promise<void> {
    const cleaned = token.trim();
    assertPlausibleToken(cleaned);
    await mkdir(dirname(this.filePath), { recursive: true, mode: 0o700 });
    const temporary = `${this.filePath}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(temporary, "wx", 0o600);
    try {
      // The creation mode is filtered by the umask; chmod makes 0600 exact (and never wider).
      await handle.chmod(0o600);
      await handle.writeFile(`${cleaned}\n`, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.filePath);
    await chmod(this.filePath, 0o600);
  }

  async clear(): Promise<void> {
    await rm(this.filePath, { force: true });
  }
}

/**
 * Rejects strings that cannot be a token (spaces, line breaks, non-ASCII). They would break the Authorization
 * header, and some HTTP stacks echo a bad header value in their error text. The message never repeats the token.
 */
export function assertPlausibleToken(token: string): void {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new DownloadError(
      "auth-invalid",
      "the Hugging Face token contains spaces, line breaks or other characters a token never has",
      "Copy the token again from https://huggingface.co/settings/tokens (it looks like hf_…).",
    );
  }
}

export interface TokenSources {
  /** `--token`, or a token the caller was handed directly. */
  explicit?: string;
  env?: NodeJS.ProcessEnv;
  store?: TokenStore;
}

/** The first token found: explicit option, then `HF_TOKEN`, then the app's stored token. Blank values count as absent. */
export async function resolveHubToken(sources: TokenSources): Promise<string | undefined> {
  const explicit = sources.explicit?.trim();
  if (explicit) return explicit;
  const fromEnv = sources.env?.HF_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  return sources.store ? await sources.store.get() : undefined;
}
