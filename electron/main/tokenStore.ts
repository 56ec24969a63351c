/**
 * The Hugging Face token, encrypted with the OS keychain through `safeStorage` (Keychain, DPAPI, libsecret/kwallet).
 * Where the OS offers no real keychain (Linux without one: safeStorage would fall back to a hard-coded key), the
 * token goes to the same 0600 file the CLI uses, which is at least honest about what protects it.
 */
import { safeStorage } from "electron";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { FileSecretStore, sealedSecretsFilePath, secretsFilePath, type SecretStore } from "../endpoints/keyStore.ts";
import { assertPlausibleToken, FileTokenStore, sealedTokenFilePath, tokenFilePath, type TokenStore } from "../models/tokenStore.ts";

class SafeStorageTokenStore implements TokenStore {
  constructor(private readonly filePath: string) {}

  async get(): Promise<string | undefined> {
    let sealed: Buffer;
    try {
      sealed = await readFile(this.filePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const token = safeStorage.decryptString(sealed).trim();
    return token === "" ? undefined : token;
  }

  async set(token: string): Promise<void> {
    const cleaned = token.trim();
    assertPlausibleToken(cleaned);
    await mkdir(dirname(this.filePath), { recursive: true, mode: 0o700 });
    const temporary = `${this.filePath}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(temporary, safeStorage.encryptString(cleaned), { mode: 0o600, flag: "wx" });
    await rename(temporary, this.filePath);
  }

  async clear(): Promise<void> {
    await rm(this.filePath, { force: true });
  }
}

function hasRealKeychain(): boolean {
  return safeStorage.isEncryptionAvailable() && (process.platform !== "linux" || safeStorage.getSelectedStorageBackend() !== "basic_text");
}

/** Call after `ready` (safeStorage needs it). */
export function createTokenStore(home: string): TokenStore {
  return hasRealKeychain() ? new SafeStorageTokenStore(sealedTokenFilePath(home)) : new FileTokenStore(tokenFilePath(home));
}

/** Endpoint API keys: the CLI's 0600 key file, sealed with the OS keychain where there is a real one. Call after `ready`. */
export function createSecretStore(home: string): SecretStore {
  if (!hasRealKeychain()) return new FileSecretStore(secretsFilePath(home));
  return new FileSecretStore(sealedSecretsFilePath(home), { seal: (plain) => safeStorage.encryptString(plain), unseal: (sealed) => safeStorage.decryptString(sealed) });
}
