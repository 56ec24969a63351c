import { describe, expect, it } from "vitest";
import { expandHome } from "../../../../shared/format/homePath.ts";

describe("expandHome", () => {
  it.each([
    ["~", "/home/ana"],
    ["~/data/chats.jsonl", "/home/ana/data/chats.jsonl"],
    ["~\\data\\chats.jsonl", "/home/ana/data\\chats.jsonl"],
    ["/tmp/~/x", "/tmp/~/x"],
    ["~bob/x", "~bob/x"],
    ["data/~", "data/~"],
  ])("%s → %s", (typed, expanded) => {
    expect(expandHome(typed, "/home/ana/")).toBe(expanded);
  });

  it("leaves the path alone when there is no home folder", () => {
    expect(expandHome("~/x", undefined)).toBe("~/x");
  });
});
