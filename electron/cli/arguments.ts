/**
 * Every command's arguments come from one commander declaration: its options (allowed values, defaults, parsers with
 * their ranges), its positional arguments, and the prose of its `--help`, which commander generates from them. This
 * file is the plumbing around commander: how a declaration is made, parsed, and turned into help text, with every
 * word routed through the command's CliIo (commander never writes to the process's streams or exits it).
 */
import type { Writable } from "node:stream";
import { Command, CommanderError, Help, type Option } from "commander";
import { CliExit, CliUsageError, type CliIo } from "./command.ts";

/** What a command declares besides its options: a one-line summary (for `guardbench --help`) and its prose. */
export interface CommandText {
  summary: string;
  /** paragraphs shown above the options; commander wraps them to the terminal */
  description: string;
  /** paragraphs shown below the options (exit status, environment …), wrapped the same way */
  after?: string;
}

/**
 * Required options whose check parseCommandLine makes itself (see there); commander is told they are optional while it
 * parses, and the usage line still names them.
 */
const requiredWhileParsing = new WeakMap<Command, readonly Option[]>();

/** Ranges of numeric options, shown in `--help` next to the option's default. */
const rangeOfOption = new WeakMap<Option, string>();

/** Records the range an option's parser enforces, so its help line states it. */
export function describeRange(option: Option, range: string): Option {
  rangeOfOption.set(option, range);
  return option;
}

/**
 * Help in Guardbench's words: the usage line names the options a command cannot run without, and each option's
 * range, allowed values and default follow its description in one parenthesis.
 */
class GuardbenchHelp extends Help {
  override commandUsage(command: Command): string {
    const deferred = requiredWhileParsing.get(command) ?? [];
    const required = command.options.filter((option) => option.mandatory || deferred.includes(option)).map((option) => option.flags);
    return [...commandPath(command), ...required, command.usage()].join(" ");
  }

  override optionDescription(option: Option): string {
    const notes = [
      rangeOfOption.get(option),
      option.argChoices ? `one of ${option.argChoices.join(", ")}` : undefined,
      defaultOf(option),
    ].filter((note) => note !== undefined);
    return notes.length > 0 ? `${option.description} (${notes.join("; ")})` : option.description;
  }
}

/** An option's default as its help states it; `.default(undefined, "2")` describes one the engine picks. */
function defaultOf(option: Option): string | undefined {
  if (option.isBoolean()) return undefined;
  const shown = option.defaultValueDescription ?? (option.defaultValue === undefined ? undefined : String(option.defaultValue));
  return shown === undefined ? undefined : `default ${shown}`;
}

function commandPath(command: Command): string[] {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names;
}

/**
 * A command's declaration, to which the command adds its options and arguments. `within` names the commands above it
 * (`["models"]` for `guardbench models pull`); they only give the usage line its words. Positional arguments are
 * refused unless the command declares them.
 */
export function defineCommand(name: string, text: CommandText, within: readonly string[] = []): Command {
  const command = new Command(name).summary(text.summary).description(text.description).allowExcessArguments(false).helpCommand(false);
  command.createHelp = () => new GuardbenchHelp();
  const { after } = text;
  if (after !== undefined) command.addHelpText("after", () => `\n${new GuardbenchHelp().wrap(after, helpWidth(command), 0)}`);
  let child = command;
  for (const parentName of [...within].reverse().concat("guardbench")) {
    const parent = new Command(parentName);
    parent.addCommand(child);
    child = parent;
  }
  return command;
}

/** Adds options declared elsewhere (the shared ones in options.ts), in order. */
export function withOptions(command: Command, ...options: Option[]): Command {
  for (const option of options) command.addOption(option);
  return command;
}

export interface CommandLine<Values> {
  values: Values;
  /** the positional arguments, in the order the declaration names them */
  operands: string[];
  /** whether an option (`--endpoint-kind`) was given on the command line, not merely defaulted */
  given(flag: `--${string}`): boolean;
}

/**
 * Parses `args` by the declaration. A usage mistake throws CliUsageError (the CLI prints it with the usage, exit 2);
 * `--help` prints the help on standard output and throws CliExit(0).
 *
 * Required options are checked after commander has read the whole line, so an unknown option (often a mistyped
 * required one) or a stray argument is named first.
 */
export function parseCommandLine<Values extends object>(command: Command, args: readonly string[], io: Pick<CliIo, "stdout">): CommandLine<Values> {
  // Help arrives in pieces; it goes out in one write, so a reader that stops early (`| head`) sees all it asked for.
  let help = "";
  routeOutput(command, io.stdout, (text) => {
    help += text;
  });
  command.exitOverride();
  const required = command.options.filter((option) => option.mandatory);
  for (const option of required) option.makeOptionMandatory(false);
  requiredWhileParsing.set(command, required);
  try {
    command.parse(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) throw asUsageMistake(command, error);
    throw error;
  } finally {
    if (help !== "") io.stdout.write(help);
    for (const option of required) option.makeOptionMandatory(true);
    requiredWhileParsing.delete(command);
  }
  const missing = required.find((option) => command.getOptionValue(option.attributeName()) === undefined);
  if (missing) throw new CliUsageError(`${missing.long} is required`);
  return {
    values: command.opts<Values>(),
    operands: command.args,
    given: (flag) => {
      const option = command.options.find((declared) => declared.long === flag);
      return option !== undefined && command.getOptionValueSource(option.attributeName()) === "cli";
    },
  };
}

/** Commander's complaint in the CLI's words: `--help` ends the command; anything else is a usage mistake. */
function asUsageMistake(command: Command, error: CommanderError): Error {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version") return new CliExit(error.exitCode);
  if (error.code === "commander.missingArgument") {
    const missing = command.registeredArguments.filter((argument, index) => argument.required && command.args[index] === undefined);
    return new CliUsageError(`missing ${missing.map((argument) => argument.description).join(" and ")}`);
  }
  if (error.code === "commander.excessArguments") {
    return new CliUsageError(`unexpected argument "${command.args[command.registeredArguments.length]}"`);
  }
  return new CliUsageError(error.message.replace(/^error: /, "").replace(/\n/g, " "));
}

/** The command's whole help (description, options, the prose after them), as `--help` prints it. */
export function helpText(command: Command, stream: Writable): string {
  let text = "";
  const collect = (chunk: string) => {
    text += chunk;
  };
  routeOutput(command, stream, collect);
  command.outputHelp();
  return text.trimEnd();
}

/** Commander's words go only to `collect` (never to the process's streams), wrapped to `stream` when it is a terminal. */
function routeOutput(command: Command, stream: Writable, collect: (text: string) => void): void {
  command.configureOutput({
    writeOut: collect,
    writeErr: collect,
    // The CLI prints usage mistakes itself, as `guardbench <cmd>: <message>` and the usage.
    outputError: () => undefined,
    getOutHelpWidth: () => columnsOf(stream),
    getErrHelpWidth: () => columnsOf(stream),
  });
}

const DEFAULT_HELP_WIDTH = 80;

function columnsOf(stream: Writable): number {
  const terminal = stream as Partial<NodeJS.WriteStream>;
  return terminal.isTTY && terminal.columns ? terminal.columns : DEFAULT_HELP_WIDTH;
}

function helpWidth(command: Command): number {
  return command.configureOutput().getOutHelpWidth?.() ?? DEFAULT_HELP_WIDTH;
}
