import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writePrivateFile } from "../core/privateFile.ts";
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

/** The desktop app's token, sealed with the OS keychain (electron/main/tokenStore.ts). */
export function sealedTokenFilePath(home: string): string {
  return join(home, "hf-token.sealed");
}

/**
 * The token in a file only its owner can read (0600, in a 0700 folder), written by {@link writePrivateFile}: no other
 * user can ever catch it in a readable file, even halfway through a write.
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
    await writePrivateFile(this.filePath, `${cleaned}\n`);
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
