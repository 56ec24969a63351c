/**
 * electron/endpoints: the inference servers a run may score on, as the main side keeps them.
 *
 * - savedEndpoints.ts: a saved endpoint (electron/store's endpoints table) with its key fetched at the last moment,
 *   as the remote engine takes it; a name that is not saved is an EndpointError.
 * - probe.ts: `endpoints:test`: reachable, how fast, and whether it serves the model it is saved with.
 * - keyStore.ts: endpoint API keys by name, never in the database: a 0600 file for the CLI and `guardbench serve`,
 *   sealed with the OS keychain in the desktop app (electron/main/tokenStore.ts seals it).
 *
 * May import: core/ (private files), engine/ (the remote engine's HTTP client and errors, so a probe meets a server the
 * way a run does), store/ (saved endpoints). Imported by runs/ (scoring across endpoints), host/ and main/.
 * This file is the folder's map; import the modules themselves.
 */
export {};
