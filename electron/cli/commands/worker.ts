import { parseArgs } from "node:util";
import { TOKEN_RULE } from "../../../shared/ipc/wire.ts";
import { basename, resolve } from "node:path";
import { EngineProcess } from "../../engine/engineProcess.ts";
import { EngineError } from "../../engine/errors.ts";
import { startCompletionServer, type RunningCompletionServer } from "../../engine/remote/completionServer.ts";
import { bindProblem } from "../../host/wsServer.ts";
import { CliFailure, CliUsageError, listenFailure, numberOption, untilSignalled, writeLine, type CliCommand } from "../command.ts";
import { parseFamily, resolveFamily } from "../conversationInput.ts";
import { readSecretOption } from "../secretOption.ts";

export const WORKER_TOKEN_VARIABLE = "GUARDBENCH_WORKER_TOKEN";

const usage = `Usage: guardbench worker --model file.gguf [--port 8000] [--host 127.0.0.1] [--token-file PATH | --token T]
                         [--family F] [--name NAME] [--parallel 2] [--context N] [--threads N] [--cpu]

Serves a GGUF model as an OpenAI-compatible completions endpoint (POST /v1/completions, GET /v1/models, GET /health)
for Guardbench remote engines on other machines: greedy decoding, prompts as token ids or text, and log-probabilities
computed exactly (float64 softmax over the raw logits, as \`guardbench classify\` computes them).
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

Environment: ${WORKER_TOKEN_VARIABLE} (the token, when neither --token nor --token-file is given).
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
    const modelPath = resolve(io.cwd, values.model);
    const family = await resolveFamily(modelPath, parseFamily(values.family));
    const modelName = values.name ?? basename(modelPath).replace(/\.gguf$/i, "");

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
      });
    } catch (error) {
      engine.dispose();
      throw failureOf(error, values.host, port);
    }

    writeLine(io.stdout, `Guardbench worker serving ${modelName} (${family}) at ${server.url}/v1`);
    writeLine(io.stdout, `Endpoint: {"kind": "openai-completions", "baseUrl": "${server.url}", "model": "${modelName}"${token ? ', "apiKey": <your token>' : ""}}. Stop with Ctrl+C.`);
    await untilSignalled();
    await server.close();
    engine.dispose();
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
    },
    allowPositionals: false,
    strict: true,
  }).values;
}

function failureOf(error: unknown, host: string, port: number): CliFailure {
  if (error instanceof EngineError) return new CliFailure(`${error.message}${error.hint ? `\n${error.hint}` : ""}`);
  return listenFailure(error, host, port);
}
