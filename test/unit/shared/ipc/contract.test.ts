import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { HandlerGroup } from "../../../../electron/host/handlerTable.ts";
import type { HostServices } from "../../../../electron/host/services.ts";
import { CHANNEL_DOMAINS, CHANNELS, parseRequest, requestSchemas, MAX_TURN_CHARS } from "../../../../shared/ipc/contract.ts";
import { tokenFromFragment, tokenFromProtocols, webSocketProtocols, TOKEN_PATTERN } from "../../../../shared/ipc/wire.ts";
import { presetPolicy } from "../../../../shared/taxonomy/index.ts";

const turns = [{ role: "user", content: "hello" }];

function errorOf(channel: unknown, request: unknown) {
  const result = parseRequest(channel, request);
  if (result.ok) throw new Error(`expected ${String(channel)} to refuse ${JSON.stringify(request)}`);
  return result.error;
}

describe("request validation", () => {
  it("accepts well-formed requests and applies the policy schema's defaults", () => {
    const policy = presetPolicy("llama-guard-3-1b");
    const { description: _d, enabled: _e, ...bare } = policy.categories[0]!;
    const result = parseRequest("classify:run", { turns, policy: { ...policy, categories: [bare] }, check: "last", options: { threshold: 0.3 } });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.policy?.categories[0]).toEqual({ ...bare, description: "", enabled: true });
    expect(parseRequest("models:list", {}).ok).toBe(true);
    expect(parseRequest("history:list", { limit: 10 }).ok).toBe(true);
  });

  it.each([
    ["classify:run", { turns: [{ role: "wizard", content: "x" }] }, "invalid classify:run request: turns[0].role: role must be user, assistant or system"],
    ["classify:run", { turns: [] }, "invalid classify:run request: turns: the conversation has no turns"],
    ["classify:run", {}, "invalid classify:run request: turns: turns must be an array of {role, content}"],
    ["classify:run", { turns, check: "everything" }, "invalid classify:run request: check: check must be last, prompt or response"],
    ["classify:run", { turns, options: { threshold: 2 } }, "invalid classify:run request: options.threshold: Too big: expected number to be <=1"],
    ["classify:run", { turns, extra: 1 }, 'invalid classify:run request: Unrecognized key: "extra"'],
    ["models:list", { sneaky: true }, 'invalid models:list request: Unrecognized key: "sneaky"'],
    ["models:list", null, "invalid models:list request: Invalid input: expected object, received null"],
    ["policies:get", { name: "  " }, "invalid policies:get request: name: the policy name is empty"],
    ["history:get", { id: "1; DROP TABLE" }, "invalid history:get request: id: Invalid input: expected number, received string"],
    ["models:load", { id: "x.gguf", family: "llama-guard-9" }, "invalid models:load request: family: family must be one of llama-guard-1, llama-guard-2, llama-guard-3-8b, llama-guard-3-1b, llama-guard-4, chat-judge, shieldgemma, granite-guardian-3.0, granite-guardian-3.1, granite-guardian-3.2, granite-guardian-3.3, wildguard, qwen3guard, nemoguard-content-safety, gpt-oss-safeguard, custom-guard"],
  ])("refuses %s %j with a message naming the field", (channel, request, message) => {
    expect(errorOf(channel, request)).toEqual({ code: "invalid-request", message });
  });

  it("explains policy problems with the policy schema's own words", () => {
    const policy = presetPolicy("llama-guard-3-1b");
    const broken = { ...policy, categories: [...policy.categories, { ...policy.categories[0]! }] };
    expect(errorOf("policies:save", { policy: broken }).message).toMatch(/^invalid policies:save request: policy\.categories\[13\]\.code: duplicate code "S1"/);
  });

  it("caps what a hostile page can make the main side hold", () => {
    expect(errorOf("classify:run", { turns: [{ role: "user", content: "x".repeat(MAX_TURN_CHARS + 1) }] }).message).toMatch(/at most 200000 characters/);
  });

  it("refuses unknown channels, including inherited property names", () => {
    for (const channel of ["nope:never", "__proto__", "toString", 7]) {
      expect(errorOf(channel, {})).toMatchObject({ code: "unknown-channel" });
    }
  });
});

/** The files of a folder that declare a domain (the folder's index and shared helpers aside), without `.ts`. */
function domainFiles(folder: string, helpers: readonly string[]): string[] {
  const url = new URL(folder, import.meta.url);
  return readdirSync(url)
    .filter((file) => file.endsWith(".ts") && !helpers.includes(file))
    .map((file) => file.slice(0, -".ts".length))
    .sort();
}

describe("the contract's layout", () => {
  const domains = Object.keys(CHANNEL_DOMAINS).sort();

  it("has one channels/<domain>.ts per handler group, and one handler group per domain", () => {
    expect(domainFiles("../../../../shared/ipc/channels/", ["index.ts", "channel.ts", "fields.ts"])).toEqual(domains);
    expect(domainFiles("../../../../electron/host/handlers/", ["index.ts"])).toEqual(domains);
  });

  it("gives every channel a request schema, declared by exactly one domain", () => {
    const declared = Object.values(CHANNEL_DOMAINS).flatMap((table) => Object.keys(table));
    expect(new Set(declared).size).toBe(declared.length);
    expect([...declared].sort()).toEqual([...CHANNELS].sort());
    for (const channel of CHANNELS) expect(typeof requestSchemas[channel].safeParse).toBe("function");
  });

  it.each(domains)("answers the %s channels in the handler group of the same name", async (domain) => {
    const module = (await import(`../../../../electron/host/handlers/${domain}.ts`)) as Record<string, (services: HostServices) => HandlerGroup>;
    const factories = Object.entries(module).filter(([name, value]) => name.endsWith("Handlers") && typeof value === "function");
    expect(factories).toHaveLength(1);
    // The factories only take what they need from the services; building a group calls none of them.
    const group = factories[0]![1]({} as HostServices);
    expect(Object.keys(group.handlers).sort()).toEqual(Object.keys(CHANNEL_DOMAINS[domain as keyof typeof CHANNEL_DOMAINS]).sort());
  });
});

describe("the WebSocket token", () => {
  const token = "abcdefghijklmnop0123456789_-";

  it("travels as a subprotocol and comes back out", () => {
    expect(webSocketProtocols()).toEqual(["guardbench.v1"]);
    expect(tokenFromProtocols(webSocketProtocols(token))).toBe(token);
    expect(tokenFromProtocols(["guardbench.v1"])).toBeUndefined();
  });

  it("is read from the URL fragment only when well-formed", () => {
    expect(tokenFromFragment(`#token=${token}`)).toBe(token);
    expect(tokenFromFragment(`#a=1&token=${token}`)).toBe(token);
    expect(tokenFromFragment("#token=short")).toBeUndefined();
    expect(tokenFromFragment("#token=has space in it!!!!!")).toBeUndefined();
    expect(tokenFromFragment("")).toBeUndefined();
    expect(TOKEN_PATTERN.test("a".repeat(257))).toBe(false);
  });
});
