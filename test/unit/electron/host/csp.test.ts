import { describe, expect, it } from "vitest";
import { desktopCsp, serveCsp } from "../../../../electron/host/csp.ts";

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(";").map((part) => part.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

describe("the renderer's Content-Security-Policy", () => {
  it.each([
    ["desktop", desktopCsp()],
    ["serve", serveCsp("127.0.0.1:7860")],
  ])("(%s) allows code only from the app itself", (_where, csp) => {
    const d = directives(csp);
    expect(d.get("default-src")).toEqual(["'self'"]);
    expect(d.get("script-src")).toEqual(["'self'"]);
    expect(d.get("style-src")).toEqual(["'self'"]);
    expect(d.get("img-src")).toEqual(["'self'", "data:"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'none'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-(inline|eval)|https?:|\*/);
  });

  it("lets a served page connect only to its own WebSocket", () => {
    expect(directives(serveCsp("127.0.0.1:7860")).get("connect-src")).toEqual(["'self'", "ws://127.0.0.1:7860"]);
    expect(serveCsp("localhost:5000")).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; connect-src 'self' ws://localhost:5000",
    );
  });

  it("gives the desktop page no network beyond itself", () => {
    expect(directives(desktopCsp()).get("connect-src")).toEqual(["'self'"]);
  });
});
