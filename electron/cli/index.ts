import { Command } from "commander";
import packageJson from "../../package.json" with { type: "json" };
import { helpText } from "./arguments.ts";
import { CliExit, CliFailure, CliUsageError, type CliCommand, type CliIo, writeLine } from "./command.ts";

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

const VERSION = `guardbench ${packageJson.version}`;

function defaultIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** `guardbench --help`: the commands as their own declarations summarise them. */
async function printHelp(io: CliIo): Promise<void> {
  const program = new Command("guardbench").usage("<command> [options]").helpCommand(false).version(VERSION, "-V, --version", "print the version");
  program.addHelpText("after", "\nRun `guardbench <command> --help` for a command's options.");
  for (const load of Object.values(commandLoaders)) program.addCommand((await load()).declare());
  writeLine(io.stdout, helpText(program, io.stdout));
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V" || name === "version") {
    writeLine(io.stdout, VERSION);
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
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliExit) return error.exitCode;
    if (error instanceof CliUsageError) {
      writeLine(io.stderr, `guardbench ${name}: ${error.message}\n\n${error.usage ?? helpText(command.declare(), io.stderr)}`);
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
