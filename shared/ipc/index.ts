// The public API of shared/ipc: the Result envelope, the channel contract (names.ts: just the names), and the WebSocket wire protocol.
export * from "./result.ts";
export { resultErrorSchema } from "./resultError.ts";
export * from "./contract.ts";
export * from "./wire.ts";
export * from "./names.ts";
