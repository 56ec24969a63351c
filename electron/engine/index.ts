/**
 * electron/engine: what scores a conversation (ARCHITECTURE.md, "Engine"), and the app's handle on it.
 *
 * - engine.ts: the engine interface and the types every face shares; no node-llama-cpp type appears in it.
 * - engineProcess.ts, protocol.ts, worker.ts: llama.cpp in a child process (fork, or Electron's utilityProcess), its
 *   messages, and the worker's entry; llama/: the node-llama-cpp implementation, loaded only inside the worker. It
 *   scores Llama Guard 1–3 and chat judges on its batch path (llama/classification.ts), and every other family from
 *   its registry object's decision spec (llama/familyClassification.ts, shared/families): no family name is switched on.
 * - engineControl.ts: the engine as the app sees it: one status pushed as `engine:status`, loads as cancellable jobs,
 *   crash reports (used by host/, runs/ and moderation/).
 * - remote/: the same interface over HTTP inference servers (vLLM, llama-server, `guardbench worker`), the endpoint
 *   pool, and `guardbench worker`'s own completions server; Llama Guard 1–3 and chat judges only.
 * - templateCheck.ts: on load, Guardbench's prompt for the family against the file's own chat template (the
 *   engine status carries the result).
 * - classificationPrompt.ts, completion.ts, distribution.ts, lockstep.ts, hardware.ts, errors.ts: the parts both
 *   implementations share.
 *
 * May import: gguf/ (every file passes its header check before llama.cpp sees it), core/ (jobs and events, for
 * engineControl.ts), moderation/ (remote/completionServer.ts mounts `/v1/moderations` on `guardbench worker`).
 * The only folder that imports node-llama-cpp (eslint.config.js). This file is the folder's map; import the modules
 * themselves.
 */
export {};
