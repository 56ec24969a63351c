import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { guardbenchHome } from "../../models/paths.ts";
import { createAppHost } from "../../host/createAppHost.ts";
import { defaultRendererDir, rendererProblem } from "../../host/staticFiles.ts";
import { bindProblem, isLoopbackHost, startWebServer } from "../../host/wsServer.ts";
import { StoreError } from "../../store/index.ts";
import { CliFailure, CliUsageError, listenFailure, untilSignalled, writeLine, type CliCommand } from "../command.ts";

const usage = `Usage: guardbench serve [--port 7860] [--host 127.0.0.1] [--token T] [--renderer-dir DIR]

Serves the Guardbench workbench to a browser: the built page and, on the same origin, a WebSocket to the app.
Prints the URL to open.
  --port          TCP port (default 7860; 0 picks a free one)
  --host          address to listen on (default 127.0.0.1). Any address other than loopback needs --token.
  --token         a secret the page must present: 16-256 characters of A-Z a-z 0-9 - _
                  (e.g. \`openssl rand -hex 24\`). The printed URL carries it after '#', which browsers never send
                  to the server, so it stays out of logs.
  --renderer-dir  the built page to serve (default: dist/renderer, written by \`npm run build\`)

Data lives in GUARDBENCH_HOME (default ~/.guardbench). Stop with Ctrl+C.`;

export const serveCommand: CliCommand = {
  name: "serve",
  summary: "serve the workbench to a browser over a loopback WebSocket",
  usage,
  async run(args, io) {
    const { values } = parseCommandLine(args);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
    const host = values.host;
    const problem = bindProblem(host, values.token);
    if (problem) throw new CliFailure(problem);
    const rendererDir = values["renderer-dir"] ? resolve(io.cwd, values["renderer-dir"]) : defaultRendererDir();
    const missingRenderer = rendererProblem(rendererDir);
    if (missingRenderer) throw new CliFailure(missingRenderer);

    let running;
    try {
      running = createAppHost({ home: guardbenchHome(io.env), env: io.env, transport: "websocket" });
    } catch (error) {
      if (error instanceof StoreError) throw new CliFailure(error.hint ? `${error.message}\n${error.hint}` : error.message);
      throw error;
    }
    let server;
    try {
      server = await startWebServer({ host, port, rendererDir, appHost: running.host, ...(values.token ? { token: values.token } : {}) });
    } catch (error) {
      running.dispose();
      throw listenFailure(error, host, port);
    }

    writeLine(io.stdout, `Guardbench is serving at ${server.url}`);
    if (!isLoopbackHost(host)) writeLine(io.stdout, `Listening on ${host}: from another machine, use this machine's address with the same port and #token.`);
    writeLine(io.stdout, "Open that URL in a browser. Stop with Ctrl+C.");

    await untilSignalled();
    await server.close();
    running.dispose();
    return 0;
  },
};

function parseCommandLine(args: string[]) {
  return parseArgs({
    args,
    options: {
      port: { type: "string", default: "7860" },
      host: { type: "string", default: "127.0.0.1" },
      token: { type: "string" },
      "renderer-dir": { type: "string" },
    },
    allowPositionals: false,
    strict: true,
  });
}
