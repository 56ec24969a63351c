/**
 * shared/ipc: the one contract between the renderer and the main side. Import from here (or contract.ts).
 *
 * Layout
 * - `channels/<domain>.ts`: one file per handler group in electron/host/handlers/<domain>.ts (same name). Each holds
 *   its channels' table, `domain:verb` → `{ request, answer }`: the request's zod schema (AppHost checks it before any
 *   handler runs: the renderer is untrusted input) beside the answer's type, with the doc comment on the channel, and
 *   the types those answers are made of. `channels/fields.ts` holds request building blocks several domains share;
 *   `channels/channel.ts` the `answer<T>()` marker; `channels/index.ts` lists the domains.
 * - `contract.ts`: the assembly: `requestSchemas` (every domain merged; a channel declared twice stops the load),
 *   `Channel`, `Req`, `ParsedReq`, `Res`, the pushed `Events`, `GuardbenchApi` (what both transports implement) and
 *   `parseRequest`.
 * - `names.ts`: the channel and event names alone, for the sandboxed preload (no zod); checked against contract.ts at
 *   compile time. `result.ts`: the `Result` envelope (`resultError.ts`: its error as a schema). `wire.ts`: the
 *   WebSocket protocol of `guardbench serve`.
 *
 * Types are declared once. A shape that crosses the boundary as a request, or is read back from SQLite, is declared as
 * a zod schema and its type derived (`z.output`); everything else takes its type from there (`Pick`, indexed types),
 * never a copy. Domain types live beside their domain and the contract imports them: `shared/classify/result.ts`
 * (ClassificationResult, ClassifyOptions, the threshold and top-k ranges), `shared/conversation/types.ts` (Turn),
 * `shared/datasets` (ColumnMapping, SafetyLabel), `shared/taxonomy` (Policy).
 *
 * Adding a channel
 * 1. Add the name to CHANNEL_NAMES in names.ts (names are stable once written: add, never rename).
 * 2. Add `"domain:verb": { request: z.strictObject({…}), answer: answer<TheAnswer>() }` to the table in
 *    `channels/<domain>.ts`, with a doc comment saying what it does; a new domain is a new file listed in
 *    `channels/index.ts`, and a handler group of the same name.
 * 3. Answer it in `electron/host/handlers/<domain>.ts`. AppHost refuses to start with a channel no group answers, and
 *    test/unit/shared/ipc/contract.test.ts checks that each domain's channels are its handler group's.
 */
export * from "./result.ts";
export { resultErrorSchema } from "./resultError.ts";
export * from "./contract.ts";
export * from "./wire.ts";
export * from "./names.ts";
