import type { CliCommand } from "../../command.ts";
import { writeLine, userPath } from "../../command.ts";
import { formatBytes } from "../../../../shared/models/fit.ts";
import { fail, formatParameters, printJson, withModelsHost } from "./support.ts";
import { defineCommand, parseCommandLine, withOptions } from "../../arguments.ts";
import { jsonOption, type JsonValues } from "../../options.ts";

function declare() {
  return withOptions(
    defineCommand(
      "import",
      {
        summary: "validate and copy a local GGUF into the library",
        description:
          "Checks that the file is a complete GGUF that llama.cpp can run, then copies it to $GUARDBENCH_HOME/models/local/<file>. Nothing is copied when the check fails, and an installed model with the same name but different contents is never replaced.",
      },
      ["models"],
    ).argument("<file.gguf>", "the file to import"),
    jsonOption('{"ok": true, "model", "alreadyInstalled"} (or {"ok": false, "error"}) as one JSON document'),
  );
}

export const modelsImportCommand: CliCommand = {
  declare,
  async run(args, io) {
    const {
      values,
      operands: [file],
    } = parseCommandLine<JsonValues>(declare(), args, io);
    const result = await withModelsHost("import", io, (cli) => cli.client.invoke("models:import", { path: userPath(io, file!) }));
    if (!result.ok) fail(io.stdout, values.json === true, result.error);
    const { model, alreadyInstalled } = result.value;
    if (values.json) {
      printJson(io.stdout, { ok: true, ...result.value });
      return 0;
    }
    const info = model.info!;
    const family = info.promptFamily ? `${info.promptFamily.family} (${info.promptFamily.reason})` : "unknown: pass --family when classifying";
    writeLine(
      io.stdout,
      [
        `${alreadyInstalled ? "Already installed" : "Imported"}: ${model.id}`,
        `  ${info.architecture}, ${info.quantType}, ${formatParameters(info.parameterCount)} parameters, context ${info.contextLength ?? "unknown"}, ${formatBytes(model.sizeBytes)}`,
        `  prompt family: ${family}`,
        ...info.warnings.map((warning) => `  warning: ${warning}`),
      ].join("\n"),
    );
    return 0;
  },
};
