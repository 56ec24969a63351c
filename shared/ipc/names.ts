/**
 * The channel and event names alone, without schemas: what the sandboxed preload bundles to build its allowlist, so it
 * does not carry zod and the taxonomy presets. contract.ts checks at compile time that these lists and its schema
 * table name exactly the same channels.
 */
export const CHANNEL_NAMES = [
  "app:info",
  "engine:status",
  "classify:run",
  "classify:cancel",
  "prompt:tokenize",
  "models:list",
  "models:catalog",
  "models:hardware",
  "models:download",
  "models:import",
  "models:open-requests",
  "models:remove",
  "models:load",
  "models:unload",
  "hf:token-status",
  "hf:token-set",
  "hf:token-clear",
  "policies:list",
  "policies:get",
  "policies:save",
  "history:list",
  "history:get",
  "job:list",
  "job:cancel",
  "job:pause",
  "job:resume",
  "datasets:preview",
  "datasets:import",
  "datasets:list",
  "datasets:get",
  "datasets:demo",
  "datasets:export",
  "runs:start",
  "runs:list",
  "runs:get",
  "runs:resume",
  "review:queue",
  "review:label",
  "review:undo",
  "review:next-unlabeled",
  "eval:metrics",
  "eval:compare",
  "results:get",
  "files:pick",
  "files:allow",
  "files:upload-begin",
  "files:upload-chunk",
  "files:upload-finish",
  "files:upload-cancel",
  "endpoints:list",
  "endpoints:save",
  "endpoints:remove",
  "endpoints:test",
] as const;

export type ChannelName = (typeof CHANNEL_NAMES)[number];

export const EVENT_NAMES = ["engine:status", "job:progress", "job:done", "models:changed", "models:open-request"] as const;

export type EventNameLiteral = (typeof EVENT_NAMES)[number];
