/** What the `guardbench models …` subcommands share: JSON output, failures, tables, the fit check. */
import type { Writable } from "node:stream";
import { formatBytes, usableRamBytes, usableVramBytes, type HardwareProfile } from "../../../../shared/models/fit.ts";
import type { CatalogReport } from "../../../../shared/ipc/index.ts";
import { openCliHost, type CliHost } from "../../cliHost.ts";
import { CliFailure, CliUsageError, writeLine, type CliIo } from "../../command.ts";
import { errorText } from "../../../../shared/errors/codedError.ts";

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
  throw new CliFailure(errorText(error));
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

/**
 * A models subcommand on the host (electron/cli/cliHost.ts): `models:*` handlers answer it as they answer the app's
 * Models screen, with the same checks.
 */
export async function withModelsHost<T>(command: string, io: CliIo, use: (cli: CliHost) => Promise<T>): Promise<T> {
  const cli = openCliHost(`models ${command}`, io);
  try {
    return await use(cli);
  } finally {
    cli.dispose();
  }
}

/**
 * This machine's hardware (GPU unless GUARDBENCH_GPU=off, probed in a worker as the app does) and every catalog and
 * installed model rated against it: `models:catalog`.
 */
export async function assessThisMachine(io: CliIo, command: string, options: { contextSize: number; preferredModelId?: string }): Promise<CatalogReport> {
  const assessed = await withModelsHost(command, io, (cli) => cli.call("models:catalog", options));
  if (options.preferredModelId !== undefined && !assessed.catalog.models.some((model) => model.id === options.preferredModelId)) {
    throw new CliUsageError(`no catalog model has the id "${options.preferredModelId}"; ids: ${assessed.catalog.models.map((m) => m.id).join(", ")}`);
  }
  return assessed;
}

/** One line a user can check against their machine. */
export function describeHardware(hardware: HardwareProfile): string {
  const ram = `${formatBytes(hardware.totalRamBytes)} RAM (${formatBytes(usableRamBytes(hardware))} usable for models), ${hardware.cpuCores} CPU cores`;
  const gpu = hardware.gpu;
  if (!gpu) return `${ram}; ${hardware.cpuInferenceReason ?? "no GPU detected — CPU inference"}`;
  const names = gpu.deviceNames.length > 0 ? gpu.deviceNames.join(", ") : "GPU";
  return `${ram}; ${names} (${gpu.backend}): ${formatBytes(usableVramBytes(gpu))} of ${formatBytes(gpu.totalVramBytes)} VRAM usable${gpu.unifiedMemory ? ", shared with RAM" : ""}`;
}
