/**
 * The one interface the store talks to (STYLE.md §4): the contract's `invoke`/`on`, typed from shared/ipc, plus the
 * state of the connection, which only the WebSocket transport can lose.
 */
import type { ChosenFile, GuardbenchApi, HostTransport, Result } from "../../../shared/ipc/index.ts";

export type ConnectionState =
  | { status: "connecting" }
  | { status: "open" }
  /** lost (or never made); `retryInMs` until the next attempt */
  | { status: "closed"; reason: string; retryInMs: number };

export interface Bridge extends GuardbenchApi {
  readonly transport: Exclude<HostTransport, "cli"> | "fake" | "none";
  /** Called at once with the current state, then on every change; returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Closes the transport for good (tests, page unload). */
  dispose(): void;
  /** desktop only: grants a file dropped on the page by the path Electron knows for it (the browser uploads instead) */
  grantDroppedFile?(file: File, purpose: "dataset" | "model"): Promise<Result<ChosenFile>>;
}

/** Error codes the bridge itself produces (the main side's codes come from AppHost). */
export const BRIDGE_ERROR = {
  disconnected: "disconnected",
  connectionLost: "connection-lost",
  transportFailed: "transport-failed",
  unavailable: "no-transport",
} as const;
