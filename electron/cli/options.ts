/**
 * The options several commands take, each declared once: its flag, what it holds, its allowed values or range, its
 * default and its help line. A command adds the ones it takes (see arguments.ts), so `--top-k` or `--threshold`
 * cannot accept one range in `classify` and another in `run`. Each `…Values` type is what the option parses to.
 */
import { Option } from "commander";
import { DEFAULT_CLASSIFY_OPTIONS, THRESHOLD_RANGE, TOP_K_RANGE } from "../../shared/classify/result.ts";
import { CHECK_MODES, type CheckMode } from "../../shared/conversation/types.ts";
import { DEFAULT_FIT_CONTEXT } from "../../shared/models/fit.ts";
import { PROMPT_FAMILIES, type PromptFamily } from "../../shared/taxonomy/index.ts";
import { unknownSettingProblem } from "../../shared/families/settingChoice.ts";
import { describeRange } from "./arguments.ts";
import { CliUsageError } from "./command.ts";

interface Range {
  min: number;
  max: number;
}

/** `--flag <value>` holding a number within `range`. */
export function numberOption(flags: string, description: string, range: Range): Option {
  return rangedOption(flags, description, range, "number");
}

/** `--flag <n>` that counts something (tokens, threads, sequences, a port): a whole number within `range`. */
export function wholeNumberOption(flags: string, description: string, range: Range): Option {
  return rangedOption(flags, description, range, "whole number");
}

function rangedOption(flags: string, description: string, range: Range, kind: "number" | "whole number"): Option {
  const option = new Option(flags, description);
  const fits = (number: number) => (kind === "number" ? Number.isFinite(number) : Number.isInteger(number)) && number >= range.min && number <= range.max;
  option.argParser((value: string) => {
    // Blank text is not 0, which `Number("")` would make it.
    const number = value.trim() === "" ? NaN : Number(value);
    if (!fits(number)) throw new CliUsageError(`${option.long} must be a ${kind} from ${range.min} to ${range.max}, not "${value}"`);
    return number;
  });
  return describeRange(option, `${kind === "number" ? "" : "a whole number, "}${range.min} to ${range.max}`);
}

/**
 * `--flag <value>` taking one of `choices` (listed in the help). `read` says how a typed value is compared (`--label
 * Unsafe` is unsafe), `mistake` how a wrong one is answered; by default "--flag must be a, b or c, not "x"".
 */
export function choiceOption<Choice extends string>(
  flags: string,
  description: string,
  choices: readonly Choice[],
  how: { read?: (value: string) => string; mistake?: (value: string) => string } = {},
): Option {
  const option = new Option(flags, description).choices(choices);
  return option.argParser((value: string) => {
    const read = how.read ? how.read(value) : value;
    if ((choices as readonly string[]).includes(read)) return read as Choice;
    throw new CliUsageError(how.mistake ? how.mistake(value) : `${option.long} must be ${oneOf(choices)}, not "${value}"`);
  });
}

