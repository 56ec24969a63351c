import { createHash, type Hash } from "node:crypto";

/**
 * What the Hub promises about a file's bytes. LFS files (every GGUF) carry the sha256 of their content
 * (`lfs.oid` in the tree listing). Small files stored in git directly carry only their git blob id
 * (sha1 of `"blob <size>\0" + content`), so that is what we check for them.
 */
export type ExpectedDigest = { kind: "sha256"; hex: string } | { kind: "git-blob-sha1"; hex: string; size: number };

export interface DigestOutcome {
  matches: boolean;
  /** sha256 of the content, always reported (it is what the catalog and `--json` show). */
  sha256: string;
  /** The digest compared against the expectation, in the expectation's kind. */
  actual: string;
}

/** Hashes a file incrementally as its bytes stream in, possibly across several connections and processes. */
export class ContentHasher {
  #sha256!: Hash;
  #gitBlob: Hash | undefined;

  constructor(private readonly expected: ExpectedDigest) {
    this.reset();
  }

  /** Starts over, for when the server ignored our Range and sends the file from byte 0. */
  reset(): void {
    this.#sha256 = createHash("sha256");
    this.#gitBlob = undefined;
    if (this.expected.kind === "git-blob-sha1") {
      this.#gitBlob = createHash("sha1").update(`blob ${this.expected.size}\0`);
    }
  }

  update(chunk: Uint8Array): void {
    this.#sha256.update(chunk);
    this.#gitBlob?.update(chunk);
  }

  finish(): DigestOutcome {
    const sha256 = this.#sha256.digest("hex");
    const actual = this.#gitBlob ? this.#gitBlob.digest("hex") : sha256;
    return { matches: actual === this.expected.hex.toLowerCase(), sha256, actual };
  }
}
