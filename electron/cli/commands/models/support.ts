/** What the `guardbench models …` subcommands share: JSON output, failures, tables, the fit check. */
import type { Writable } from "node:stream";
import { formatBytes, usableRamBytes, usableVramBytes, type HardwareProfile } from "../../../../shared/models/fit.ts";
import { detectHardwareInWorker, estimateMemoryInWorker, forkWorker } from "../../../engine/engineProcess.ts";
import { gpuModeFromEnv } from "../../../engine/hardware.ts";
import { assessFit, ModelLibrary, type LibraryFitReport } from "../../../models/library.ts";
import { guardbenchHome } from "../../../models/paths.ts";
import { CliFailure, CliUsageError, writeLine, type CliIo } from "../../command.ts";

/** `--json` output: one JSON document on stdout. */
export function printJson(stdout: Writable, value: unknown): void {
  writeLine(stdout, JSON.stringify(value, null, 2));
}

/**
 * Ends the command with a user-facing error: the message and hint on stderr (via CliFailure), and with `--json` also
 * `{ ok: false, error }` on stdout so scripts can branch on the code.
 */
export function fail(stdout: Writable, json: boolean, error: { code: string; message: string; hint?: string }): never {
  if (json) printJson(stdout, { ok: false, error });
  throw new CliFailure(error.hint ? `${error.message}\n${error.hint}` : error.message);
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) => rows.reduce((widest, row) => Math.max(widest, (row[column] ?? "").length), header.length));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** "16M", "1.5B": parameter counts as model names print them. */
export function formatParameters(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${Math.round(count / 1e6)}M`;
  return `${Math.round(count / 1e3)}K`;
}

/** This machine's hardware (GPU unless GUARDBENCH_GPU=off) and every catalog and installed model rated against it. */
export async function assessThisMachine(io: CliIo, options: { contextSize: number; preferredModelId?: string }): Promise<{ library: ModelLibrary; report: LibraryFitReport }> {
  const library = new ModelLibrary(guardbenchHome(io.env));
  if (options.preferredModelId !== undefined && !library.catalog.models.some((model) => model.id === options.preferredModelId)) {
    throw new CliUsageError(`no catalog model has the id "${options.preferredModelId}"; ids: ${library.catalog.models.map((m) => m.id).join(", ")}`);
  }
  // In a worker, as the app does: a GPU probe that aborts takes down that worker, and this command reports it.
  const hardware = await detectHardwareInWorker(forkWorker, gpuModeFromEnv(io.env));
  const estimateMemory = (paths: readonly string[], context: number) => estimateMemoryInWorker(forkWorker, paths, context);
  return { library, report: await assessFit(library, { hardware, ...options, estimateMemory }) };
}

/** One line a user can check against their machine. */
export function describeHardware(hardware: HardwareProfile): string {
  const ram = `${formatBytes(hardware.totalRamBytes)} RAM (${formatBytes(usableRamBytes(hardware))} usable for models), ${hardware.cpuCores} CPU cores`;
  const gpu = hardware.gpu;
  if (!gpu) return `${ram}; ${hardware.cpuInferenceReason ?? "no GPU detected — CPU inference"}`;
  const names = gpu.deviceNames.length > 0 ? gpu.deviceNames.join(", ") : "GPU";
  return `${ram}; ${names} (${gpu.backend}): ${formatBytes(usableVramBytes(gpu))} of ${formatBytes(gpu.totalVramBytes)} VRAM usable${gpu.unifiedMemory ? ", shared with RAM" : ""}`;
}
