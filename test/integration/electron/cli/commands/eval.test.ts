/** `guardbench eval` as a user runs it: a real child process on real files. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGuardbench } from "../../../../support/cli.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

let dir: string;

const guardbench = (args: string[]) => runGuardbench(args, { cwd: dir });

const lines = (...objects: unknown[]) => objects.map((object) => (typeof object === "string" ? object : JSON.stringify(object))).join("\n") + "\n";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-eval-"));
  // scikit-learn's documented example (y_true [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]), plus a failed and an unlabeled line.
  // At threshold 0.5: flagged 0.8+ (tp); 0.35+ is fn; 0.4− and 0.1− are tn → P 1/1, R 1/2, F1 2/(2+0+1) = 2/3, FPR 0/2.
  // AUPRC = 5/6 (worked out in test/unit/shared/metrics.test.ts).
  await writeFile(
    join(dir, "results.jsonl"),
    lines(
      { id: "a", label: "safe", score: 0.1 },
      { id: "b", label: "safe", score: 0.4 },
      { id: "c", label: "unsafe", score: 0.35 },
      { id: "d", label: "unsafe", score: 0.8 },
      { id: "e", line: 5, error: { code: "engine-crashed", message: "the inference worker stopped" } },
      { id: "f", score: 0.7 },
    ),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("guardbench eval", () => {
  it("prints the metrics and counts as a table, listing skipped lines", async () => {
    const { code, stdout, stderr } = await guardbench(["eval", "--results", "results.jsonl"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("results.jsonl: 4 item(s) evaluated at threshold 0.5, 2 line(s) skipped");
    expect(stdout).toMatch(/precision\s+1\.0000/);
    expect(stdout).toMatch(/recall\s+0\.5000/);
    expect(stdout).toMatch(/f1\s+0\.6667/);
    expect(stdout).toMatch(/fpr\s+0\.0000/);
    expect(stdout).toMatch(/auprc\s+0\.8333/);
    expect(stdout).toMatch(/flagged\s+tp 1\s+fp 0/);
    expect(stdout).toMatch(/not flagged\s+fn 1\s+tn 2/);
    expect(stdout).toContain("line 5: skipped, its classification failed (engine-crashed): the inference worker stopped");
    expect(stdout).toContain('line 6: skipped, it has no "label"');
  });

  it("prints one JSON object with exactly precision, recall, f1, fpr, auprc and counts under --json", async () => {
    const { code, stdout, stderr } = await guardbench(["eval", "--results", "results.jsonl", "--json", "--threshold", "0.4"]);
    expect(code).toBe(0);
    // threshold 0.4 flags 0.8+ and 0.4− → tp1 fp1 fn1 tn1
    const output = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(output)).toEqual(["precision", "recall", "f1", "fpr", "auprc", "counts"]);
    expect(output).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, fpr: 0.5, auprc: expect.closeTo(5 / 6, 12), counts: { tp: 1, fp: 1, tn: 1, fn: 1, total: 4, skipped: 2 } });
    expect(stdout.trim().split("\n")).toHaveLength(1);
    // the skipped lines are still reported, on standard error
    expect(stderr).toContain("line 5: skipped");
  });

  it("writes null for an undefined metric and says why on standard error", async () => {
    await writeFile(join(dir, "all-safe.jsonl"), lines({ id: "a", label: "safe", score: 0.9 }, { id: "b", label: "safe", score: 0.1 }));
    const { code, stdout, stderr } = await guardbench(["eval", "--results", "all-safe.jsonl", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ precision: 0, recall: null, f1: 0, fpr: 0.5, auprc: null, counts: { tp: 0, fp: 1, tn: 1, fn: 0, total: 2, skipped: 0 } });
    expect(stderr).toMatch(/recall n\/a: recall is undefined: no item is labeled unsafe/);
    expect(stderr).toMatch(/auprc n\/a: AUPRC is undefined/);
    const table = await guardbench(["eval", "--results", "all-safe.jsonl"]);
    expect(table.stdout).toMatch(/recall\s+n\/a/);
  });

  it("reads classify's output (pUnsafe, no label) with labels joined by id from --labels", async () => {
    await writeFile(
      join(dir, "classified.jsonl"),
      lines(
        { id: "x1", line: 1, verdict: "unsafe", categories: ["S2"], pUnsafe: 0.91, score: 0.91, flagged: true },
        { id: "x2", line: 2, verdict: "safe", categories: [], pUnsafe: 0.2 },
        { id: "x3", line: 3, error: { code: "input-invalid", message: "line 3 is not valid JSON" } },
        { id: "x4", line: 4, verdict: "safe", categories: [], pUnsafe: 0.3 },
      ),
    );
    await writeFile(
      join(dir, "data.jsonl"),
      lines(
        { id: "x1", messages: [{ role: "user", content: "a" }], label: "unsafe" },
        { id: "x2", messages: [{ role: "user", content: "b" }], label: "safe" },
        { id: "x4", messages: [{ role: "user", content: "d" }] },
      ),
    );
    const { code, stdout, stderr } = await guardbench(["eval", "--results", "classified.jsonl", "--labels", "data.jsonl", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ precision: 1, recall: 1, counts: { tp: 1, fp: 0, tn: 1, fn: 0, total: 2, skipped: 2 } });
    expect(stderr).toContain("line 3: skipped, its classification failed (input-invalid)");
    expect(stderr).toContain('line 4: skipped, it has no label, and --labels has none for the id "x4"');
  });

  it.each([
    ["not JSON", lines({ id: "a", label: "safe", score: 0.1 }, "{oops"), /bad\.jsonl line 2 is not JSON/],
    ["no score", lines({ id: "a", label: "safe", verdict: "safe" }), /bad\.jsonl line 1 has no score: expected a number in "score" or "pUnsafe"/],
    ["a score outside 0..1", lines({ id: "a", label: "safe", score: 3.2 }), /line 1 has the score 3\.2; scores are probabilities/],
    ["an unreadable label", lines({ id: "a", label: "toxic", score: 0.2 }), /bad\.jsonl line 1: the label "toxic" is not one of/],
    ["a repeated id", lines({ id: "a", label: "safe", score: 0.2 }, { id: "a", label: "safe", score: 0.3 }), /line 2 repeats the id "a" of line 1/],
    ["a number id repeated as text", lines({ id: 7, label: "safe", score: 0.2 }, { id: "7", label: "safe", score: 0.3 }), /line 2 repeats the id "7" of line 1/],
    ["a repeated object id", lines({ id: { a: 1, b: [2] }, label: "safe", score: 0.2 }, { id: { b: [2], a: 1 }, label: "safe", score: 0.3 }), /line 2 repeats the id \{"a":1,"b":\[2\]\} of line 1/],
    ["a score too large for a number", lines('{"id": "a", "label": "safe", "score": 1e400}'), /bad\.jsonl line 1 has a "score" that is not a finite number \(a value such as 1e400 is too large to hold\)/],
    ["a score written as text", lines({ id: "a", label: "safe", score: "0.4" }), /bad\.jsonl line 1 has the text "0\.4" as its "score", not a number/],
    ["no usable line", lines({ id: "a", score: 0.2 }), /no line of bad\.jsonl has both a score and a label[\s\S]*line 1: skipped/],
    ["an empty file", "", /the file has no result lines/],
  ])("fails with the line when the results have %s", async (_what, content, message) => {
    await writeFile(join(dir, "bad.jsonl"), content);
    const { code, stdout, stderr } = await guardbench(["eval", "--results", "bad.jsonl"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^guardbench eval: /);
    expect(stderr).toMatch(message);
  });

  it("fails when a result's label contradicts --labels", async () => {
    await writeFile(join(dir, "labeled.jsonl"), lines({ id: "x1", label: "safe", score: 0.2 }));
    await writeFile(join(dir, "truth.jsonl"), lines({ id: "x1", messages: [{ role: "user", content: "a" }], label: "unsafe" }));
    const { code, stderr } = await guardbench(["eval", "--results", "labeled.jsonl", "--labels", "truth.jsonl"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/line 1 \(id "x1"\) is labeled safe, but --labels says unsafe/);
  });

  it("explains that --labels takes the record format", async () => {
    await writeFile(join(dir, "labels.csv"), "id,label\nx1,unsafe\n");
    const { code, stderr } = await guardbench(["eval", "--results", "results.jsonl", "--labels", "labels.csv"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot read the labels in labels\.csv: .*--labels takes a dataset in the common record format/);
  });

  it("reports a missing file and usage mistakes", async () => {
    const missing = await guardbench(["eval", "--results", "nowhere.jsonl"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nowhere\.jsonl does not exist/);
    const noResults = await guardbench(["eval"]);
    expect(noResults.code).toBe(2);
    expect(noResults.stderr).toMatch(/--results is required[\s\S]*Usage: guardbench eval/);
    const badThreshold = await guardbench(["eval", "--results", "results.jsonl", "--threshold", "high"]);
    expect(badThreshold.code).toBe(2);
    expect(badThreshold.stderr).toMatch(/--threshold must be a number from 0 to 1, not "high"/);
  });
});
