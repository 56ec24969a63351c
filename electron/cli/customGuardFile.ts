/**
 * `--custom-guard FILE` of classify and run: a custom guard definition (JSON, shared/families/customGuard.ts) saved with
 * the model through the host, as the page's editor saves it, so a later `--family custom-guard` (or the app) uses it.
 */
import { readFile } from "node:fs/promises";
import { Option } from "commander";
import { CUSTOM_GUARD_ID, parseCustomGuard, type CustomGuardDefinition } from "../../shared/families/customGuard.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";
import type { Req } from "../../shared/ipc/contract.ts";
import type { CliHost } from "./cliHost.ts";
import { CliFailure, CliUsageError, userPath, type CliIo } from "./command.ts";

export interface CustomGuardValues {
  customGuard?: string;
}

export function customGuardOption(): Option {
  return new Option(
    "--custom-guard <file>",
    'score the model as a custom guard defined in this JSON file ({"name", "decision": {"unsafe", "safe"}, "verdict": {"pattern"}, optional "template" …}); it is saved with the model, so a later --family custom-guard uses it',
  );
}

/** `--custom-guard` implies `--family custom-guard`; naming another family beside it is a usage mistake. */
export function familyWithCustomGuard(values: CustomGuardValues & { family?: PromptFamily }): PromptFamily | undefined {
  if (values.customGuard === undefined) return values.family;
  if (values.family !== undefined && values.family !== CUSTOM_GUARD_ID) throw new CliUsageError(`--custom-guard scores the model as ${CUSTOM_GUARD_ID}; leave out --family ${values.family}`);
  return CUSTOM_GUARD_ID;
}

/** Reads the file and saves its definition with the model; the host validates it and tries it on the model file. */
export async function saveCustomGuardFile(cli: CliHost, modelPath: string, file: string, io: Pick<CliIo, "cwd" | "env">): Promise<void> {
  const definition = await readCustomGuardFile(file, io);
  // Untrusted JSON on purpose: the host's contract validates it and names what is wrong, as it does for the page.
  const saved = await cli.client.invoke("models:save-custom-guard", { path: modelPath, definition: definition as Req<"models:save-custom-guard">["definition"] });
  if (!saved.ok) throw new CliFailure(`--custom-guard ${file}: ${saved.error.message}${saved.error.hint ? `\n${saved.error.hint}` : ""}`);
}

/** The definition of a file, validated here (`guardbench prompt`, which starts no host). */
export async function loadCustomGuardFile(file: string, io: Pick<CliIo, "cwd" | "env">): Promise<CustomGuardDefinition> {
  const parsed = parseCustomGuard(await readCustomGuardFile(file, io));
  if (!parsed.ok) throw new CliFailure(`--custom-guard ${file}: ${parsed.error.message}`);
  return parsed.definition;
}

/** The file's JSON, not yet validated. */
async function readCustomGuardFile(file: string, io: Pick<CliIo, "cwd" | "env">): Promise<unknown> {
  const path = userPath(io, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliFailure(`--custom-guard ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliFailure(`--custom-guard ${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}
