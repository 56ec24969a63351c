import { randomBytes } from "node:crypto";
import { Option } from "commander";
import { guardbenchHome } from "../../models/paths.ts";
import { createAppHost } from "../../host/createAppHost.ts";
import { defaultRendererDir, rendererProblem } from "../../host/staticFiles.ts";
import { bindProblem, isLoopbackHost, startWebServer } from "../../host/wsServer.ts";
import { StoreError } from "../../store/index.ts";
import { defineCommand, parseCommandLine, withOptions } from "../arguments.ts";
import { CliFailure, listenFailure, untilSignalled, writeLine, type CliCommand, userPath } from "../command.ts";
import { auditOptions, listenOptions, tokenOptions, type AuditValues, type ListenValues, type TokenValues } from "../options.ts";
import { readSecretOption } from "../secretOption.ts";

export const SERVE_TOKEN_VARIABLE = "GUARDBENCH_SERVE_TOKEN";

interface ServeValues extends ListenValues, TokenValues, AuditValues {
  rendererDir?: string;
}

function declare() {
  return withOptions(
    defineCommand("serve", {
      summary: "serve the workbench to a browser over a loopback WebSocket",
      description:
        "Serves the Guardbench workbench to a browser: the built page and, on the same origin, a WebSocket to the app. Prints the URL to open: it carries a session token after '#', and only a page opened with it can use the app (another user or program on this machine cannot).",
      after: [
        "The page's origin also serves OpenAI's moderation API, POST /v1/moderations and GET /v1/models, over the model the workbench has loaded; clients send the token as `Authorization: Bearer <token>` (OpenAI clients: apiKey). The token is never sent to the server in a URL (browsers keep the part after '#'), so it stays out of logs.",
        `Environment: ${SERVE_TOKEN_VARIABLE} (the token, when neither flag is given), GUARDBENCH_HOME (where data lives, default ~/.guardbench). Stop with Ctrl+C.`,
      ].join("\n\n"),
    }),
    ...listenOptions(7860, "Any address other than loopback needs a token you give."),
    ...tokenOptions(
      "a file holding the token (16-256 characters of A-Z a-z 0-9 - _, e.g. `openssl rand -hex 24`), to keep one address across restarts. Default: a new random token each start.",
      SERVE_TOKEN_VARIABLE,
    ),
    new Option("--renderer-dir <dir>", "the built page to serve (default: dist/renderer, written by `npm run build`)"),
    ...auditOptions(
      "audit every /v1/moderations input (verdict, scores, content sha256, model hash, policy version) in the database, whatever the app's setting says (the Policy screen's \"Moderation API\" panel)",
      "the same, and the content too (so a sample can go to the review queue)",
    ),
  );
}

export const serveCommand: CliCommand = {
  declare,
  async run(args, io) {
    const { values } = parseCommandLine<ServeValues>(declare(), args, io);
    const { port, host } = values;
    const given = await readSecretOption(
      { flag: "--token", value: values.token, fileFlag: "--token-file", file: values.tokenFile, envVar: SERVE_TOKEN_VARIABLE, command: "guardbench serve" },
      io,
    );
    const problem = bindProblem(host, given?.secret, { tokenFrom: given?.origin, howToGive: `--token-file PATH, ${SERVE_TOKEN_VARIABLE} or --token` });
    if (problem) throw new CliFailure(problem);
    // Always a token: on loopback too, any local user or program could otherwise drive the app (and name files to it).
    const token = given?.secret ?? randomBytes(24).toString("base64url");
    const rendererDir = values.rendererDir ? userPath(io, values.rendererDir) : defaultRendererDir();
    const missingRenderer = rendererProblem(rendererDir);
    if (missingRenderer) throw new CliFailure(missingRenderer);

    const auditAtLeast = values.auditContent ? "content" : values.audit ? "hash" : "off";
    const moderationApi = {
      auditAtLeast,
      logContent: values.logContent === true,
      log: (line: string) => writeLine(io.stderr, `guardbench serve: ${line}`),
    } as const;
    let running;
    try {
      running = createAppHost({ home: guardbenchHome(io.env), env: io.env, transport: "websocket", moderationApi });
    } catch (error) {
      if (error instanceof StoreError) throw new CliFailure(error.toText());
      throw error;
    }
    let server;
    try {
      server = await startWebServer({ host, port, rendererDir, appHost: running.host, moderation: running.host.moderation, token });
    } catch (error) {
      running.dispose();
      throw listenFailure(error, host, port);
    }

    for (const note of running.notes) writeLine(io.stderr, `guardbench serve: ${note}`);
    writeLine(io.stdout, `Guardbench is serving at ${server.url}`);
    if (!isLoopbackHost(host)) writeLine(io.stdout, `Listening on ${host}: from another machine, use this machine's address with the same port and #token.`);
    writeLine(io.stdout, `Open that URL in a browser${given ? "" : " (a new token each start: --token-file keeps one)"}. Stop with Ctrl+C.`);
    writeLine(io.stdout, `Moderation API: POST ${server.origin}/v1/moderations with the token as the API key${auditAtLeast === "off" ? "" : `, audited (${auditAtLeast === "content" ? "with content" : "hashes, no content"})`}.`);

    await untilSignalled();
    await server.close();
    running.dispose();
    return 0;
  },
};
