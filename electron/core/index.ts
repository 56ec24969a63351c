/**
 * electron/core: the plumbing every main-side folder shares, with no opinion about what the work is.
 *
 * - jobs.ts: long work as jobs (an id at once, `job:progress` / `job:done` pushed, cancel, pause and resume).
 * - eventHub.ts: the contract's pushed events fanned out to the window, WebSocket connections and tests.
 * - lifecycle.ts: disposers, and a store that releases them all at once.
 * - errors.ts: whatever a handler or a job threw, as the Result envelope's error.
 * - privateFile.ts: a file only its owner can read, written so that no other user ever sees it readable (tokens, keys).
 * - fileHash.ts: a file's sha256, and the cached hash of a file that kept its size and modification time (models, datasets).
 * - progressMeter.ts: a rate over a sliding window and the ETA it implies (downloads, runs).
 *
 * May import: shared/ only (no other electron/ folder, no native or server library: eslint-layers.mjs, eslint.config.js).
 * Imported by host/, runs/, engine/, moderation/, main/ and the others, so none of them reaches into host/ for a job
 * or an event. This file is the folder's map; import the modules themselves.
 */
export {};