/** "a, b or c" */
function oneOf(words: readonly string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

/** `--flag <value>` that may be given more than once; the values in order. */
export function repeatableOption(flags: string, description: string): Option {
  return new Option(flags, description).argParser((value: string, earlier: string[] | undefined) => [...(earlier ?? []), value]);
}

// --- what a conversation is classified with: prompt, classify, run ---

export interface ModelValues {
  model: string;
}

/** `--model` of classify and run: a GGUF file, or an installed model's id (resolved by modelArgument.ts). */
export function modelOption(): Option {
  return new Option("--model <file|id>", "a GGUF file, or the id of an installed model (`guardbench models list`)").makeOptionMandatory();
}

export interface FamilyValues {
  family?: PromptFamily;
}

export function familyOption(description = "the prompt family; detected from the GGUF (its chat template or name) when omitted"): Option {
  return choiceOption("--family <family>", description, PROMPT_FAMILIES, { mistake: (value) => `unknown family "${value}"; choose one of ${PROMPT_FAMILIES.join(", ")}` });
}

export interface PolicyValues {
  policy?: string;
  exclude?: string;
  check: CheckMode;
}

/** `--policy`, `--exclude` and `--check`: which categories the prompt lists, and which turn it asks about. */
export function policyOptions(): Option[] {
  return [
    new Option("--policy <file>", 'a policy JSON file ({"name", "family", "categories": […]}); default: the family\'s official taxonomy'),
    new Option("--exclude <codes>", "category codes to leave out, comma-separated (S6,S7); the other codes keep their numbers"),
    choiceOption("--check <turn>", "which turn is classified: last (the last turn), prompt (the last user turn) or response (the last assistant turn)", CHECK_MODES).default("last"),
  ];
}

export interface FamilySettingValues {
  setting?: string[];
}

/** `--setting id=on|off,…`, repeatable: the family's own settings (Qwen3Guard's controversialIsUnsafe). */
export function familySettingOption(): Option {
  return repeatableOption("--setting <id=on|off,...>", "the family's settings, comma-separated or repeated (qwen3guard: controversialIsUnsafe=on counts Controversial as flagged)");
}

/** The `--setting` values as settings of `family`; an unknown id or a value other than on/off is a usage error. */
export function parseFamilySettings(texts: readonly string[] | undefined, family: PromptFamily): Record<string, boolean> {
  const settings: Record<string, boolean> = {};
  for (const entry of (texts ?? []).flatMap((text) => text.split(",")).map((part) => part.trim()).filter((part) => part !== "")) {
    const [id, value, ...rest] = entry.split("=");
    const unknown = unknownSettingProblem(family, id!);
    if (unknown) throw new CliUsageError(`--setting: ${unknown}`);
    if (rest.length > 0 || (value !== "on" && value !== "off")) throw new CliUsageError(`--setting: ${entry} is not ${id}=on or ${id}=off`);
    settings[id!] = value === "on";
  }
  return settings;
}

export interface InputValues {
  input?: string;
}

export function inputOption(description = "the conversation in any pasted format, or {\"messages\": […]}; - or none: standard input"): Option {
  return new Option("--input <file|->", description);
}

export interface ScoringValues {
  threshold: number;
  topK: number;
}

/** `--threshold`; eval's says what it measures with it. */
export function thresholdOption(description = "P(unsafe) at or above which a result is flagged"): Option {
  return numberOption("--threshold <p>", description, THRESHOLD_RANGE).default(DEFAULT_CLASSIFY_OPTIONS.threshold);
}

/** `--threshold` and `--top-k`, as classify and run score. */
export function scoringOptions(): Option[] {
  return [thresholdOption(), wholeNumberOption("--top-k <n>", "alternatives recorded per generated token; 0 records none", TOP_K_RANGE).default(DEFAULT_CLASSIFY_OPTIONS.topK)];
}

// --- how the local engine runs: classify, run, worker ---

export interface EngineValues {
  threads?: number;
  cpu?: boolean;
}

export function engineOptions(): Option[] {
  return [
    wholeNumberOption("--threads <n>", "CPU threads for llama.cpp", { min: 1, max: 256 }).default(undefined, "llama.cpp's choice"),
    new Option("--cpu", "never use a GPU"),
  ];
}

export interface SequencesValues {
  sequences?: number;
}

export function sequencesOption(): Option {
  return wholeNumberOption("--sequences <n>", "classifications run in parallel, as the engine's sequences", { min: 1, max: 64 }).default(undefined, "2");
}

// --- output ---

export interface JsonValues {
  json?: boolean;
}

/** `--json`: `shape` is what it prints, e.g. `one JSON object {precision, recall …}`. */
export function jsonOption(shape: string): Option {
  return new Option("--json", `print ${shape}`);
}

// --- servers: serve and worker ---

export interface ListenValues {
  port: number;
  host: string;
}

export function listenOptions(defaultPort: number, hostNote: string): Option[] {
  return [
    wholeNumberOption("--port <port>", "TCP port; 0 picks a free one", { min: 0, max: 65535 }).default(defaultPort),
    new Option("--host <address>", `address to listen on. ${hostNote}`).default("127.0.0.1"),
  ];
}

export interface AuditValues {
  audit?: boolean;
  auditContent?: boolean;
  logContent?: boolean;
}

/** What the moderation API keeps of each input it answers. */
export function auditOptions(auditDescription: string, contentDescription: string): Option[] {
  return [
    new Option("--audit", auditDescription),
    new Option("--audit-content", contentDescription),
    new Option("--log-content", "request log lines (standard error) include the content; by default they never do"),
  ];
}

// --- secrets: serve, worker, models pull (read by secretOption.ts) ---

export interface TokenValues {
  token?: string;
  tokenFile?: string;
}

/** `--token-file PATH` and `--token T`; `privately` names the private ways to give it, e.g. "GUARDBENCH_SERVE_TOKEN". */
export function tokenOptions(fileDescription: string, privately: string): Option[] {
  return [
    new Option("--token-file <path>", fileDescription),
    new Option("--token <token>", `the token itself (visible to other users in \`ps\`: prefer --token-file or ${privately})`),
  ];
}

// --- model fit: models catalog and models fit ---

export interface FitContextValues {
  context: number;
}

/** The context size a fit rating plans for. */
export function fitContextOption(description: string): Option {
  const option = new Option("--context <tokens>", description).default(DEFAULT_FIT_CONTEXT);
  return describeRange(
    option.argParser((value: string) => {
      const tokens = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(tokens) || tokens < 1) throw new CliUsageError(`--context must be a positive whole number of tokens, not "${value}"`);
      return tokens;
    }),
    "a positive whole number",
  );
}
