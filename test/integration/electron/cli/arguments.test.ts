/**
 * The CLI's arguments come from one commander declaration per command: `--help` is generated from it, shared options
 * (`--top-k`, `--check` …) accept the same values everywhere, and usage mistakes are answered as
 * `guardbench <cmd>: <message>` with the usage and exit code 2. Run in-process through `main` with the test's own
 * streams, which also shows that commander writes nowhere else and never exits the process.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import type { Command } from "commander";
import { main } from "../../../../electron/cli/index.ts";
import type { CliCommand } from "../../../../electron/cli/command.ts";
import { promptCommand } from "../../../../electron/cli/commands/prompt.ts";
import { classifyCommand } from "../../../../electron/cli/commands/classify.ts";
import { evalCommand } from "../../../../electron/cli/commands/eval.ts";
import { runCommand } from "../../../../electron/cli/commands/run.ts";
import { labelCommand } from "../../../../electron/cli/commands/label.ts";
import { modelsCommand } from "../../../../electron/cli/commands/models.ts";
import { serveCommand } from "../../../../electron/cli/commands/serve.ts";
import { workerCommand } from "../../../../electron/cli/commands/worker.ts";

class Collected extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "guardbench-cli-arguments-"));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function guardbench(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Collected();
  const stderr = new Collected();
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(argv, { stdin, stdout, stderr, env: { ...process.env, GUARDBENCH_HOME: join(home, "home") }, cwd: home });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

// Commander must speak only through the CliIo streams, and leave exiting to the CLI's caller.
let processWrites: ReturnType<typeof vi.spyOn>[] = [];
beforeEach(() => {
  processWrites = [vi.spyOn(process.stdout, "write"), vi.spyOn(process.stderr, "write"), vi.spyOn(process, "exit").mockImplementation(() => undefined as never)];
});
afterEach(() => {
  for (const spy of processWrites) {
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  }
});

const commands: [string, CliCommand][] = [
  ["prompt", promptCommand],
  ["classify", classifyCommand],
  ["eval", evalCommand],
  ["run", runCommand],
  ["label", labelCommand],
  ["serve", serveCommand],
  ["worker", workerCommand],
];
const modelSubcommands = modelsCommand.declare().commands.map((command): [string, Command] => [command.name(), command]);

/** A help text with its line wrapping undone, so a phrase split across lines is still found. */
function unwrapped(help: string): string {
  return help.replace(/\s+/g, " ");
}

