import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writePrivateFile } from "../core/privateFile.ts";

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
 * A name → secret JSON object in one 0600 file (written by core/privateFile.ts). Writes are serialised in this
 * process; a secret is checked like a token (printable ASCII, no spaces), so it can go in an Authorization header.
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
