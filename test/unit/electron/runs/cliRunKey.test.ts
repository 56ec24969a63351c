/** `guardbench run`'s identity of an invocation with the family's settings in it, and the keys stored before them. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cliRunKey, type CliRunIdentity } from "../../../../electron/runs/cliRunKey.ts";
import { presetPolicy } from "../../../../shared/taxonomy/index.ts";

const identity: CliRunIdentity = { datasetId: 3, modelPath: "/models/qwen.gguf", family: "qwen3guard", policy: presetPolicy("qwen3guard"), threshold: 0.5, topK: 5, check: "last" };

describe("cliRunKey", () => {
  it("keeps the key runs were stored with before family settings, whether the defaults are named or left out", () => {
    const { datasetId, modelPath, family, policy, threshold, topK, check } = identity;
    const before = `cli-v1:${createHash("sha256").update(JSON.stringify([datasetId, modelPath, family, policy, threshold, topK, check])).digest("hex")}`;
    expect(cliRunKey(identity)).toBe(before);
    expect(cliRunKey({ ...identity, familySettings: { controversialIsUnsafe: false } })).toBe(before);
  });

  it("makes a setting off its default another run", () => {
    const strict = cliRunKey({ ...identity, familySettings: { controversialIsUnsafe: true } });
    expect(strict).not.toBe(cliRunKey(identity));
    expect(strict).toBe(cliRunKey({ ...identity, familySettings: { controversialIsUnsafe: true } }));
  });
});