describe("--help is generated from each command's declaration", () => {
  it.each(commands)("guardbench %s --help lists every declared option with its description and the required ones in its usage line", async (name, command) => {
    const declaration = command.declare();
    const { code, stdout, stderr } = await guardbench(name, "--help");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const required = declaration.options.filter((option) => option.mandatory).map((option) => option.flags);
    // A command whose inputs are alternatives (eval: --results or --run) declares its own usage; the rest end in [options].
    expect(stdout.split("\n")[0]).toBe(["Usage: guardbench", name, ...required, declaration.usage()].join(" "));
    expect(unwrapped(stdout)).toContain(unwrapped(declaration.description()));
    for (const option of declaration.options) {
      expect(stdout).toContain(`  ${option.flags}  `);
      expect(unwrapped(stdout)).toContain(unwrapped(option.description));
    }
  });

  it.each(modelSubcommands)("guardbench models %s --help is that subcommand's declaration, arguments included", async (name, declaration) => {
    const { code, stdout, stderr } = await guardbench("models", name, "--help");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe(`Usage: guardbench models ${name} ${declaration.usage()}`);
    for (const option of declaration.options) expect(unwrapped(stdout)).toContain(unwrapped(option.description));
    for (const argument of declaration.registeredArguments) expect(unwrapped(stdout)).toContain(`${argument.name()} ${unwrapped(argument.description)}`);
  });

  it("states ranges, allowed values and defaults beside the option they belong to", async () => {
    const { stdout } = await guardbench("run", "--help");
    const help = unwrapped(stdout);
    expect(help).toContain("--top-k <n> alternatives recorded per generated token; 0 records none (a whole number, 0 to 50; default 5)");
    expect(help).toContain("--threshold <p> P(unsafe) at or above which a result is flagged (0 to 1; default 0.5)");
    expect(help).toContain("(one of last, prompt, response; default last)");
    expect(help).toContain("--endpoint-concurrency <n> classifications in flight per endpoint (a whole number, 1 to 64; default 4)");
    expect(help).toContain("Exit status: 0 when every item was scored");
  });

  it("guardbench --help lists every command with its declared summary; guardbench models --help lists the subcommands", async () => {
    const { code, stdout } = await guardbench("--help");
    expect(code).toBe(0);
    for (const [name, command] of [...commands, ["models", modelsCommand] as const]) expect(unwrapped(stdout)).toMatch(new RegExp(` ${name} (\\[options\\] )?${escape(command.declare().summary())}`));
    const models = await guardbench("models", "--help");
    expect(models.code).toBe(0);
    for (const [name, declaration] of modelSubcommands) expect(unwrapped(models.stdout)).toContain(`${name} ${declaration.usage()} ${declaration.summary()}`);
  });

  it("prints the version, and help with exit code 2 when no command is given", async () => {
    expect((await guardbench("--version")).stdout).toMatch(/^guardbench \d+\.\d+\.\d+\n$/);
    const bare = await guardbench();
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain("Usage: guardbench <command> [options]");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("--top-k has one range, 0 to 50, in classify and run", () => {
  const dataset = ["--dataset", "data.jsonl"];

  it.each([
    ["classify", []],
    ["run", dataset],
  ])("%s refuses 51, -1 and 2.5 as a usage mistake", async (name, extra) => {
    for (const topK of ["51", "-1", "2.5"]) {
      const { code, stderr } = await guardbench(name, "--model", "m.gguf", ...extra, "--top-k", topK);
      expect(stderr).toMatch(new RegExp(`^guardbench ${name}: --top-k must be a whole number from 0 to 50, not "${escape(topK)}"\\n\\nUsage: guardbench ${name} `));
      expect(code).toBe(2);
    }
  });

  it.each([
    ["classify", []],
    ["run", dataset],
  ])("%s takes 0 and 50, and goes on to look for the model", async (name, extra) => {
    for (const topK of ["0", "50"]) {
      const { code, stderr } = await guardbench(name, "--model", "m.gguf", ...extra, "--top-k", topK);
      expect(stderr).toContain("--model m.gguf: there is no such file");
      expect(code).toBe(1);
    }
  });

  it("both commands carry the same --top-k line in their help", async () => {
    const line = (help: string) => unwrapped(help).match(/--top-k <n> [^)]*\)/)?.[0];
    const classify = line((await guardbench("classify", "--help")).stdout);
    expect(classify).toBeDefined();
    expect(line((await guardbench("run", "--help")).stdout)).toBe(classify);
  });
});

describe("usage mistakes", () => {
  it.each([
    [["prompt", "--family", "llama-guard-3-1b", "--check", "everything"], 'guardbench prompt: --check must be last, prompt or response, not "everything"'],
    [["classify", "--model", "m.gguf", "--family", "llama-guard-9"], 'guardbench classify: unknown family "llama-guard-9"; choose one of llama-guard-1, llama-guard-2, llama-guard-3-8b, llama-guard-3-1b, llama-guard-4, chat-judge, shieldgemma, granite-guardian-3.0, granite-guardian-3.1, granite-guardian-3.2, granite-guardian-3.3, wildguard, qwen3guard, nemoguard-content-safety, gpt-oss-safeguard, custom-guard'],
    [["run", "--dataset", "d.jsonl", "--model", "m.gguf", "--endpoint-kind", "vllm"], 'guardbench run: --endpoint-kind must be openai-completions or llama-server, not "vllm"'],
    [["run", "--dataset", "d.txt", "--model", "m.gguf", "--format", "txt"], 'guardbench run: --format must be jsonl, csv, json, not "txt"'],
    [["label", "--dataset", "1", "--item", "a", "--label", "maybe"], 'guardbench label: --label must be unsafe or safe, not "maybe"'],
  ])("a value outside the allowed ones: %j", async (argv, message) => {
    const { code, stderr } = await guardbench(...argv);
    expect(stderr.split("\n")[0]).toBe(message);
    expect(stderr).toContain(`\n\nUsage: guardbench ${argv[0]} `);
    expect(code).toBe(2);
  });

  it.each([
    [["classify"], "guardbench classify: --model is required", "Usage: guardbench classify --model <file|id> [options]"],
    [["run", "--model", "m.gguf"], "guardbench run: --dataset is required", "Usage: guardbench run --dataset <file> --model <file|id> [options]"],
    [["eval", "--threshold", "0.4"], "guardbench eval: --results is required (or --run ID, a stored run, or --runs ID,ID,… side by side)", "Usage: guardbench eval (--results <file> | --run <id> | --runs <id,id,…>) [options]"],
    [["label", "--dataset", "1", "--item", "a"], "guardbench label: --label is required", "Usage: guardbench label --dataset <id|name> --item <id> --label <label> [options]"],
    [["worker"], "guardbench worker: --model is required", "Usage: guardbench worker --model <file> [options]"],
    [["prompt"], "guardbench prompt: --family is required", "Usage: guardbench prompt --family <family> [options]"],
  ])("a missing required option: %j", async (argv, message, usage) => {
    const { code, stderr, stdout } = await guardbench(...argv);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toBe(message);
    expect(stderr).toContain(`\n\n${usage}\n`);
    expect(code).toBe(2);
  });

  it("names an unknown option (with the likely one) before a required option it may have been meant as", async () => {
    const { code, stderr } = await guardbench("eval", "--resuls", "results.jsonl");
    expect(stderr.split("\n")[0]).toBe("guardbench eval: unknown option '--resuls' (Did you mean --results?)");
    expect(code).toBe(2);
  });

  it("refuses arguments a command does not take, and names what a models subcommand is missing", async () => {
    expect((await guardbench("eval", "results.jsonl")).stderr.split("\n")[0]).toBe('guardbench eval: unexpected argument "results.jsonl"');
    const pull = await guardbench("models", "pull");
    expect(pull.stderr.split("\n")[0]).toBe("guardbench models: missing a repo (the model repo, optionally at a branch, tag or commit; default: main) and a file (its path in the repo, e.g. Llama-Guard-3-1B.Q4_K_M.gguf)");
    expect(pull.stderr).toContain("\n\nUsage: guardbench models pull [options] <owner/name[@revision]> <file>\n");
    expect(pull.code).toBe(2);
    const rmTwo = await guardbench("models", "rm", "a", "b");
    expect(rmTwo.stderr.split("\n")[0]).toBe('guardbench models: unexpected argument "b"');
    expect(rmTwo.code).toBe(2);
    const unknown = await guardbench("models", "prune");
    expect(unknown.stderr).toMatch(/^guardbench models: unknown subcommand "prune"\n\nUsage: guardbench models \[options\] \[command\]/);
    expect(unknown.code).toBe(2);
  });

  it("an option given without its value", async () => {
    const { code, stderr } = await guardbench("classify", "--model");
    expect(stderr.split("\n")[0]).toBe("guardbench classify: option '--model <file|id>' argument missing");
    expect(code).toBe(2);
  });

  it("a mistake found after parsing is still shown with the command's usage", async () => {
    const { code, stderr } = await guardbench("run", "--dataset", "d.jsonl", "--model", "m.gguf", "--resume", "--new-run");
    expect(stderr).toMatch(/^guardbench run: --resume and --new-run contradict each other; choose one\n\nUsage: guardbench run /);
    expect(code).toBe(2);
  });
});
