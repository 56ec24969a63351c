/** Label values in imports: the mapping step's presets and user pairs, read by mapRow, suggested from the first rows. */
import { describe, expect, it } from "vitest";
import {
  LABEL_VALUE_PRESETS,
  columnMappingSchema,
  distinctLabelValues,
  mapRow,
  readLabelValue,
  suggestLabelValues,
  swapLabelValues,
  type LabelValues,
} from "../../../../shared/datasets/index.ts";

const preset = (id: string): LabelValues => LABEL_VALUE_PRESETS.find((entry) => entry.id === id)!.values;

describe("readLabelValue", () => {
  it.each([
    ["yes-no", ["yes", " YES ", "Yes"], ["no", "No"]],
    ["true-false", ["true", true, "TRUE"], ["false", false]],
    ["1-0", ["1", 1, "1.0", 1.0], ["0", 0, "0.00"]],
    ["harmful-unharmful", ["harmful", "Harmful"], ["unharmful"]],
    ["unsafe-safe", ["unsafe"], ["safe"]],
    ["flagged", ["flagged", "FLAGGED"], ["not flagged", "unflagged", "", "  "]],
  ] as const)("reads the %s preset's values", (id, unsafe, safe) => {
    for (const cell of unsafe) expect(readLabelValue(cell, preset(id)), JSON.stringify(cell)).toEqual({ ok: true, label: "unsafe" });
    for (const cell of safe) expect(readLabelValue(cell, preset(id)), JSON.stringify(cell)).toEqual({ ok: true, label: "safe" });
  });

  it("reads any user-chosen pair, several values a side, and an empty cell as no label unless a side lists it", () => {
    const values: LabelValues = { unsafe: ["toxic", "Severe"], safe: ["ok", "fine"] };
    expect(readLabelValue("Toxic", values)).toEqual({ ok: true, label: "unsafe" });
    expect(readLabelValue("severe", values)).toEqual({ ok: true, label: "unsafe" });
    expect(readLabelValue("OK", values)).toEqual({ ok: true, label: "safe" });
    expect(readLabelValue("", values)).toEqual({ ok: true });
    expect(readLabelValue(undefined, values)).toEqual({ ok: true });
    expect(readLabelValue(null, values)).toEqual({ ok: true });
  });

  it("makes a value on neither side a bad row that names it and both sides", () => {
    const reading = readLabelValue("maybe", preset("yes-no"));
    expect(reading).toEqual({ ok: false, reason: expect.stringMatching(/^the label "maybe" is none of the mapped values \(unsafe: "yes"; safe: "no"\); add it to one side/) });
    expect(readLabelValue(["yes"], preset("yes-no"))).toEqual({ ok: false, reason: expect.stringMatching(/a list/) });
    expect(readLabelValue(2, preset("1-0"))).toMatchObject({ ok: false, reason: expect.stringMatching(/"2" is none/) });
  });

  it("swaps the sides for a column whose yes means safe", () => {
    expect(readLabelValue("yes", swapLabelValues(preset("yes-no")))).toEqual({ ok: true, label: "safe" });
  });
});

describe("label values in the column mapping", () => {
  const row = (label: string) => ({ text: "How do I pick a lock?", is_harmful: label });

  it("reads a yes/no column through the mapping, and explains the mapping step when there is none", () => {
    const mapping = { prompt: "text", label: "is_harmful", labelValues: preset("yes-no") };
    expect(mapRow(row("yes"), mapping, 1)).toMatchObject({ ok: true, item: { label: "unsafe" } });
    expect(mapRow(row("no"), mapping, 2)).toMatchObject({ ok: true, item: { label: "safe" } });
    const unmapped = mapRow(row("yes"), { prompt: "text", label: "is_harmful" }, 3);
    expect(unmapped).toEqual({ ok: false, problem: { row: 3, reason: expect.stringMatching(/"yes" is not one of .*map them to unsafe and safe in the mapping step/) } });
  });

  it("checks label values in a mapping from the page", () => {
    expect(columnMappingSchema.safeParse({ prompt: "p", label: "l", labelValues: { unsafe: ["yes"], safe: ["no"] } }).success).toBe(true);
    const overlap = columnMappingSchema.safeParse({ prompt: "p", label: "l", labelValues: { unsafe: ["Yes"], safe: ["yes "] } });
    expect(overlap.success).toBe(false);
    expect(overlap.error?.issues[0]?.message).toBe("a label value cannot mean both unsafe and safe");
    expect(columnMappingSchema.safeParse({ prompt: "p", label: "l", labelValues: { unsafe: [], safe: ["no"] } }).error?.issues[0]?.message).toBe("name at least one value that means unsafe");
  });
});

describe("suggestLabelValues", () => {
  it.each([
    ["is_harmful", ["yes", "no", "yes", ""], { unsafe: ["yes"], safe: ["no"] }],
    ["is_safe", ["Yes", "no"], { unsafe: ["no"], safe: ["yes"] }],
    ["flagged", ["true", "false"], { unsafe: ["true"], safe: ["false"] }],
    ["moderation", ["flagged", ""], preset("flagged")],
    ["label", ["harmful", "unharmful"], { unsafe: ["harmful"], safe: ["unharmful"] }],
    ["toxicity", [1, 0, "1.0"], { unsafe: ["1"], safe: ["0"] }],
  ] as const)("suggests the pair for %s with values %j", (column, cells, expected) => {
    expect(suggestLabelValues(column, cells)).toEqual(expected);
  });

  it("suggests nothing when no preset covers every value, or there are none", () => {
    expect(suggestLabelValues("label", ["yes", "no", "maybe"])).toBeUndefined();
    expect(suggestLabelValues("label", ["", null])).toBeUndefined();
  });

  it("lists the distinct values with counts, most frequent first", () => {
    expect(distinctLabelValues(["yes", "No", " no", null, "yes", "no"])).toEqual([
      { value: "no", count: 3 },
      { value: "yes", count: 2 },
    ]);
  });
});
