/**
 * Malformed JSON described by position and kind, never by quoting the text (shared/datasets/jsonProblem.ts): the file
 * may be anything the user named, so an error message must not carry its bytes.
 */
import { describe, expect, it } from "vitest";
import { createRawRowReader } from "../../../../shared/datasets/index.ts";
import { describeJsonProblem, findJsonProblem } from "../../../../shared/datasets/jsonProblem.ts";

const SECRET = "hf_abcdefSECRET";

describe("findJsonProblem", () => {
  it.each([
    [SECRET, 0, /expected a JSON value/],
    [`{"a": ${SECRET}}`, 6, /expected a value/],
    ['{"a": 1', 7, /ends before the object is closed/],
    ['{"a" 1}', 5, /expected ':'/],
    ["{a: 1}", 1, /property name in double quotes or '}'/],
    ['{"a": 1,}', 8, /property name in double quotes \(JSON allows no trailing comma\)/],
    ["[1, 2,]", 6, /expected a value/],
    ["[1 2]", 3, /expected ',' or ']'/],
    ['{"a": 1} x', 9, /more text follows/],
    ['"abc', 0, /never closed/],
    ['"a\tb"', 2, /control character/],
    ['"a\\qb"', 2, /no valid escape/],
    ["-x", 0, /number is malformed/],
    ["", 0, /ends before a value/],
  ])("%j: offset %i", (text, offset, problem) => {
    expect(() => JSON.parse(text)).toThrow();
    const found = findJsonProblem(text);
    expect(found?.offset).toBe(offset);
    expect(found?.problem).toMatch(problem);
    expect(found?.problem).not.toContain("SECRET");
  });

  it("finds no problem in valid JSON, however deeply nested", () => {
    for (const text of ['{"a": [1, -2.5e3, true, null, {"b": "\\u00e9\\n"}]}', "[]", "{}", '"x"', "0"]) expect(findJsonProblem(text)).toBeUndefined();
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(findJsonProblem(deep)).toBeUndefined();
    expect(findJsonProblem(`${"[".repeat(100_000)}x`)).toMatchObject({ offset: 100_000 });
  });
});

describe("dataset readers say where a row is broken, not what it holds", () => {
  it("JSON Lines: the column on the row's line", () => {
    expect(describeJsonProblem(`{"id": ${SECRET}}`, 4)).toBe("not valid JSON at column 8: expected a value (strings need double quotes; JSON allows no trailing comma)");
    const events = createRawRowReader("jsonl").push(`{"ok": 1}\n${SECRET}\n`);
    expect(events[1]).toEqual({ kind: "bad", row: 2, line: 2, reason: "not valid JSON at column 1: expected a JSON value (an object, array, string, number, true, false or null)" });
  });

  it("JSON arrays: the line, and nothing of a file that is not an array", () => {
    const reader = createRawRowReader("json");
    const events = [...reader.push(`[{"ok": 1},\n {"a":\n ${SECRET}}]`), ...reader.end()];
    expect(events[1]).toMatchObject({ kind: "bad", row: 2, line: 2, reason: expect.stringMatching(/^not valid JSON at line 3, column 2: expected a value/) });
    expect(() => createRawRowReader("json").push(`${SECRET}\n`)).toThrow("but line 1 starts with text that is not JSON");
    expect(() => createRawRowReader("json").push(`{"k": "${SECRET}"}`)).toThrow("starts with an object ('{')");
    expect(() => createRawRowReader("json").push(`[] ${SECRET}`)).toThrow(/^line 1 has more \(text that is not JSON\) after the array's closing \]/);
  });

  it("CSV: a quote followed by text says so without the text", () => {
    const reader = createRawRowReader("csv");
    const events = [...reader.push(`a,b\n"x"${SECRET},y\n`), ...reader.end()];
    expect(events[0]).toMatchObject({ kind: "bad", reason: expect.stringContaining("followed by more text") });
    expect(JSON.stringify(events)).not.toContain("SECRET");
  });
});
