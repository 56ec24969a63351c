import { describe, expect, it } from "vitest";
import { mergeSlices } from "../../../../renderer/src/store/index.ts";

describe("mergeSlices", () => {
  it("joins the slices' keys", () => {
    const action = () => {};
    expect(mergeSlices({ a: { x: 1 }, setA: action }, { b: 2 })).toEqual({ a: { x: 1 }, setA: action, b: 2 });
  });

  it("refuses two slices with the same key, which would silently keep only the later one", () => {
    expect(() => mergeSlices({ setImportPath: () => {} }, { other: 1 }, { setImportPath: () => {} })).toThrow('two store slices define "setImportPath"');
  });
});
