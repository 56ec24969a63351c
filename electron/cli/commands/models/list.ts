import type { CliCommand } from "../../command.ts";
import { writeLine } from "../../command.ts";
import { formatBytes } from "../../../../shared/models/fit.ts";
import type { InstalledModel } from "../../../models/library.ts";
import { formatParameters, parseCommandArgs, expectPositionals, printJson, renderTable, withModelsHost } from "./support.ts";

const usage = `Usage: guardbench models list [--json]

Lists the models in $GUARDBENCH_HOME/models (default ~/.guardbench/models) with what each GGUF header says:
architecture, quantisation, parameters, context length and the prompt family Guardbench will use.
Files that cannot be used are listed with the reason.

  --json   print {"modelsFolder", "models": [...]} as one JSON document`;

export const modelsListCommand: CliCommand = {
  name: "list",
  summary: "installed models and what their GGUF header says",
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: "boolean", default: false } });
    expectPositionals(positionals, []);
    const { modelsDir: modelsFolder, models } = await withModelsHost("list", io, (cli) => cli.call("models:list", {}));
    if (values.json) {
      printJson(io.stdout, { modelsFolder, models });
      return 0;
    }
    if (models.length === 0) {
      writeLine(io.stdout, `No models in ${modelsFolder}.\nImport one with \`guardbench models import <file.gguf>\` or download one with \`guardbench models pull\`.`);
      return 0;
    }
    writeLine(io.stdout, `Models in ${modelsFolder}:\n`);
    writeLine(io.stdout, renderTable(["ID", "ARCH", "QUANT", "PARAMS", "CONTEXT", "FAMILY", "SIZE", "STATUS"], models.map(tableRow)));
    return 0;
  },
};

function tableRow(model: InstalledModel): string[] {
  const info = model.info;
  return [
    model.id,
    info?.architecture ?? "-",
    info?.quantType ?? "-",
    info ? formatParameters(info.parameterCount) : "-",
    info?.contextLength?.toString() ?? "-",
    info ? (info.promptFamily?.family ?? "unknown (use --family)") : "-",
    formatBytes(model.sizeBytes),
    model.problem ? `${model.problem.code}: ${model.problem.message}` : "ok",
  ];
}
