import { Option } from "commander";
import { TOKEN_RULE } from "../../../shared/ipc/wire.ts";
import { basename } from "node:path";
import { EngineProcess } from "../../engine/engineProcess.ts";
import { EngineError } from "../../engine/errors.ts";
import { startCompletionServer, type RunningCompletionServer } from "../../engine/remote/completionServer.ts";
import { bindProblem } from "../../host/wsServer.ts";
import { defineCommand, parseCommandLine, withOptions } from "../arguments.ts";
import { CliFailure, CliUsageError, listenFailure, untilSignalled, writeLine, type CliCommand, userPath, type CliIo } from "../command.ts";
import { resolveFamily } from "../conversationInput.ts";
import {
  auditOptions,
  engineOptions,
  familyOption,
  listenOptions,
  numberOption,
  tokenOptions,
  wholeNumberOption,
  type AuditValues,
  type EngineValues,
  type FamilyValues,
  type ListenValues,
  type TokenValues,
} from "../options.ts";
import { readSecretOption } from "../secretOption.ts";
import { guardbenchHome } from "../../models/paths.ts";
import { databasePathFor, StoreError } from "../../store/index.ts";
import { DEFAULT_QUEUE_LIMIT, DEFAULT_TIMEOUT_MS } from "../../moderation/service.ts";
import { OptionalStore, workerModeration } from "../../moderation/wiring.ts";
import { parseModelName } from "../../../shared/moderation/index.ts";
import type { ModerationPolicy } from "../../../shared/moderation/index.ts";
import { resolvePolicy } from "../conversationInput.ts";
import type { PromptFamily } from "../../../shared/taxonomy/index.ts";

export const WORKER_TOKEN_VARIABLE = "GUARDBENCH_WORKER_TOKEN";

interface WorkerValues extends FamilyValues, EngineValues, ListenValues, TokenValues, AuditValues {
  model: string;
  name?: string;
  parallel: number;
  context?: number;
  policy?: string;
  policyFile?: string;
  queue?: number;
  timeout?: number;
}

function declare() {
  return withOptions(
    defineCommand("worker", {
      summary: "serve a model to remote Guardbench engines (OpenAI-compatible completions)",
      description: [
        "Serves a GGUF model as an OpenAI-compatible completions endpoint (POST /v1/completions, GET /v1/models, GET /health) for Guardbench remote engines on other machines: greedy decoding, prompts as token ids or text, and log-probabilities computed exactly (float64 softmax over the raw logits, as `guardbench classify` computes them).",
        "It also serves OpenAI's moderation API (POST /v1/moderations): `model` is <name>[:<policy>[@v<N>]] with a policy saved in GUARDBENCH_HOME (OpenAI's own model names and no model mean the default policy; GET /v1/models lists them). Prints the URL, then serves until Ctrl+C.",
      ].join("\n\n"),
      after: [
        `Environment: ${WORKER_TOKEN_VARIABLE} (the token, when neither --token nor --token-file is given), GUARDBENCH_HOME (saved policies and the audit trail, default ~/.guardbench; only opened when it exists or --audit asks for it).`,
        "Without a token the worker answers loopback clients only, addressed by a loopback name (no DNS rebinding); it always refuses browsers' cross-site requests (a POST must be Content-Type: application/json).",
      ].join("\n\n"),
    }),
    new Option("--model <file>", "the GGUF file to serve").makeOptionMandatory(),
    ...listenOptions(8000, "Any address other than loopback needs a token."),
    ...tokenOptions(`a file holding the secret clients send as \`Authorization: Bearer <token>\` (the endpoint's API key): ${TOKEN_RULE}`, WORKER_TOKEN_VARIABLE),
    familyOption("the prompt family; detected from the GGUF when omitted (listed by /v1/models)"),
    new Option("--name <name>", "the model name clients use (default: the file name without .gguf)"),
    wholeNumberOption("--parallel <n>", "completions evaluated at once; more wait in line", { min: 1, max: 64 }).default(2),
    wholeNumberOption("--context <tokens>", "context size in tokens, at most the model's", { min: 64, max: 1 << 20 }).default(undefined, "the engine's"),
    ...engineOptions(),
    new Option("--policy <name[@vN]>", "the moderation API's default policy: a policy saved in GUARDBENCH_HOME, latest version unless @vN (default: the family's preset)"),
    new Option("--policy-file <file>", "the moderation API's default policy from a policy JSON file instead"),
    ...auditOptions(
      "store each moderated input's verdict, scores, content sha256, model hash and policy version in GUARDBENCH_HOME's database (never the content)",
      "the same, and the content too (so a sample can be reviewed later)",
    ),
    wholeNumberOption("--queue <n>", "moderation inputs allowed to wait for the engine; beyond it: 429 with Retry-After", { min: 1, max: 1_000_000 }).default(undefined, String(DEFAULT_QUEUE_LIMIT)),
    numberOption("--timeout <seconds>", "seconds a moderation request may take, queue included; then 504", { min: 1, max: 24 * 3600 }).default(undefined, String(DEFAULT_TIMEOUT_MS / 1000)),
  );
}

export const workerCommand: CliCommand = {
  declare,
  async run(args, io) {
    const { values } = parseCommandLine<WorkerValues>(declare(), args, io);
    const { port } = values;
    const token = await readSecretOption(
      { flag: "--token", value: values.token, fileFlag: "--token-file", file: values.tokenFile, envVar: WORKER_TOKEN_VARIABLE, command: "guardbench worker" },
      io,
    );
    const problem = bindProblem(values.host, token?.secret, { exposes: "run the model", tokenFrom: token?.origin, howToGive: `--token-file PATH, ${WORKER_TOKEN_VARIABLE} or --token` });
    if (problem) throw new CliFailure(problem);
    const { parallel, context: contextSize, threads, queue: queueLimit, timeout: timeoutSeconds } = values;
    const modelPath = userPath(io, values.model);
    const family = await resolveFamily(modelPath, values.family);
    const modelName = values.name ?? basename(modelPath).replace(/\.gguf$/i, "");
    if (values.policy !== undefined && values.policyFile !== undefined) throw new CliUsageError("give --policy or --policy-file, not both");
    const store = new OptionalStore(databasePathFor(guardbenchHome(io.env)));
    const audit = values.auditContent ? "content" : values.audit ? "hash" : "off";
    let defaultPolicy: ModerationPolicy | undefined;
    try {
      if (audit !== "off") store.get(true);
      defaultPolicy = await defaultModerationPolicy(values.policy, values.policyFile, family, store, io);
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
          logContent: values.logContent === true,
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
