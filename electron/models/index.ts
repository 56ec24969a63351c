/**
 * electron/models: model files on this machine and how they get here.
 *
 * - library.ts, paths.ts: the models folder (`<home>/models/<owner>/<repo>/<file>`, `local/` for imports), each
 *   file's facts from its GGUF header, imports, removal.
 * - download.ts, downloadQueue.ts, downloadLock.ts, transfer.ts, partialFile.ts, retry.ts, contentHash.ts: Hub
 *   downloads that resume, are checked against the Hub's sha256, and never run twice for one file.
 * - hubClient.ts, hubUrls.ts, hubErrors.ts, downloadError.ts: the Hugging Face Hub protocol and its failures as data.
 * - tokenStore.ts: the Hugging Face token (a 0600 file; the desktop app seals it with the OS keychain).
 *
 * May import: gguf/ (headers, through its entry: never engine/, so reading a model never loads the native addon)
 * and core/ (the rate meter, private files). Imported by host/, cli/ and main/.
 * This file is the folder's map; import the modules themselves.
 */
export {};
