import { defineCommand, helpText } from "../arguments.ts";
import { CliUsageError, writeLine, type CliCommand } from "../command.ts";
import { modelsCatalogCommand } from "./models/catalog.ts";
import { modelsFitCommand } from "./models/fit.ts";
import { modelsImportCommand } from "./models/import.ts";
import { modelsListCommand } from "./models/list.ts";
import { modelsPullCommand } from "./models/pull.ts";
import { modelsRmCommand } from "./models/rm.ts";

/** `guardbench models <sub>`: each subcommand lives in its own file under ./models/ and declares its own options. */
const subcommands: Record<string, CliCommand> = {
  list: modelsListCommand,
  catalog: modelsCatalogCommand,
  pull: modelsPullCommand,
  import: modelsImportCommand,
  rm: modelsRmCommand,
  fit: modelsFitCommand,
};

function declare() {
  const models = defineCommand("models", {
    summary: "list, download, import and rate models",
    description: "Lists, downloads, imports and rates the GGUF models Guardbench classifies with. `guardbench models <command> --help` shows a command's options.",
  });
  for (const subcommand of Object.values(subcommands)) models.addCommand(subcommand.declare());
  return models;
}

export const modelsCommand: CliCommand = {
  declare,
  async run(args, io) {
    const [name, ...rest] = args;
    const subcommand = name === undefined ? undefined : subcommands[name];
    if (!subcommand) {
      if (name === "--help" || name === "-h") {
        writeLine(io.stdout, helpText(declare(), io.stdout));
        return 0;
      }
      throw new CliUsageError(name === undefined ? "missing subcommand" : `unknown subcommand "${name}"`);
    }
    try {
      return await subcommand.run(rest, io);
    } catch (error) {
      // A mistake in a subcommand's arguments is shown with that subcommand's usage.
      if (error instanceof CliUsageError) error.usage ??= helpText(subcommand.declare(), io.stderr);
      throw error;
    }
  },
};
