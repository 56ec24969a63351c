/**
 * Inputs that used to crash or abort a whole command (issue #11): top-k 0, turns far longer than any context, a `null`
 * line in a dataset, Ctrl+C while a model loads. Real child processes for the CLI, AppHost with the real engine worker,
 * the programmed fixture model on llama.cpp.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TURN_CHARS } from "../../../shared/ipc/contract.ts";
import { EngineProcess } from "../../../electron/engine/engineProcess.ts";
import { modelsDirectory } from "../../../electron/models/paths.ts";
import { LLAMA3_TOKENS as T } from "../../fixtures/gguf/llama3Vocab.ts";
import type { ProgrammedModel } from "../../fixtures/models.ts";
import { MODEL_NAME, startWorker, type WorkerProcess } from "../../support/remote.ts";
import { jobDone, numberedRows, startTestHost, value, writeDataset, writeUnsafeS3Model, type TestHost } from "../../support/runs.ts";

const bin = join(process.cwd(), "bin", "guardbench.js");
const MODEL_ID = "local/guard.gguf";

let dir: string;
let model: ProgrammedModel;
let test: TestHost;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-crashes-"));
  model = await writeUnsafeS3Model(join(modelsDirectory(join(dir, "home")), MODEL_ID));
  await writeDataset(join(dir, "three.jsonl"), numberedRows(3, 8));
  test = startTestHost(join(dir, "home"));
  const { jobId } = value(await test.host.client().invoke("models:load", { id: MODEL_ID, family: "llama-guard-3-1b" }));
  expect((await jobDone(test, jobId)).result.ok).toBe(true);
});

afterAll(async () => {
  test?.dispose();
  await rm(dir, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function finished(child: ChildProcess): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** `guardbench …` in `dir` with its own home; `detached` puts it in its own process group, as a terminal would. */
function start(args: string[], options: { stdin?: string; home?: string; detached?: boolean } = {}): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { ...process.env, GUARDBENCH_HOME: join(dir, options.home ?? "cli-home") },
    stdio: ["pipe", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  child.stdin!.end(options.stdin ?? "");
  return child;
}

const guardbench = (args: string[], options: { stdin?: string; home?: string } = {}) => finished(start(args, options));

const classifyArgs = ["classify", "--model", "home/models/local/guard.gguf", "--family", "llama-guard-3-1b", "--cpu", "--threads", "1"];

/** Text that the Llama 3 tokenizer cuts into one token per character ("1", " ", "2", " " …). */
const oneTokenPerCharacter = (characters: number) => "1 2 3 4 5 6 7 8 ".repeat(Math.ceil(characters / 16)).slice(0, characters);

