import type { CliCommand } from "../../command.ts";
import { writeLine } from "../../command.ts";
import { expectPositionals, fail, parseCommandArgs, printJson, withModelsHost } from "./support.ts";

const usage = `Usage: guardbench models rm <id> [--json]

Deletes an installed model. <id> is the path inside the models folder that \`guardbench models list\` prints,
e.g. local/model.gguf or QuantFactory/Llama-Guard-3-8B-GGUF/Llama-Guard-3-8B.Q4_K_M.gguf.

  --json   print {"ok": true, "id", "path"} (or {"ok": false, "error"}) as one JSON document`;

export const modelsRmCommand: CliCommand = {
  name: "rm",
  summary: "delete an installed model",
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: "boolean", default: false } });
    const [id] = expectPositionals(positionals, ["the id of the model to delete"]);
    const result = await withModelsHost("rm", io, (cli) => cli.client.invoke("models:remove", { id: id! }));
    if (!result.ok) fail(io.stdout, values.json, result.error);
    if (values.json) printJson(io.stdout, { ok: true, ...result.value });
    else writeLine(io.stdout, `Removed ${result.value.id} (${result.value.path})`);
    return 0;
  },
};
