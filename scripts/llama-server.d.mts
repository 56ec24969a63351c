// Types of scripts/llama-server.mjs for the TypeScript that imports it (test/llamaServer.ts, the vitest global setup).

export interface LlamaServerBuild {
  commit: string;
  /** the cache folder of this commit's build */
  dir: string;
  /** where the binary is (or will be) */
  binary: string;
  stampFile: string;
  /** what a stamp must say for the build to be used: this commit, this CPU, these cmake flags */
  expected: { format: number; commit: string; cpu: string; flags: string[] };
  /** a build for this commit, this CPU and these flags is there */
  usable: boolean;
  stamp?: { buildSeconds?: number; version?: string; builtAt?: string };
}

export function llamaCppBundle(): { bundle: string; commit: string };
export function llamaServerBuild(commit?: string): LlamaServerBuild;
export function ensureLlamaServer(options?: { log?: (line: string) => void }): Promise<string>;
