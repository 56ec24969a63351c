import { parseArgs } from "node:util";
import { TOKEN_RULE } from "../../../shared/ipc/wire.ts";
import { basename } from "node:path";
import { EngineProcess } from "../../engine/engineProcess.ts";
import { EngineError } from "../../engine/errors.ts";
import { startCompletionServer, type RunningCompletionServer } from "../../engine/remote/completionServer.ts";
import { bindProblem } from "../../host/wsServer.ts";
import { CliFailure, CliUsageError, listenFailure, numberOption, untilSignalled, writeLine, type CliCommand, userPath, type CliIo } from "../command.ts";
import { parseFamily, resolveFamily } from "../conversationInput.ts";
import { readSecretOption } from "../secretOption.ts";
import { guardbenchHome } from "../../models/paths.ts";
import { databasePathFor, StoreError } from "../../store/index.ts";
import { OptionalStore, workerModeration } from "../../moderation/wiring.ts";
import { parseModelName } from "../../../shared/moderation/index.ts";
import type { ModerationPolicy } from "../../../shared/moderation/index.ts";
import { resolvePolicy } from "../conversationInput.ts";
import type { PromptFamily } from "../../../shared/taxonomy/index.ts";

export const WORKER_TOKEN_VARIABLE = "GUARDBENCH_WORKER_TOKEN";

const usage = `Usage: guardbench worker --model file.gguf [--port 8000] [--host 127.0.0.1] [--token-file PATH | --token T]
                         [--family F] [--name NAME] [--parallel 2] [--context N] [--threads N] [--cpu]
                         [--policy NAME[@vN] | --policy-file FILE] [--audit | --audit-content] [--log-content]
                         [--queue 512] [--timeout 120]

Serves a GGUF model as an OpenAI-compatible completions endpoint (POST /v1/completions, GET /v1/models, GET /health)
for Guardbench remote engines on other machines: greedy decoding, prompts as token ids or text, and log-probabilities
computed exactly (float64 softmax over the raw logits, as \`guardbench classify\` computes them).
It also serves OpenAI's moderation API (POST /v1/moderations): \`model\` is <name>[:<policy>[@v<N>]] with a policy
saved in GUARDBENCH_HOME (OpenAI's own model names and no model mean the default policy; GET /v1/models lists them).
Prints the URL, then serves until Ctrl+C.
  --port        TCP port (default 8000; 0 picks a free one)
  --host        address to listen on (default 127.0.0.1). Any address other than loopback needs a token.
  --token-file  a file holding the secret clients send as \`Authorization: Bearer <token>\` (the endpoint's API
                key): ${TOKEN_RULE}
  --token       the secret itself (visible to other users in \`ps\`: prefer --token-file or ${WORKER_TOKEN_VARIABLE})
  --family      the prompt family; detected from the GGUF when omitted (listed by /v1/models)
  --name        the model name clients use (default: the file name without .gguf)
  --parallel    completions evaluated at once (default 2); more wait in line
  --context     context size in tokens (default: the engine's default, at most the model's)
  --threads     CPU threads for llama.cpp
  --cpu         never use a GPU
  --policy      the moderation API's default policy: a policy saved in GUARDBENCH_HOME, latest version unless @vN
                (default: the family's preset)
  --policy-file the moderation API's default policy from a policy JSON file instead
  --audit       store each moderated input's verdict, scores, content sha256, model hash and policy version in
                GUARDBENCH_HOME's database (never the content)
  --audit-content  the same, and the content too (so a sample can be reviewed later)
  --log-content    request log lines (standard error) include the content; by default they never do
  --queue       moderation inputs allowed to wait for the engine (default 512); beyond it: 429 with Retry-After
  --timeout     seconds a moderation request may take, queue included (default 120); then 504

Environment: ${WORKER_TOKEN_VARIABLE} (the token, when neither --token nor --token-file is given), GUARDBENCH_HOME (saved
policies and the audit trail, default ~/.guardbench; only opened when it exists or --audit asks for it).
Without a token the worker answers loopback clients only, addressed by a loopback name (no DNS rebinding); it always
refuses browsers' cross-site requests (a POST must be Content-Type: application/json).`;

