import type { CliCommand } from "../../command.ts";
import { writeLine } from "../../command.ts";
import { DEFAULT_FIT_CONTEXT, RUNTIME_OVERHEAD_BYTES, UNKNOWN_SHAPE_KV_FRACTION, formatBytes, type EstimateBasis, type FitAssessment } from "../../../../shared/models/fit.ts";
import { Option } from "commander";
import { assessThisMachine, describeHardware, printJson, renderTable } from "./support.ts";
import { defineCommand, parseCommandLine, withOptions } from "../../arguments.ts";
import { fitContextOption, jsonOption, type FitContextValues, type JsonValues } from "../../options.ts";

interface FitValues extends FitContextValues, JsonValues {
  model?: string;
}

function declare() {
  return withOptions(
    defineCommand(
      "fit",
      {
        summary: "rate each catalog quant for this machine",
        description:
          'Rates every catalog model file for this machine: green (fits entirely on the GPU), yellow (partly on the GPU, or CPU-only with enough RAM), red (does not fit), unknown (the catalog lacks its size). Installed files are rated from their GGUF header, the rest from catalog data (marked "estimate"). Then recommends the highest-quality quant of the preferred model that rates green, else yellow.',
        after: "Environment: GUARDBENCH_GPU=off rates for CPU inference only.",
      },
      ["models"],
    ),
    fitContextOption("context size to plan for, in tokens (capped at each model's own maximum)"),
    new Option("--model <id>", "the catalog model to prefer (default: the catalog's order, most capable first)"),
    jsonOption("the report as one JSON document"),
  );
}

export const modelsFitCommand: CliCommand = {
  declare,
  async run(args, io) {
    const { values } = parseCommandLine<FitValues>(declare(), args, io);
    const contextSize = values.context;
    const { fit: report } = await assessThisMachine(io, "fit", { contextSize, ...(values.model ? { preferredModelId: values.model } : {}) });
    if (values.json) {
      printJson(io.stdout, report);
      return 0;
    }
    const rows = [
      ...report.candidates.map((c) => [c.modelName, c.quant, c.fileKey + (c.installed ? " (installed)" : ""), ...assessmentCells(c.assessment)]),
      ...report.otherInstalled.map((o) => ["(installed)", "", o.id, ...assessmentCells(o.assessment)]),
    ];
    const recommendation = report.recommendation
      ? `Recommended: ${report.recommendation.candidate.fileKey}\n  ${report.recommendation.reason}`
      : `Nothing in the catalog fits this machine at ${contextSize} tokens of context. Try a smaller --context.`;
    writeLine(
      io.stdout,
      [`This machine: ${describeHardware(report.hardware)}`, `Context: ${contextSize} tokens`, "", renderTable(["MODEL", "QUANT", "FILE", "FIT", "BASIS", "WHY"], rows), "", BASIS_FOOTNOTE, "", recommendation].join("\n"),
    );
    return 0;
  },
};

const BASIS_LABELS: Record<EstimateBasis, string> = {
  "gguf-header": "GGUF header",
  "catalog-shape": "estimate",
  "catalog-size-only": "rough estimate",
};

const BASIS_FOOTNOTE =
  "GGUF header: node-llama-cpp's estimate for the installed file. estimate: catalog file size + KV cache from the model's shape. " +
  `rough estimate: catalog file size + ${UNKNOWN_SHAPE_KV_FRACTION * 100}% of it per ${DEFAULT_FIT_CONTEXT} tokens of context + ` +
  `${formatBytes(RUNTIME_OVERHEAD_BYTES)} for buffers (the catalog lacks the model's shape). --json shows each estimate's arithmetic.`;

function assessmentCells(assessment: FitAssessment): string[] {
  return [assessment.rating, assessment.estimate ? BASIS_LABELS[assessment.estimate.basis] : "-", assessment.reason];
}
