import type { CliCommand } from "../../command.ts";
import { writeLine } from "../../command.ts";
import { UNKNOWN, catalogFileKey, type Catalog, type Fact, type Unknown } from "../../../../shared/models/catalog.ts";
import { formatBytes, type FitCandidate } from "../../../../shared/models/fit.ts";
import { assessThisMachine, describeHardware, printJson, renderTable } from "./support.ts";
import { defineCommand, parseCommandLine, withOptions } from "../../arguments.ts";
import { fitContextOption, jsonOption, type FitContextValues, type JsonValues } from "../../options.ts";

function declare() {
  return withOptions(
    defineCommand(
      "catalog",
      {
        summary: "known Hub models and quants, with fit ratings",
        description:
          'Lists the guard models Guardbench knows on the Hugging Face Hub: repo, file and size per quant, licence, gating, context length, prompt family, when to choose each, and how each file fits this machine (see `guardbench models fit`). Values marked * come from unverified sources; "unknown" was not established.',
      },
      ["models"],
    ),
    fitContextOption("context size the fit ratings plan for, in tokens"),
    jsonOption('{"catalog", "fit"} as one JSON document'),
  );
}

export const modelsCatalogCommand: CliCommand = {
  declare,
  async run(args, io) {
    const { values } = parseCommandLine<FitContextValues & JsonValues>(declare(), args, io);
    const { catalog, fit: report } = await assessThisMachine(io, "catalog", { contextSize: values.context });
    if (values.json) {
      printJson(io.stdout, { catalog, fit: report });
      return 0;
    }
    const fitByFile = new Map<string, FitCandidate>(report.candidates.map((c) => [c.fileKey, c]));
    const show = <T>(fact: Fact<T> | Unknown, format: (value: T) => string = String) => factText(catalog, fact, format);
    const blocks = catalog.models.map((model) => {
      const original = model.original;
      const header = [
        `${model.name}  [${model.id}]`,
        `  ${model.whenToChoose}`,
        `  prompt family ${model.promptFamily}; original ${show(original.repo)} (gated: ${show(original.gated, yesNo)}, licence ${show(original.licence)}); ` +
          `context ${show(model.contextLength)}; ${show(model.parameterCount, (n) => `${(n / 1e9).toFixed(1)}B`)} parameters`,
      ];
      const rows = model.files.map((file) => [
        file.quant,
        `${show(file.repo)}/${show(file.file)}`,
        file.sizeBytes !== UNKNOWN ? show(file.sizeBytes, formatBytes) : show(file.approxSizeGB, (gb) => `~${gb} GB`),
        file.sha256 === UNKNOWN ? "unknown" : "known",
        show(file.gated, yesNo),
        fitByFile.get(catalogFileKey(file))?.assessment.rating ?? "-",
      ]);
      const table = renderTable(["QUANT", "REPO/FILE", "SIZE", "SHA256", "GATED", "FIT"], rows).replace(/^/gm, "    ");
      return [...header, ...model.notes.map((note) => `  note: ${note.text}`), "", table].join("\n");
    });
    const left = catalog.notInCatalog.map((entry) => `  ${entry.name}: ${entry.reason}`);
    writeLine(
      io.stdout,
      [
        `This machine: ${describeHardware(report.hardware)} (fit at ${report.contextSize} tokens; details: guardbench models fit)`,
        "",
        blocks.join("\n\n"),
        "",
        "* from an unverified source: check against the Hub before relying on it.",
        "",
        "Not in the catalog:",
        ...left,
      ].join("\n"),
    );
    return 0;
  },
};

function yesNo(value: boolean): string {
  return value ? "yes" : "no";
}

function factText<T>(catalog: Catalog, fact: Fact<T> | Unknown, format: (value: T) => string): string {
  if (fact === UNKNOWN) return "unknown";
  return `${format(fact.value)}${catalog.sources[fact.source]?.verified ? "" : "*"}`;
}
