import { CliUsageError, type CliCommand } from "../command.ts";

/** `guardbench models <sub>`: each subcommand lives in its own file under ./models/. */
const subcommands: Record<string, () => Promise<CliCommand>> = {
  list: async () => (await import("./models/list.ts")).modelsListCommand,
  catalog: async () => (await import("./models/catalog.ts")).modelsCatalogCommand,
  pull: async () => (await import("./models/pull.ts")).modelsPullCommand,
  import: async () => (await import("./models/import.ts")).modelsImportCommand,
  rm: async () => (await import("./models/rm.ts")).modelsRmCommand,
  fit: async () => (await import("./models/fit.ts")).modelsFitCommand,
};

const usage = `Usage: guardbench models <list|catalog|pull|import|rm|fit> [options]

  list                                  installed models and what their GGUF header says
  catalog                               known Hub models and quants, with fit ratings
  pull <repo>[@revision] <file> [--token T] [--json]   download and verify a model file
  import <file.gguf>                    validate and copy a local GGUF into the library
  rm <id>                               delete an installed model
  fit [--context N]                     rate each catalog quant for this machine`;

export const modelsCommand: CliCommand = {
  name: "models",
  summary: "list, download, import and rate models",
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    const load = sub ? subcommands[sub] : undefined;
    if (!load) throw new CliUsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand");
    return (await load()).run(rest, io);
  },
};
