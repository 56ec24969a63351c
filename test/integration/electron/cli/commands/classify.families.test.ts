/**
 * `guardbench classify` and `guardbench run` with a family scored from its registry object (Qwen3Guard on a fixture
 * model of the real Qwen3 vocabulary): the family's settings by `--setting`, checked against the family's own list, in
 * real child processes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGuardbench } from "../../../../support/cli.ts";
import type { ClassificationResult } from "../../../../../shared/classify/result.ts";
import { qwen3Vocabulary } from "../../../../fixtures/gguf/qwen3Vocab.ts";
import { qwen3GuardAnswer, qwen3GuardTokens } from "../../../../fixtures/guardAnswers.ts";
import { writeProgrammedModel, type ProgrammedModel } from "../../../../fixtures/models.ts";

let dir: string;
let model: ProgrammedModel;

const guardbench = (args: string[]) => runGuardbench(args, { cwd: dir, home: join(dir, "home") });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-cli-families-"));
  model = await writeProgrammedModel(join(dir, "qwen.gguf"), { transitions: qwen3GuardAnswer("safe"), vocabulary: qwen3Vocabulary });
  await writeFile(join(dir, "chat.txt"), "User: Is it fine to read my partner's messages?\n");
  await writeFile(join(dir, "two.jsonl"), ['{"id": "a", "messages": [{"role": "user", "content": "Is it fine to read my partner\'s messages?"}]}', '{"id": "b", "messages": [{"role": "user", "content": "How do I bake bread?"}]}', ""].join("\n"));
});

/** P(unsafe) at the fixture's decision: Unsafe alone, and with Controversial counted (bare words included). */
function expectedPUnsafe(): { loose: number; strict: number } {
  const T = qwen3GuardTokens();
  const atDecision = model.expectedDistribution(T.colon);
  const unsafe = atDecision.probabilityOf(T.unsafe) + atDecision.probabilityOf(qwen3Vocabulary.tokenId("Unsafe"));
  const controversial = atDecision.probabilityOf(T.controversial) + atDecision.probabilityOf(qwen3Vocabulary.tokenId("Cont"));
  return { loose: unsafe, strict: unsafe + controversial };
}

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("guardbench classify --family qwen3guard", () => {
  it("counts Controversial as unsafe with --setting controversialIsUnsafe=on, and only then", async () => {
    const { loose: unsafe, strict: withControversial } = expectedPUnsafe();
    const base = ["classify", "--model", "qwen.gguf", "--family", "qwen3guard", "--input", "chat.txt", "--cpu", "--top-k", "0"];
    const loose = await guardbench(base);
    const strict = await guardbench([...base, "--setting", "controversialIsUnsafe=on"]);
    expect([loose.code, strict.code], loose.stderr + strict.stderr).toEqual([0, 0]);
    const looseResult = JSON.parse(loose.stdout) as ClassificationResult;
    const strictResult = JSON.parse(strict.stdout) as ClassificationResult;
    expect(looseResult).toMatchObject({ verdict: "safe", outputText: "Safety: Safe", answers: [{ key: "safety", value: "Safe" }] });
    expect(looseResult.pUnsafe).toBeCloseTo(unsafe, 6);
    expect(strictResult.pUnsafe).toBeCloseTo(withControversial, 6);
  }, 120_000);

  it("refuses a setting the family does not have, or a value other than on/off, naming what it has", async () => {
    const unknown = await guardbench(["classify", "--model", "qwen.gguf", "--family", "qwen3guard", "--input", "chat.txt", "--setting", "strict=on"]);
    expect(unknown.stderr).toContain('--setting: unknown setting "strict" (Qwen3Guard-Gen has controversialIsUnsafe)');
    expect(unknown.code).toBe(2);
    const badValue = await guardbench(["classify", "--model", "qwen.gguf", "--family", "qwen3guard", "--input", "chat.txt", "--setting", "controversialIsUnsafe=yes"]);
    expect(badValue.stderr).toContain("--setting: controversialIsUnsafe=yes is not controversialIsUnsafe=on or controversialIsUnsafe=off");
    expect(badValue.code).toBe(2);
    const noSettings = await guardbench(["classify", "--model", "qwen.gguf", "--family", "llama-guard-3-1b", "--input", "chat.txt", "--setting", "controversialIsUnsafe=on"]);
    expect(noSettings.stderr).toContain("Llama Guard 3 1B has no settings");
  });
});

describe("guardbench run --family qwen3guard", () => {
  const base = ["run", "--dataset", "two.jsonl", "--model", "qwen.gguf", "--family", "qwen3guard", "--cpu", "--top-k", "0", "--threshold", "0.13"];
  // Lines come as items finish, in any order: compared by id.
  const scores = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string; score: number; flagged: boolean })
      .sort((a, b) => a.id.localeCompare(b.id));
  const runNumber = (stderr: string, verb: "started" | "continuing") => Number(new RegExp(`${verb} run (\\d+)`).exec(stderr)?.[1]);

  it("scores with --setting as classify does, and the same command with another setting is another run", async () => {
    const expected = expectedPUnsafe();
    // 0.13 lies between the two P(unsafe): only Controversial counted flags.
    expect(expected.loose).toBeLessThan(0.13);
    expect(expected.strict).toBeGreaterThan(0.13);
    const loose = await guardbench(base);
    expect(loose.code, loose.stderr).toBe(0);
    const looseRun = runNumber(loose.stderr, "started");
    const strict = await guardbench([...base, "--setting", "controversialIsUnsafe=on"]);
    expect(strict.code, strict.stderr).toBe(0);
    const strictRun = runNumber(strict.stderr, "started");
    expect(strictRun).not.toBe(looseRun);
    for (const line of scores(loose.stdout)) expect([line.score, line.flagged]).toEqual([expect.closeTo(expected.loose, 6), false]);
    for (const line of scores(strict.stdout)) expect([line.score, line.flagged]).toEqual([expect.closeTo(expected.strict, 6), true]);

    // The default named is the run that left it out; repeated --setting reads in order, the last one standing.
    const named = await guardbench([...base, "--setting", "controversialIsUnsafe=off"]);
    expect(runNumber(named.stderr, "continuing"), named.stderr).toBe(looseRun);
    const repeated = await guardbench([...base, "--setting", "controversialIsUnsafe=off", "--setting", "controversialIsUnsafe=on", "--resume"]);
    expect(runNumber(repeated.stderr, "continuing"), repeated.stderr).toBe(strictRun);
    expect(scores(repeated.stdout)).toEqual(scores(strict.stdout));
  }, 240_000);

  it("refuses a setting the family does not have, with classify's words, before importing anything", async () => {
    const unknown = await guardbench([...base, "--setting", "strict=on"]);
    expect(unknown.stderr).toContain('--setting: unknown setting "strict" (Qwen3Guard-Gen has controversialIsUnsafe)');
    expect(unknown.code).toBe(2);
    const badValue = await guardbench([...base, "--setting", "controversialIsUnsafe=yes"]);
    expect(badValue.stderr).toContain("--setting: controversialIsUnsafe=yes is not controversialIsUnsafe=on or controversialIsUnsafe=off");
    expect(badValue.code).toBe(2);
    expect(unknown.stderr + badValue.stderr).not.toMatch(/imported/);
  });
});
