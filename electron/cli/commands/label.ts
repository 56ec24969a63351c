import { Option } from "commander";
import type { DatasetSummary, LabelEvent, Req } from "../../../shared/ipc/contract.ts";
import { errorText } from "../../../shared/errors/codedError.ts";
import { defineCommand, parseCommandLine, withOptions } from "../arguments.ts";
import { openCliHost, type CliHost } from "../cliHost.ts";
import { CliFailure, CliUsageError, writeLine, type CliCommand } from "../command.ts";
import { choiceOption, jsonOption, type JsonValues } from "../options.ts";

interface LabelValues extends JsonValues {
  dataset: string;
  item: string;
  label: "unsafe" | "safe";
  categories?: string;
  note?: string;
  who?: string;
}

function declare() {
  return withOptions(
    defineCommand("label", {
      summary: "label one item of a stored dataset, as the Review screen does",
      description:
        "Labels one item of a stored dataset, as the Review screen does: the label is added to the item's history (earlier labels stay in its history) and is committed before the command returns. An open Guardbench window on the same GUARDBENCH_HOME shows it at once, in Review and Evaluation.",
    }),
    new Option("--dataset <id|name>", "the dataset's id, or its exact name (as the Datasets screen lists it)").makeOptionMandatory(),
    new Option("--item <id>", 'the item\'s id in the dataset (the file\'s own "id", or row-N for a row without one)').makeOptionMandatory(),
    choiceOption("--label <label>", "the label", ["unsafe", "safe"], { read: (value) => value.trim().toLowerCase() }).makeOptionMandatory(),
    new Option("--categories <codes>", "hazard codes for an unsafe label, comma-separated (S1,S10); a safe label takes none"),
    new Option("--note <text>", "a note kept with the label"),
    new Option("--who <name>", "who labeled (default: the operating-system user)"),
    jsonOption("the stored label event as JSON instead of a sentence"),
  );
}

export const labelCommand: CliCommand = {
  declare,
  async run(args, io) {
    const { values } = parseCommandLine<LabelValues>(declare(), args, io);
    const { label } = values;
    const categories = values.categories === undefined ? [] : values.categories.split(",").map((code) => code.trim()).filter((code) => code !== "");
    if (label === "safe" && categories.length > 0) throw new CliUsageError(`a safe label names no hazard categories; drop --categories ${values.categories}, or label the item unsafe`);

    const cli = openCliHost("label", io);
    try {
      const { datasets } = await cli.call("datasets:list", {});
      const dataset = datasetNamed(datasets, values.dataset);
      const request: Req<"review:label"> = {
        datasetId: dataset.id,
        itemId: values.item,
        label,
        ...(categories.length > 0 ? { categories } : {}),
        ...(values.note !== undefined && values.note.trim() !== "" ? { note: values.note.trim() } : {}),
        ...(values.who !== undefined ? { who: values.who } : {}),
      };
      const event = await labelOrExplain(cli, request, dataset);
      writeLine(io.stdout, values.json ? JSON.stringify(event) : describeEvent(event, dataset));
      return 0;
    } finally {
      cli.dispose();
    }
  },
};

/** `--dataset` as an id, or as the exact name of one dataset. */
function datasetNamed(datasets: DatasetSummary[], given: string): DatasetSummary {
  const listing = () => (datasets.length === 0 ? "there are no datasets yet: import one first (the Datasets screen, or `guardbench run --dataset FILE`)" : `the datasets are: ${datasets.map((d) => `${d.id} (${d.name})`).join(", ")}`);
  const trimmed = given.trim();
  if (/^\d+$/.test(trimmed)) {
    const id = Number(trimmed);
    const found = datasets.find((dataset) => dataset.id === id);
    if (found) return found;
    throw new CliFailure(`there is no dataset ${id}; ${listing()}`);
  }
  const named = datasets.filter((dataset) => dataset.name === trimmed);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new CliFailure(`${named.length} datasets are named "${trimmed}" (ids ${named.map((d) => d.id).join(", ")}); pass --dataset with the id of the one to label`);
  throw new CliFailure(`there is no dataset named "${trimmed}"; ${listing()}`);
}

/** `review:label`, as the Review screen sends it; the contract's refusals are said in the command's own flags. */
async function labelOrExplain(cli: CliHost, request: Req<"review:label">, dataset: DatasetSummary): Promise<LabelEvent> {
  const answer = await cli.client.invoke("review:label", request);
  if (answer.ok) return answer.value;
  const { error } = answer;
  if (error.code === "invalid-request") {
    throw new CliUsageError(error.message.replace(/^invalid review:label request: /, "").replace(/^categories/, "--categories").replace(/^itemId/, "--item"));
  }
  if (error.code === "not-found") {
    throw new CliFailure(`dataset ${dataset.id} (${dataset.name}, ${dataset.items} items) has no item with the id ${JSON.stringify(request.itemId)}; ids are the dataset file's own "id" values, or row-N for rows without one (the Review screen shows each item's id)`);
  }
  throw new CliFailure(errorText(error));
}

function describeEvent(event: LabelEvent, dataset: DatasetSummary): string {
  const categories = event.categories.length > 0 ? ` ${event.categories.join(", ")}` : "";
  return `labeled ${JSON.stringify(event.itemId)} of dataset ${event.datasetId} (${dataset.name}) ${event.label}${categories}${event.note ? ` with a note` : ""}, by ${event.who} (label event ${event.eventId})`;
}
