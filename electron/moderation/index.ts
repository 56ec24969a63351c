/**
 * electron/moderation: OpenAI's moderation API (`POST /v1/moderations`), answered by a guard model under a policy.
 *
 * - service.ts: the one handler: the request validated, model and policy picked from its `model` field, every input
 *   classified through the caller's engine in a bounded queue.
 * - http.ts, problem.ts: its HTTP face and the JSON-API helpers both servers that carry it share (`guardbench worker`,
 *   `guardbench serve`).
 * - wiring.ts: the service over the worker's own engine process, or over the app host's engine (EngineControl).
 * - auditDataset.ts: audited inputs sampled into a dataset for the review queue.
 *
 * May import: engine/ (the engine process, EngineControl, EngineError), store/ (policies, the audit trail), core/
 * (file hashes). Imported by host/, cli/ and engine/ (remote/completionServer.ts mounts it on `guardbench worker`).
 * This file is the folder's map; import the modules themselves.
 */
export {};
