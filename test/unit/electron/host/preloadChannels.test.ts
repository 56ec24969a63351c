import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHANNELS, EVENT_NAMES, requestSchemas } from "../../../../shared/ipc/contract.ts";
import { isAllowedEvent, isAllowedInvokeChannel, PRELOAD_EVENTS, PRELOAD_INVOKE_CHANNELS, PRELOAD_OWN_CHANNELS } from "../../../../electron/host/preloadChannels.ts";

/** The names in the contract's `Events` interface, read from the source (types do not exist at run time). */
function eventsDeclaredInContract(): string[] {
  const source = readFileSync(new URL("../../../../shared/ipc/contract.ts", import.meta.url), "utf8");
  const body = source.slice(source.indexOf("export interface Events {"));
  return [...body.slice(0, body.indexOf("\n}")).matchAll(/^\s+"([a-z-]+:[a-z-]+)":/gm)].map((m) => m[1]!);
}

describe("the preload's allowlist", () => {
  it("is exactly the contract's channels, less the ones only the preload itself sends", () => {
    const pageChannels = Object.keys(requestSchemas).filter((name) => !PRELOAD_OWN_CHANNELS.has(name));
    expect([...PRELOAD_INVOKE_CHANNELS].sort()).toEqual(pageChannels.sort());
    expect([...PRELOAD_INVOKE_CHANNELS, ...PRELOAD_OWN_CHANNELS].sort()).toEqual([...CHANNELS].sort());
  });

  it("never lets the page name a dropped file's path itself", () => {
    expect([...PRELOAD_OWN_CHANNELS]).toEqual(["files:drop"]);
    expect(isAllowedInvokeChannel("files:drop")).toBe(false);
  });

  it("is exactly the contract's events", () => {
    expect([...PRELOAD_EVENTS].sort()).toEqual([...EVENT_NAMES].sort());
    expect([...PRELOAD_EVENTS].sort()).toEqual(eventsDeclaredInContract().sort());
  });

  it("names every channel domain:verb", () => {
    for (const name of [...PRELOAD_INVOKE_CHANNELS, ...PRELOAD_EVENTS]) expect(name).toMatch(/^[a-z]+:[a-z-]+$/);
  });

  it("refuses anything else", () => {
    for (const name of ["", "classify", "classify:run ", "CLASSIFY:RUN", "__proto__", "constructor", "toString", "hasOwnProperty", "ipc:raw", 42, null, undefined, {}]) {
      expect(isAllowedInvokeChannel(name)).toBe(false);
      expect(isAllowedEvent(name)).toBe(false);
    }
    expect(isAllowedInvokeChannel("classify:run")).toBe(true);
    expect(isAllowedEvent("job:progress")).toBe(true);
    expect(isAllowedEvent("classify:run")).toBe(false);
  });
});