describe("top-k 0 records no alternatives (one range, 0–50, everywhere)", () => {
  it("classify:run with topK 0", async () => {
    const classified = value(await test.host.client().invoke("classify:run", { turns: [{ role: "user", content: "hello" }], options: { topK: 0 }, record: false }));
    expect(classified.result.verdict).toBe("unsafe");
    expect(classified.result.tokens.length).toBeGreaterThan(0);
    for (const token of classified.result.tokens) expect(token.top).toEqual([]);
  });

  it("guardbench classify --top-k 0 (it used to accept only 1–50) and run --top-k 0", async () => {
    const classified = await guardbench([...classifyArgs, "--top-k", "0"], { stdin: "User: hello" });
    expect(classified.stderr).toMatch(/^recorded in History as item \d+\n$/);
    expect(classified.code).toBe(0);
    expect(JSON.parse(classified.stdout).tokens.map((t: { top: unknown[] }) => t.top)).toEqual([[], [], [], [], []]);

    const ran = await guardbench(["run", "--dataset", "three.jsonl", "--model", "home/models/local/guard.gguf", "--family", "llama-guard-3-1b", "--cpu", "--threads", "1", "--top-k", "0"]);
    expect(ran.stderr).toMatch(/run \d+ done: 3 scored, 0 failed/);
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim().split("\n").map((line) => JSON.parse(line).verdict)).toEqual(["unsafe", "unsafe", "unsafe"]);
  });

  it.each([
    ["classify", "51"],
    ["run", "-1"],
    ["classify", "2.5"],
    ["run", ""],
  ])("%s refuses --top-k %j with the one range", async (command, topK) => {
    const { code, stderr } = await guardbench([command, "--model", "m.gguf", ...(command === "run" ? ["--dataset", "d.jsonl"] : []), `--top-k=${topK}`]);
    expect(stderr).toContain(`--top-k must be a whole number from 0 to 50, not "${topK}"`);
    expect(code).toBe(2);
  });

  describe("guardbench worker", () => {
    let worker: WorkerProcess;

    beforeAll(async () => {
      worker = await startWorker(model.path);
    });

    afterAll(async () => {
      await worker?.stop();
    });

    it("answers /v1/completions without logprobs (it answered HTTP 500), and with logprobs 0", async () => {
      const complete = (extra: object) =>
        fetch(`${worker.url}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: MODEL_NAME, prompt: [T.endHeader], max_tokens: 8, temperature: 0, ...extra }),
        });
      const plain = await complete({});
      expect(plain.status).toBe(200);
      const plainBody = (await plain.json()) as { choices: Array<{ text: string; logprobs: unknown; finish_reason: string }> };
      expect(plainBody.choices[0]).toMatchObject({ text: "\n\nunsafe\nS3", logprobs: null, finish_reason: "stop" });

      const zero = await complete({ logprobs: 0 });
      expect(zero.status).toBe(200);
      const zeroBody = (await zero.json()) as { choices: Array<{ logprobs: { tokens: string[]; top_logprobs: Array<Record<string, number>> } }> };
      // vLLM's layout: with logprobs 0, each position lists only the chosen token.
      const { tokens, top_logprobs } = zeroBody.choices[0]!.logprobs;
      expect(top_logprobs.map((top) => Object.keys(top))).toEqual(tokens.map((token) => [token]));
    });
  });
});

describe("turns far beyond the context say so, instead of overflowing the call stack", () => {
  it.each([
    ["1 MB", 1_000_000],
    ["5 MB", 5_000_000],
  ])("guardbench classify with a %s turn is refused by the contract's size limit, as the app's page is", async (_size, characters) => {
    const { code, stdout, stderr } = await guardbench(classifyArgs, { stdin: `User: ${oneTokenPerCharacter(characters)}` });
    expect(stderr).not.toMatch(/call stack|unexpected error/);
    expect(stderr).toMatch(new RegExp(`a turn may hold at most ${MAX_TURN_CHARS} characters, more than any model's context holds: shorten the conversation`));
    expect(stdout).toBe("");
    expect(code).toBe(1);
  });

  it("guardbench classify with a turn just inside the size limit says the prompt is too long for the context", async () => {
    const { code, stdout, stderr } = await guardbench(classifyArgs, { stdin: `User: ${oneTokenPerCharacter(MAX_TURN_CHARS - 10)}` });
    expect(stderr).not.toMatch(/call stack|unexpected error/);
    expect(stderr).toMatch(/the prompt is \d+ tokens but this model's context holds \d+/);
    expect(stderr).toMatch(/Shorten the conversation/);
    expect(stdout).toBe("");
    expect(code).toBe(1);
  });

  it("classify:run and prompt:tokenize refuse a 1 MB turn by the contract's size limit", async () => {
    const turns = [{ role: "user" as const, content: oneTokenPerCharacter(1_000_000) }];
    for (const channel of ["classify:run", "prompt:tokenize"] as const) {
      const answer = await test.host.client().invoke(channel, { turns });
      expect(answer).toMatchObject({ ok: false, error: { code: "invalid-request" } });
      if (!answer.ok) expect(answer.error.message).toContain(`a turn may hold at most ${MAX_TURN_CHARS} characters`);
    }
  });

  it("classify:run says the prompt is too long, and prompt:tokenize counts it, for a turn just inside the size limit", async () => {
    // About 200k tokens: more than a spread into push() can take, and far more than the 2048-token context.
    const turns = [{ role: "user" as const, content: oneTokenPerCharacter(MAX_TURN_CHARS) }];
    const classified = await test.host.client().invoke("classify:run", { turns, record: false });
    expect(classified).toMatchObject({ ok: false, error: { code: "prompt-too-long" } });
    if (!classified.ok) expect(classified.error.message).toMatch(/the prompt is \d+ tokens but this model's context holds 2048/);

    const tokenized = value(await test.host.client().invoke("prompt:tokenize", { turns }));
    expect(tokenized.tokenCount).toBeGreaterThan(MAX_TURN_CHARS);
    expect(tokenized.pieces).toHaveLength(tokenized.tokenCount);
  });
});

describe("a dataset line that is not an object", () => {
  it("is reported with its line while every other line is classified", async () => {
    const good = (id: string) => JSON.stringify({ id, messages: [{ role: "user", content: `question ${id}` }] });
    await writeFile(join(dir, "nulls.jsonl"), [good("a"), "null", good("b"), "[1, 2]", '"just text"', "7", good("c")].join("\n"));
    const { code, stdout, stderr } = await guardbench([...classifyArgs, "--input", "nulls.jsonl"]);
    expect(stderr).not.toMatch(/unexpected error/);
    const lines = stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.id, line.line, line.verdict ?? line.error.code])).toEqual([
      ["a", 1, "unsafe"],
      [null, 2, "input-invalid"],
      ["b", 3, "unsafe"],
      [null, 4, "input-invalid"],
      [null, 5, "input-invalid"],
      [null, 6, "input-invalid"],
      ["c", 7, "unsafe"],
    ]);
    expect(lines[1].error.message).toBe('line 2 is null, not an object such as {"id": "a", "messages": [{"role": "user", "content": "…"}]}');
    expect(lines[3].error.message).toMatch(/^line 4 is an array, not an object/);
    expect(lines[4].error.message).toMatch(/^line 5 is the text "just text", not an object/);
    expect(lines[5].error.message).toMatch(/^line 6 is the number 7, not an object/);
    expect(stderr).toMatch(/classified 3 of 7 lines; 4 failed/);
    expect(code).toBe(1);
  });

  it("a file of one {messages} line is one conversation, as the same object in a .json file is", async () => {
    const record = JSON.stringify({ id: "only", messages: [{ role: "user", content: "hello" }] });
    await writeFile(join(dir, "one.jsonl"), `${record}\n`);
    await writeFile(join(dir, "one.json"), record);
    const fromLines = await guardbench([...classifyArgs, "--input", "one.jsonl"]);
    const fromJson = await guardbench([...classifyArgs, "--input", "one.json"]);
    expect(fromLines.code).toBe(0);
    const [a, b] = [JSON.parse(fromLines.stdout), JSON.parse(fromJson.stdout)];
    expect(a).not.toHaveProperty("line");
    expect({ ...a, timingsMs: undefined }).toEqual({ ...b, timingsMs: undefined });
  });
});

/** The child processes of `pid` (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Starts the command in its own process group and freezes its engine worker the moment it exists, so the command is
 * inside its model load for certain; then presses Ctrl+C for the whole group, as a terminal does, and lets the worker go.
 */
async function ctrlCDuringModelLoad(args: string[], stdin?: string): Promise<Finished> {
  const child = start(args, { detached: true, ...(stdin !== undefined ? { stdin } : {}) });
  const outcome = finished(child);
  let worker: number | undefined;
  while (worker === undefined && child.exitCode === null) {
    worker = childrenOf(child.pid!)[0];
    if (worker === undefined) await new Promise((resolve) => setImmediate(resolve));
  }
  expect(worker, "the command started no engine worker").toBeDefined();
  process.kill(worker!, "SIGSTOP");
  process.kill(-child.pid!, "SIGINT");
  try {
    process.kill(worker!, "SIGCONT");
  } catch {
    // already gone: the command stopped it
  }
  return outcome;
}

describe("Ctrl+C during model load is an interrupt, not an engine crash", () => {
  it("guardbench classify", async () => {
    const { code, stderr, stdout } = await ctrlCDuringModelLoad(classifyArgs, "User: hello");
    expect(stderr).not.toMatch(/stopped unexpectedly|damaged|crash/);
    expect(stderr).toMatch(/interrupted while loading the model/);
    expect(stdout).toBe("");
    expect(code).toBe(130);
  });

  it("guardbench run, which then continues where it stopped", async () => {
    const args = ["run", "--dataset", "three.jsonl", "--model", "home/models/local/guard.gguf", "--family", "llama-guard-3-1b", "--cpu", "--threads", "1"];
    const interrupted = await ctrlCDuringModelLoad([...args, "--new-run"]);
    // Not /crash/: the data folder's name (guardbench-crashes-…) is in the import line.
    expect(interrupted.stderr).not.toMatch(/stopped unexpectedly|damaged|crashed/);
    expect(interrupted.stderr).toMatch(/interrupted: run (\d+) has 0 of 3 results stored; run the same command again to continue/);
    expect(interrupted.code).toBe(130);

    const resumed = await guardbench(args);
    expect(resumed.stderr).toMatch(/continuing run \d+: 0 of 3 item\(s\) already have a result/);
    expect(resumed.code).toBe(0);
  });

  it("a cancelled load fails as cancelled at once, and the engine loads the next model normally", async () => {
    const engine = new EngineProcess();
    try {
      const controller = new AbortController();
      const loading = engine.load({ modelPath: model.path, family: "llama-guard-3-1b", gpu: false, threads: 1, contextSize: 512, sequences: 1 }, controller.signal);
      controller.abort();
      await expect(loading).rejects.toMatchObject({ code: "cancelled" });
      const loaded = await engine.load({ modelPath: model.path, family: "llama-guard-3-1b", gpu: false, threads: 1, contextSize: 512, sequences: 1 });
      expect(loaded.contextSize).toBe(512);
      expect((await engine.classify({ turns: [{ role: "user", content: "hi" }] })).verdict).toBe("unsafe");
    } finally {
      engine.dispose();
    }
  });
});
