/**
 * What a run is called wherever it is picked or shown: "Run 3 · xstest · LG3-1B Q8_0 · Acme v2 · prompt · @0.85 · 2 Dec"
 * — what produced it (dataset, model and quant, policy and version, check mode, threshold, date), so that two runs that
 * differ in any of these read differently. A name the user gave replaces the generated part; "Run N" always stays, as
 * it is what the CLI, exports and messages refer to.
 */
import type { RunSummary } from "../ipc/channels/runs.ts";
import { QUANT_QUALITY_ORDER } from "../models/catalog.ts";

export type RunNameSource = Pick<RunSummary, "id" | "datasetName" | "model" | "policyName" | "policyVersion" | "settings" | "createdAt" | "name">;

export interface RunNameOptions {
  /** the user's locale for the date (undefined: the runtime's default) */
  locale?: string | readonly string[];
  /** for tests; undefined: the runtime's time zone */
  timeZone?: string;
  /** the year is shown only for runs of another year than `now`'s */
  now?: Date;
}

/** Longest a user's name for a run may be (runs:update refuses longer ones). */
export const MAX_RUN_NAME_LENGTH = 120;
/** Longest a note on a run may be. */
export const MAX_RUN_NOTE_LENGTH = 2000;

const SEPARATOR = " · ";
const MAX_MODEL_NAME = 28;
const MAX_POLICY_NAME = 40;

/** "Run 3 · <the user's name, or the generated description>". */
export function runName(run: RunNameSource, options: RunNameOptions = {}): string {
  const custom = run.name?.trim();
  return `Run ${run.id}${SEPARATOR}${custom ? custom : runDescription(run, options)}`;
}

/** The generated part alone: "xstest · LG3-1B Q8_0 · Acme v2 · prompt · @0.85 · 2 Dec" (parts it cannot tell are left out). */
export function runDescription(run: RunNameSource, options: RunNameOptions = {}): string {
  const policy = run.policyName.trim() === "" ? "" : `${shorten(run.policyName.trim(), MAX_POLICY_NAME)}${run.policyVersion !== undefined ? ` v${run.policyVersion}` : ""}`;
  // Runs of one file as two custom guards differ by the guard.
  const guard = run.settings.customGuard ? `“${shorten(run.settings.customGuard.name.trim(), MAX_MODEL_NAME)}”` : "";
  const parts = [run.datasetName.trim(), modelShortName(run.model.path), guard, policy, run.settings.check, `@${Number(run.settings.threshold.toFixed(3))}`, shortDate(run.createdAt, options)];
  return parts.filter((part) => part !== "").join(SEPARATOR);
}

// Longest first, so that Q4_K_M is not read as a shorter name it starts with.
const QUANTS = [...QUANT_QUALITY_ORDER].sort((a, b) => b.length - a.length);
const QUANT_IN_NAME = new RegExp(`(^|[-_. ])(${QUANTS.join("|")})(?=$|[-_. ])`, "i");

/**
 * A GGUF file's short name: its file name without the folder, `.gguf`, split-part suffix and quant, with "Llama Guard"
 * written LG, followed by the quant: `…/Llama-Guard-3-1B-Q8_0.gguf` → "LG3-1B Q8_0".
 */
export function modelShortName(path: string): string {
  let stem = (path.split(/[\\/]/).pop() ?? path).replace(/\.gguf$/i, "").replace(/-\d{5}-of-\d{5}$/i, "");
  const quant = QUANT_IN_NAME.exec(stem);
  if (quant) stem = `${stem.slice(0, quant.index)}${quant[1]}${stem.slice(quant.index + quant[0].length)}`;
  const base = stem
    .replace(/^meta[-_ ]+(?=llama)/i, "")
    .replace(/llama[-_ ]?guard[-_ ]?/gi, "LG")
    .replace(/^[-_. ]+|[-_. ]+$/g, "")
    .replace(/([-_. ])[-_. ]+/g, "$1");
  return [shorten(base, MAX_MODEL_NAME), quant?.[2]?.toUpperCase() ?? ""].filter((part) => part !== "").join(" ");
}

/** "2 Dec" (in the user's locale's order), with the year for a run of another year; "" for a date that cannot be read. */
function shortDate(iso: string, { locale, timeZone, now = new Date() }: RunNameOptions): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const zone = timeZone ? { timeZone } : {};
  const year = new Intl.DateTimeFormat("en", { year: "numeric", ...zone });
  const sameYear = year.format(date) === year.format(now);
  return new Intl.DateTimeFormat(locale as string | string[] | undefined, { day: "numeric", month: "short", ...(sameYear ? {} : { year: "numeric" }), ...zone }).format(date);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The run's name as a file name stem for exports: "run-3-xstest-lg3-1b-q8_0-acme-v2-prompt-0.85" (no date: a file
 * name should not depend on the locale), or "run-3-my-baseline" for a run the user named.
 */
export function runFileStem(run: RunNameSource): string {
  const custom = run.name?.trim();
  const words = custom ? custom : runDescription({ ...run, createdAt: "" });
  const slug = words
    .toLowerCase()
    .replace(/@/g, "")
    .replace(/[^\p{L}\p{N}._]+/gu, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80)
    .replace(/[-.]+$/, "");
  return slug === "" ? `run-${run.id}` : `run-${run.id}-${slug}`;
}