export const workerCommand: CliCommand = {
  name: "worker",
  summary: "serve a model to remote Guardbench engines (OpenAI-compatible completions)",
  usage,
  async run(args, io) {
    const values = parseCommandLine(args);
    if (!values.model) throw new CliUsageError("--model is required");
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
    const token = await readSecretOption(
      { flag: "--token", value: values.token, fileFlag: "--token-file", file: values["token-file"], envVar: WORKER_TOKEN_VARIABLE, command: "guardbench worker" },
      io,
    );
    const problem = bindProblem(values.host, token?.secret, { exposes: "run the model", tokenFrom: token?.origin, howToGive: `--token-file PATH, ${WORKER_TOKEN_VARIABLE} or --token` });
    if (problem) throw new CliFailure(problem);
    const parallel = numberOption(values.parallel, "--parallel", 1, 64) ?? 2;
    if (!Number.isInteger(parallel)) throw new CliUsageError("--parallel must be a whole number");
    const contextSize = numberOption(values.context, "--context", 64, 1 << 20);
    const threads = numberOption(values.threads, "--threads", 1, 256);
    const modelPath = userPath(io, values.model);
    const family = await resolveFamily(modelPath, parseFamily(values.family));
    const modelName = values.name ?? basename(modelPath).replace(/\.gguf$/i, "");
    const queueLimit = numberOption(values.queue, "--queue", 1, 1_000_000);
    const timeoutSeconds = numberOption(values.timeout, "--timeout", 1, 24 * 3600);
    if (values.policy !== undefined && values["policy-file"] !== undefined) throw new CliUsageError("give --policy or --policy-file, not both");
    const store = new OptionalStore(databasePathFor(guardbenchHome(io.env)));
    const audit = values["audit-content"] ? "content" : values.audit ? "hash" : "off";
    let defaultPolicy: ModerationPolicy | undefined;
    try {
      if (audit !== "off") store.get(true);
      defaultPolicy = await defaultModerationPolicy(values.policy, values["policy-file"], family, store, io);
    } catch (error) {
      store.close();
      if (error instanceof StoreError) throw new CliFailure(error.toText());
      throw error;
    }

    const engine = new EngineProcess();
    let server: RunningCompletionServer;
    try {
      const loaded = await engine.load({
        modelPath,
        family,
        gpu: values.cpu ? false : "auto",
        sequences: parallel,
        ...(threads ? { threads } : {}),
        ...(contextSize ? { contextSize } : {}),
      });
      if (loaded.gpuFallbackReason) writeLine(io.stderr, `guardbench worker: ${loaded.gpuFallbackReason}`);
      server = await startCompletionServer({
        host: values.host,
        port,
        ...(token ? { token: token.secret } : {}),
        engine,
        modelName,
        family,
        contextSize: loaded.contextSize,
        parallel,
        moderation: workerModeration({
          engine,
          modelName,
          modelPath,
          family,
          parallel,
          store,
          audit,
          ...(defaultPolicy ? { defaultPolicy } : {}),
          ...(queueLimit ? { queueLimit } : {}),
          ...(timeoutSeconds ? { timeoutMs: timeoutSeconds * 1000 } : {}),
          logContent: values["log-content"] === true,
          log: (line) => writeLine(io.stderr, `guardbench worker: ${line}`),
        }),
      });
    } catch (error) {
      engine.dispose();
      store.close();
      throw failureOf(error, values.host, port);
    }

    writeLine(io.stdout, `Guardbench worker serving ${modelName} (${family}) at ${server.url}/v1`);
    writeLine(io.stdout, `Endpoint: {"kind": "openai-completions", "baseUrl": "${server.url}", "model": "${modelName}"${token ? ', "apiKey": <your token>' : ""}}. Stop with Ctrl+C.`);
    writeLine(io.stdout, `Moderation: POST ${server.url}/v1/moderations (OpenAI clients: baseURL ${server.url}/v1${token ? ", apiKey <your token>" : ""})${audit === "off" ? "" : `, audited (${audit === "content" ? "with content" : "hashes, no content"})`}.`);
    await untilSignalled();
    await server.close();
    engine.dispose();
    store.close();
    return 0;
  },
};

function parseCommandLine(args: string[]) {
  return parseArgs({
    args,
    options: {
      model: { type: "string" },
      port: { type: "string", default: "8000" },
      host: { type: "string", default: "127.0.0.1" },
      token: { type: "string" },
      "token-file": { type: "string" },
      family: { type: "string" },
      name: { type: "string" },
      parallel: { type: "string" },
      context: { type: "string" },
      threads: { type: "string" },
      cpu: { type: "boolean" },
      policy: { type: "string" },
      "policy-file": { type: "string" },
      audit: { type: "boolean" },
      "audit-content": { type: "boolean" },
      "log-content": { type: "boolean" },
      queue: { type: "string" },
      timeout: { type: "string" },
    },
    allowPositionals: false,
    strict: true,
  }).values;
}

function failureOf(error: unknown, host: string, port: number): CliFailure {
  if (error instanceof EngineError) return new CliFailure(`${error.message}${error.hint ? `\n${error.hint}` : ""}`);
  return listenFailure(error, host, port);
}

/** `--policy NAME[@vN]` (saved in GUARDBENCH_HOME) or `--policy-file FILE`; undefined: the family's preset. */
async function defaultModerationPolicy(saved: string | undefined, file: string | undefined, family: PromptFamily, store: OptionalStore, io: CliIo): Promise<ModerationPolicy | undefined> {
  if (file !== undefined) return { policy: await resolvePolicy(family, file, undefined, io, () => undefined /* no --exclude here, so nothing to warn about */) };
  if (saved === undefined) return undefined;
  const parsed = parseModelName(`worker:${saved}`);
  if (!parsed.ok || !parsed.selection.policy) throw new CliUsageError(`--policy ${saved}: give a saved policy's name, optionally with @v<N>`);
  const policies = store.get()?.policies;
  if (!policies) throw new CliFailure(`--policy ${saved}: there is no Guardbench database in GUARDBENCH_HOME to find saved policies in (save the policy in the workbench, or use --policy-file)`);
  const stored = policies.get(parsed.selection.policy.name, parsed.selection.policy.version);
  if (stored.family !== family) throw new CliFailure(`--policy ${saved}: the policy is written for ${stored.family}, but the model uses the ${family} prompt format`);
  return { policy: stored.policy, version: stored.version };
}
