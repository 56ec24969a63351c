import type { CliCommand } from "../../command.ts";
import { writeLine } from "../../command.ts";
import { fail, printJson, withModelsHost } from "./support.ts";
import { defineCommand, parseCommandLine, withOptions } from "../../arguments.ts";
import { jsonOption, type JsonValues } from "../../options.ts";

function declare() {
  return withOptions(
    defineCommand(
      "rm",
      {
        summary: "delete an installed model",
        description:
          "Deletes an installed model. <id> is the path inside the models folder that `guardbench models list` prints, e.g. local/model.gguf or QuantFactory/Llama-Guard-3-8B-GGUF/Llama-Guard-3-8B.Q4_K_M.gguf.",
      },
      ["models"],
    ).argument("<id>", "the id of the model to delete"),
    jsonOption('{"ok": true, "id", "path"} (or {"ok": false, "error"}) as one JSON document'),
  );
}

export const modelsRmCommand: CliCommand = {
  declare,
  async run(args, io) {
    const {
      values,
      operands: [id],
    } = parseCommandLine<JsonValues>(declare(), args, io);
    const result = await withModelsHost("rm", io, (cli) => cli.client.invoke("models:remove", { id: id! }));
    if (!result.ok) fail(io.stdout, values.json === true, result.error);
    if (values.json) printJson(io.stdout, { ok: true, ...result.value });
    else writeLine(io.stdout, `Removed ${result.value.id} (${result.value.path})`);
    return 0;
  },
};
