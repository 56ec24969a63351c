import { describe, expect, it } from "vitest";
import { isTrustedSender, type IpcSender } from "../../../../electron/host/senderCheck.ts";

const APP = "guardbench://app";
const ours: IpcSender = { frameUrl: "guardbench://app/index.html", isMainFrame: true, isOurWindow: true };

describe("IPC sender check", () => {
  it("accepts our page's main frame in our window, on any route", () => {
    expect(isTrustedSender(ours, APP)).toBe(true);
    expect(isTrustedSender({ ...ours, frameUrl: "guardbench://app/results?id=3#x" }, APP)).toBe(true);
  });

  it.each<[string, Partial<IpcSender>]>([
    ["an iframe", { isMainFrame: false }],
    ["another window", { isOurWindow: false }],
    ["a destroyed frame", { frameUrl: undefined }],
    ["a remote page", { frameUrl: "https://evil.example/" }],
    ["a file:// page", { frameUrl: "file:///home/user/evil.html" }],
    ["another host on our scheme", { frameUrl: "guardbench://evil/index.html" }],
    ["a lookalike host", { frameUrl: "guardbench://app.evil/index.html" }],
    ["userinfo on our scheme", { frameUrl: "guardbench://x@app/index.html" }],
    ["a devtools page", { frameUrl: "devtools://devtools/bundled/inspector.html" }],
    ["garbage", { frameUrl: "::::" }],
  ])("refuses %s", (_what, change) => {
    expect(isTrustedSender({ ...ours, ...change }, APP)).toBe(false);
  });

  it("works for the served origin shape too", () => {
    expect(isTrustedSender({ ...ours, frameUrl: "http://127.0.0.1:7860/" }, "http://127.0.0.1:7860")).toBe(true);
    expect(isTrustedSender({ ...ours, frameUrl: "http://127.0.0.1:7861/" }, "http://127.0.0.1:7860")).toBe(false);
  });
});
