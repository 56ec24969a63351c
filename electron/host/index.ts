/**
 * electron/host: AppHost, the only entry to the main side (ARCHITECTURE.md, "Faces of one host").
 *
 * - appHost.ts: `invoke(channel, request)` with untrusted input, checked against the contract's schemas, answered
 *   with a Result envelope; pushed events through `on`/`onAny`. createAppHost.ts builds one with the real parts.
 * - handlerTable.ts + handlers/<domain>.ts: one handler group per contract domain (shared/ipc/channels/<domain>.ts),
 *   merged into one table; services.ts is what the handlers are given.
 * - downloads.ts, storeChanges.ts, openRequests.ts, fileAccess.ts: model downloads as jobs, `labels:changed` /
 *   `runs:changed` for every write, files the OS asks to open, and which paths the page may have read or written.
 * - wsServer.ts, staticFiles.ts, csp.ts, urlPolicy.ts, senderCheck.ts, preloadChannels.ts: `guardbench serve`'s
 *   server and the rules both transports follow.
 *
 * May import: every main-side folder but cli/, main/ and preload/ (it is what they wire to a transport): core/,
 * datasets/, endpoints/, engine/, evaluation/, gguf/ (through its entry), models/, moderation/, review/, runs/,
 * store/. Never `electron` itself: the desktop shell's Electron parts live in electron/main.
 * This file is the folder's map; import the modules themselves.
 */
export {};
