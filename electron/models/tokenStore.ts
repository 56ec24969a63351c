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

/** The desktop app's token, sealed with the OS keychain (electron/main/tokenStore.ts). */
export function sealedTokenFilePath(home: string): string {
  return join(home, "hf-token.sealed");
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
    await writePrivateFile(this.filePath, `${cleaned}\n`);
  }

  async clear(): Promise<void> {
    await rm(this.filePath, { force: true });
  }
}

/**
 * Writes `data` to a fresh 0600 file (in a 0700 folder) and renames it into place: no other user can ever catch the
 * secret in a readable file, even halfway through a write, and a crash leaves the old file or the new one.
 */
export async function writePrivateFile(filePath: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(filePath), { recursive: true, mode: 0o700 });
  const temporary = `${filePath}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temporary, "wx", 0o600);
  try {
    // The creation mode is filtered by the umask; chmod makes 0600 exact (and never wider).
    await handle.chmod(0o600);
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, filePath);
  await chmod(filePath, 0o600);
}

/**
 * Secrets other than the Hugging Face token (endpoint API keys), by name. Same protection as the token: never in the
 * database, never logged; {@link FileSecretStore} for the CLI and `guardbench serve`, the OS keychain in the app.
 */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, secret: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** the names that have a secret */
  names(): Promise<string[]>;
}

/** How a {@link FileSecretStore} seals its file: plain JSON (0600 is the protection), or the OS keychain's encryption. */
export interface SecretSealer {
  seal(plain: string): Uint8Array;
  unseal(sealed: Buffer): string;
}

const PLAIN: SecretSealer = { seal: (plain) => Buffer.from(plain, "utf8"), unseal: (sealed) => sealed.toString("utf8") };

export function secretsFilePath(home: string): string {
  return join(home, "endpoint-keys.json");
}

/** The desktop app's endpoint keys, sealed with the OS keychain (electron/main/tokenStore.ts). */
export function sealedSecretsFilePath(home: string): string {
  return join(home, "endpoint-keys.sealed");
}

/**
 * A name → secret JSON object in one 0600 file (see {@link writePrivateFile}). Writes are serialised in this process;
 * a secret is checked like a token (printable ASCII, no spaces), so it can go in an Authorization header.
 */
export class FileSecretStore implements SecretStore {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly filePath: string,
    private readonly sealer: SecretSealer = PLAIN,
  ) {}

  async get(name: string): Promise<string | undefined> {
    return (await this.read())[name];
  }

  async names(): Promise<string[]> {
    return Object.keys(await this.read());
  }

  set(name: string, secret: string): Promise<void> {
    const cleaned = secret.trim();
    if (!/^[\x21-\x7e]+$/.test(cleaned)) return Promise.reject(new Error("the key contains spaces, line breaks or other characters a key never has"));
    return this.update((secrets) => void (secrets[name] = cleaned));
  }

  delete(name: string): Promise<void> {
    return this.update((secrets) => void delete secrets[name]);
  }

  private update(change: (secrets: Record<string, string>) => void): Promise<void> {
    const next = this.writes.then(async () => {
      const secrets = await this.read();
      change(secrets);
      if (Object.keys(secrets).length === 0) await rm(this.filePath, { force: true });
      else await writePrivateFile(this.filePath, this.sealer.seal(JSON.stringify(secrets)));
    });
    this.writes = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<Record<string, string>> {
    let sealed: Buffer;
    try {
      sealed = await readFile(this.filePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.sealer.unseal(sealed));
    } catch {
      // Never echo the content: it is secrets.
      throw new Error(`${this.filePath} is not a valid key file; remove it and save the endpoints' keys again`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${this.filePath} is not a valid key file; remove it and save the endpoints' keys again`);
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
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
