import packageJson from "../../package.json" with { type: "json" };
import { CliFailure, CliUsageError, type CliCommand, type CliIo, writeLine } from "./command.ts";

/** Commands load lazily so `guardbench prompt` never pays for loading llama.cpp. */
const commandLoaders: Record<string, () => Promise<CliCommand>> = {
  prompt: async () => (await import("./commands/prompt.ts")).promptCommand,
  classify: async () => (await import("./commands/classify.ts")).classifyCommand,
  eval: async () => (await import("./commands/eval.ts")).evalCommand,
  run: async () => (await import("./commands/run.ts")).runCommand,
  label: async () => (await import("./commands/label.ts")).labelCommand,
  models: async () => (await import("./commands/models.ts")).modelsCommand,
  serve: async () => (await import("./commands/serve.ts")).serveCommand,
  worker: async () => (await import("./commands/worker.ts")).workerCommand,
};

function defaultIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

async function printHelp(io: CliIo): Promise<void> {
  writeLine(io.stdout, "Usage: guardbench <command> [options]\n\nCommands:");
  for (const load of Object.values(commandLoaders)) {
    const command = await load();
    writeLine(io.stdout, `  ${command.name.padEnd(10)} ${command.summary}`);
  }
  writeLine(io.stdout, "\nRun `guardbench <command> --help` for a command's options, `guardbench --version` for the version.");
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V" || name === "version") {
    writeLine(io.stdout, `guardbench ${packageJson.version}`);
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    await printHelp(io);
    return name ? 0 : 2;
  }
  const load = commandLoaders[name];
  if (!load) {
    writeLine(io.stderr, `guardbench: unknown command "${name}". Run \`guardbench --help\` to list commands.`);
    return 2;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    writeLine(io.stdout, command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError || isArgumentParseError(error)) {
      writeLine(io.stderr, `guardbench ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof CliFailure) {
      writeLine(io.stderr, `guardbench ${name}: ${error.message}`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    writeLine(io.stderr, `guardbench ${name}: unexpected error: ${message}`);
    return 1;
  }
}

/** node:util parseArgs throws these for unknown or malformed options: a usage mistake, not a crash. */
function isArgumentParseError(error: unknown): error is Error {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && (error as NodeJS.ErrnoException).code!.startsWith("ERR_PARSE_ARGS");
}
