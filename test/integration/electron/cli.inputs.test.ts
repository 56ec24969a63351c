/**
 * What the CLI says about input that is not what it expects (issue #11): one UTF-8 rule for every file it reads, the
 * parser's warnings printed, messages that name what a file actually is. Real child processes on real files; none of
 * these needs a model.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGuardbench } from "../../support/cli.ts";
import { writeTinyGguf } from "../../fixtures/gguf/tiny.ts";

let dir: string;

const guardbench = (args: string[]) => runGuardbench(args, { cwd: dir, home: join(dir, "home") });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-inputs-"));
  // A real (tiny) GGUF: the CLI checks the model's header before it reads the input, and none of these tests loads it.
  await writeTinyGguf(join(dir, "model.gguf"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `before`, then "café" saved as Latin-1: its byte 0xE9 is not UTF-8. */
const latin1 = (before: string) => Buffer.concat([Buffer.from(before), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from('"}]}\n')]);

describe("one UTF-8 rule for every file", () => {
  it("prompt, classify, run and eval all stop at the first byte that is not UTF-8, naming its offset and line", async () => {
    const record = '{"id": "a", "messages": [{"role": "user", "content": "fine"}]}\n{"id": "b", "messages": [{"role": "user", "content": "';
    await writeFile(join(dir, "latin1.jsonl"), latin1(record));
    const offset = Buffer.byteLength(record) + 3;
    const said = `latin1.jsonl is not UTF-8 text: the byte at offset ${offset} (line 2) is not valid UTF-8`;
    const [prompt, classify] = await Promise.all([
      guardbench(["prompt", "--family", "llama-guard-3-1b", "--input", "latin1.jsonl"]),
      guardbench(["classify", "--model", "model.gguf", "--family", "llama-guard-3-1b", "--input", "latin1.jsonl"]),
    ]);
    for (const { code, stderr, stdout } of [prompt, classify]) {
      expect(stderr).toContain(said);
      expect(stderr).toMatch(/Save the file as UTF-8/);
      expect(stdout).toBe("");
      expect(code).toBe(1);
    }
    const [run, evaluated] = await Promise.all([
      guardbench(["run", "--dataset", "latin1.jsonl", "--model", "model.gguf", "--family", "llama-guard-3-1b"]),
      guardbench(["eval", "--results", "latin1.jsonl"]),
    ]);
    // run and eval name the file by the full path they were given after resolving it.
    for (const { code, stderr } of [run, evaluated]) {
      expect(stderr).toContain(`${join(dir, "latin1.jsonl")} is not UTF-8 text: the byte at offset ${offset} (line 2) is not valid UTF-8`);
      expect(code).toBe(1);
    }
  });

  it("names UTF-16 as UTF-16 instead of saying it comes before any speaker label", async () => {
    await writeFile(join(dir, "utf16.txt"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("User: hello\n", "utf16le")]));
    const { code, stderr } = await guardbench(["prompt", "--family", "llama-guard-3-1b", "--input", "utf16.txt"]);
    expect(stderr).toContain("utf16.txt is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8");
    expect(stderr).toMatch(/Save it as UTF-8/);
    expect(stderr).not.toMatch(/speaker label/);
    expect(code).toBe(1);
  });
});

describe("what the classifier does not see is said", () => {
  it("prompt prints the parser's and the role rules' warnings on standard error, the prompt alone on standard output", async () => {
    const chat = JSON.stringify([
      { role: "system", content: "Be helpful." },
      { role: "user", content: "How do I pick a lock?" },
      { role: "tool", content: "{}" },
      { role: "assistant", content: "" },
    ]);
    await writeFile(join(dir, "chat.json"), chat);
    const { code, stdout, stderr } = await guardbench(["prompt", "--family", "llama-guard-3-1b", "--input", "chat.json"]);
    expect(code).toBe(0);
    const warnings = stderr.trim().split("\n");
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^warning: chat\.json: Message 3 \(line 1\): skipped the "tool" message/);
    expect(warnings[1]).toMatch(/^warning: chat\.json: Message 4 \(line 1\): the last assistant turn is empty, so it is left out: the user turn before it is classified as a prompt, not a reply/);
    expect(warnings[2]).toMatch(/^warning: chat\.json: Left out system turn 1/);
    // Prompt classification: the task names the user's message, and no agent turn is rendered.
    expect(stdout).toContain("'User' messages in conversations");
    expect(stdout).not.toMatch(/^Agent:/m);
  });
});

describe("messages that say what a file is", () => {
  it.each([
    ["[1,2,3]", /Message 1 \(line 1\): expected a message object .*, found the number 1/],
    ["null", /or an object with a "messages" array, but found null/],
    ['"a JSON string"', /but found the text "a JSON string"/],
    ["Moderator: hello\nUser: hi\n", /"Moderator:" is not a speaker label Guardbench knows\. Start each turn with one of "User:", "Human:", "Assistant:", "AI:"/],
  ])("prompt --input %j", async (content, message) => {
    await writeFile(join(dir, "odd.txt"), content);
    const { code, stderr } = await guardbench(["prompt", "--family", "llama-guard-3-1b", "--input", "odd.txt"]);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/comes before any speaker label/);
    expect(code).toBe(1);
  });

  it("a .txt dataset: run says to pass --format, which it has, and reads the file with it", async () => {
    await writeFile(join(dir, "data.txt"), '{"id": "a", "messages": [{"role": "user", "content": "hi"}]}\n');
    const guessed = await guardbench(["run", "--dataset", "data.txt", "--model", "model.gguf", "--family", "llama-guard-3-1b"]);
    expect(guessed.stderr).toContain("cannot tell the format of");
    expect(guessed.stderr).toContain("or pass --format jsonl, csv or json");
    expect(guessed.code).toBe(1);
    // --resume stops right after the import (no earlier run), before any model is loaded.
    const given = await guardbench(["run", "--dataset", "data.txt", "--format", "jsonl", "--model", "model.gguf", "--family", "llama-guard-3-1b", "--resume"]);
    expect(given.stderr).toMatch(/imported 1 item\(s\) from .*data\.txt as dataset \d+/);
    expect(given.stderr).toMatch(/--resume: no earlier run of this command/);
    const wrong = await guardbench(["run", "--dataset", "data.txt", "--format", "txt", "--model", "model.gguf"]);
    expect(wrong.stderr).toContain('--format must be jsonl, csv, json, not "txt"');
    expect(wrong.code).toBe(2);
  });

  it("eval --labels with a .txt file says to rename it", async () => {
    await writeFile(join(dir, "results.jsonl"), '{"id": "a", "score": 0.5}\n');
    const { code, stderr } = await guardbench(["eval", "--results", "results.jsonl", "--labels", "data.txt"]);
    expect(stderr).toMatch(/cannot read the labels in data\.txt: cannot tell the format of .*; --labels takes a \.jsonl or \.json dataset, so rename the file/);
    expect(code).toBe(1);
  });
});
