// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { err, ok, parseRequest, type DatasetSummary, type EndpointInfo, type EndpointProbe, type Req, type RunJobProgress, type RunSummary } from "../../../../../shared/ipc/index.ts";
import { AppShell } from "../../../../../renderer/src/features/app/AppShell.tsx";
import { EndpointsScreen } from "../../../../../renderer/src/features/endpoints/EndpointsScreen.tsx";
import { endpointsSelectors } from "../../../../../renderer/src/features/endpoints/selectors.ts";
import { draftOf, validateEndpoint } from "../../../../../renderer/src/features/endpoints/validate.ts";
import { RunsScreen } from "../../../../../renderer/src/features/runs/RunsScreen.tsx";
import { createTestStore, emptyMachineHandlers, readyEngine, runSummary, settle } from "../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../support/renderer/render.tsx";

afterEach(cleanup);

const SECRET = "sk-very-secret-key-123";

function endpointInfo(overrides: Partial<EndpointInfo> = {}): EndpointInfo {
  return { name: "gpu-a", baseUrl: "http://gpu-a:8000", kind: "openai-completions", model: "llama-guard-3-8b", hasApiKey: false, concurrency: 4, createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z", ...overrides };
}

/** A main side that stores endpoints as the real one does: the key goes in, only `hasApiKey` comes out. */
function endpointHandlers(initial: EndpointInfo[] = []) {
  const stored = new Map(initial.map((endpoint) => [endpoint.name, endpoint]));
  const keys = new Map<string, string>();
  return {
    keys,
    handlers: {
      "endpoints:list": () => ok({ endpoints: [...stored.values()] }),
      "endpoints:save": (request: Req<"endpoints:save">) => {
        if (request.apiKey) keys.set(request.name, request.apiKey);
        if (request.clearApiKey) keys.delete(request.name);
        const info = endpointInfo({ name: request.name, baseUrl: request.baseUrl, kind: request.kind, model: request.model, concurrency: request.concurrency ?? 4, hasApiKey: keys.has(request.name) || Boolean(stored.get(request.name)?.hasApiKey && !request.clearApiKey) });
        stored.set(info.name, info);
        return ok(info);
      },
      "endpoints:remove": ({ name }: Req<"endpoints:remove">) => ok({ name, removed: stored.delete(name) }),
    },
  };
}

function dataset(): DatasetSummary {
  return { id: 1, name: "toxic-chat", sourcePath: "/data/toxic.jsonl", format: "jsonl", importedAt: "2026-01-01T00:00:00Z", items: 100, badRows: 0, labels: { safe: 50, unsafe: 50, unlabeled: 0, reviewed: 0 } } as DatasetSummary;
}

function runningRun(): RunSummary {
  return runSummary({
    id: 7,
    datasetId: 1,
    datasetName: "toxic-chat",
    model: { path: "/models/m.gguf", sha256: "abc", sizeBytes: 1, family: "llama-guard-3-1b" },
    policyName: "preset",
    settings: { threshold: 0.5, topK: 0, check: "last", sequences: 1 },
    state: "running",
    counts: { items: 100, scored: 10, failed: 0, pending: 90 },
    jobId: "job-7",
  });
}

function fill(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("endpoints slice", () => {
  it("sends the API key once and never keeps it in store state", async () => {
    const main = endpointHandlers();
    const { store, bridge } = createTestStore(main.handlers);
    expect(await store.getState().saveEndpoint({ name: "gpu-a", baseUrl: "http://gpu-a:8000", kind: "openai-completions", model: "m", apiKey: SECRET, concurrency: 8 })).toBe(true);
    expect(bridge.calls.at(-1)).toEqual({ channel: "endpoints:save", request: { name: "gpu-a", baseUrl: "http://gpu-a:8000", kind: "openai-completions", model: "m", apiKey: SECRET, concurrency: 8 } });
    expect(JSON.stringify(store.getState())).not.toContain(SECRET);
    expect(endpointsSelectors.list(store.getState())).toMatchObject([{ name: "gpu-a", hasApiKey: true, concurrency: 8 }]);
  });

  it("does not keep the key when the save fails either", async () => {
    const { store } = createTestStore({ "endpoints:save": () => err("invalid-request", "baseUrl must be an http(s) URL") });
    expect(await store.getState().saveEndpoint({ name: "gpu-a", baseUrl: "ftp://x", kind: "llama-server", model: "m", apiKey: SECRET })).toBe(false);
    expect(JSON.stringify(store.getState())).not.toContain(SECRET);
    expect(endpointsSelectors.saveError(store.getState())?.message).toBe("baseUrl must be an http(s) URL");
  });

  it("validates like the main side", () => {
    const fields = { name: "gpu a", baseUrl: "http://gpu:8000", kind: "openai-completions" as const, model: "m", apiKey: "", clearApiKey: false, concurrency: "" };
    expect(validateEndpoint(fields, [])).toEqual({});
    expect(validateEndpoint({ ...fields, name: "a/b", baseUrl: "http://u:p@gpu", model: " ", apiKey: "has space", concurrency: "65" }, [])).toEqual({
      name: expect.stringMatching(/letters, digits/),
      baseUrl: expect.stringMatching(/credentials/),
      model: expect.any(String),
      apiKey: expect.stringMatching(/spaces/),
      concurrency: expect.stringMatching(/1 to 64/),
    });
    expect(validateEndpoint(fields, ["gpu a"]).name).toMatch(/already/);
  });

  it("shows the main side's own words: the form parses with the schema endpoints:save is checked with", () => {
    const fields = { name: "a/b", baseUrl: "gpu:8000", kind: "llama-server" as const, model: "", apiKey: "two words", clearApiKey: false, concurrency: "0" };
    const mainSide = parseRequest("endpoints:save", draftOf(fields));
    if (mainSide.ok) throw new Error("the main side accepted a bad endpoint");
    const errors = validateEndpoint(fields, []);
    expect(Object.keys(errors).sort()).toEqual(["apiKey", "baseUrl", "concurrency", "model", "name"]);
    for (const [field, shown] of Object.entries(errors)) {
      // "Give the served model name." in the form is "model: give the served model name" in the main side's error.
      expect(mainSide.error.message).toContain(`${field}: ${shown.charAt(0).toLowerCase()}${shown.slice(1, -1)}`);
    }
  });
});

describe("Endpoints screen", () => {
  it("adds an endpoint from the form: the key field is a password field, emptied after saving, and the list says a key is stored", async () => {
    const main = endpointHandlers();
    const { store, bridge } = createTestStore(main.handlers);
    renderWithStore(store, <EndpointsScreen />);
    const form = screen.getByRole("form", { name: "Add an endpoint" });
    fill("Name", "gpu-a");
    fill("Base URL", "http://gpu-a:8000");
    fireEvent.change(screen.getByLabelText("Kind"), { target: { value: "llama-server" } });
    fill("Model", "guard");
    const key = screen.getByLabelText("API key") as HTMLInputElement;
    expect(key.type).toBe("password");
    fireEvent.change(key, { target: { value: SECRET } });
    fill("Concurrency", "2");
    fireEvent.click(within(form).getByRole("button", { name: "Add endpoint" }));
    await act(settle);

    expect(bridge.calls.at(-1)).toMatchObject({ channel: "endpoints:save", request: { name: "gpu-a", kind: "llama-server", apiKey: SECRET, concurrency: 2 } });
    expect((screen.getByLabelText("API key") as HTMLInputElement).value).toBe("");
    expect(JSON.stringify(store.getState())).not.toContain(SECRET);
    expect(document.body.innerHTML).not.toContain(SECRET);
    const row = within(screen.getByRole("table", { name: "Endpoint list" })).getByRole("row", { name: /gpu-a/ });
    expect(row.textContent).toContain("llama.cpp llama-server");
    expect(row.textContent).toContain("stored");
  });

  it("shows validation messages next to the fields and sends nothing", () => {
    const { store, bridge } = createTestStore();
    renderWithStore(store, <EndpointsScreen />);
    fill("Base URL", "gpu-a:8000/nope");
    fireEvent.click(screen.getByRole("button", { name: "Add endpoint" }));
    expect(screen.getByText("Give the endpoint a name.")).toBeTruthy();
    expect(screen.getByText("The address must start with http:// or https://.")).toBeTruthy();
    expect(screen.getByText("Give the served model name.")).toBeTruthy();
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Name").getAttribute("aria-describedby")).toBeTruthy();
    expect(bridge.calls.some((call) => call.channel === "endpoints:save")).toBe(false);
  });

  it("edits an endpoint without echoing its key: leaving the key empty keeps it", async () => {
    const main = endpointHandlers([endpointInfo({ hasApiKey: true })]);
    const { store, bridge } = createTestStore(main.handlers);
    await store.getState().refreshEndpoints();
    renderWithStore(store, <EndpointsScreen />);
    fireEvent.click(screen.getByRole("button", { name: "Edit gpu-a" }));
    const form = screen.getByRole("form", { name: "Edit endpoint gpu-a" });
    const key = within(form).getByLabelText("API key") as HTMLInputElement;
    expect(key.value).toBe("");
    expect(key.placeholder).toMatch(/stored/);
    expect((within(form).getByLabelText("Name") as HTMLInputElement).readOnly).toBe(true);
    fireEvent.change(within(form).getByLabelText("Model"), { target: { value: "other-model" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await act(settle);
    const request = bridge.calls.at(-1)?.request as Req<"endpoints:save">;
    expect(request).toMatchObject({ name: "gpu-a", model: "other-model" });
    expect(request).not.toHaveProperty("apiKey");
    expect(request).not.toHaveProperty("clearApiKey");
    expect(screen.getByRole("form", { name: "Add an endpoint" })).toBeTruthy();
  });

  it("tests a connection and shows the result in the row", async () => {
    const probes: Record<string, EndpointProbe> = {
      "gpu-a": { name: "gpu-a", reachable: true, latencyMs: 42, models: ["llama-guard-3-8b"], modelServed: true },
      "gpu-b": { name: "gpu-b", reachable: false, models: [], error: { code: "unreachable", message: "connection refused", hint: "Is the server running?" } },
      "gpu-c": { name: "gpu-c", reachable: true, latencyMs: 5, models: [], error: { code: "auth-invalid", message: "the API key is missing or wrong" } },
    };
    const main = endpointHandlers([endpointInfo(), endpointInfo({ name: "gpu-b", baseUrl: "http://gpu-b:8000" }), endpointInfo({ name: "gpu-c", baseUrl: "http://gpu-c:8000" })]);
    const { store, bridge } = createTestStore({ ...main.handlers, "endpoints:test": ({ name }) => ok(probes[name]!) });
    await store.getState().refreshEndpoints();
    renderWithStore(store, <EndpointsScreen />);
    expect(screen.getByRole("status", { name: "Connection test of gpu-a" }).textContent).toBe("not tested");

    fireEvent.click(screen.getByRole("button", { name: "Test connection to gpu-a" }));
    fireEvent.click(screen.getByRole("button", { name: "Test connection to gpu-b" }));
    fireEvent.click(screen.getByRole("button", { name: "Test connection to gpu-c" }));
    await act(settle);
    expect(bridge.calls.filter((call) => call.channel === "endpoints:test").map((call) => call.request)).toEqual([{ name: "gpu-a" }, { name: "gpu-b" }, { name: "gpu-c" }]);
    const a = screen.getByRole("status", { name: "Connection test of gpu-a" }).textContent;
    expect(a).toContain("reachable");
    expect(a).toContain("42 ms");
    expect(a).toContain("serves llama-guard-3-8b");
    const b = screen.getByRole("status", { name: "Connection test of gpu-b" }).textContent;
    expect(b).toContain("unreachable");
    expect(b).toContain("connection refused");
    // Answering but refusing is not healthy: no "reachable" badge, the reason instead.
    const c = screen.getByRole("status", { name: "Connection test of gpu-c" }).textContent;
    expect(c).toContain("refused");
    expect(c).not.toContain("reachable");
    expect(c).toContain("the API key is missing or wrong");
  });

  it("removes an endpoint only after confirmation", async () => {
    const main = endpointHandlers([endpointInfo()]);
    const { store, bridge } = createTestStore(main.handlers);
    await store.getState().refreshEndpoints();
    renderWithStore(store, <EndpointsScreen />);
    fireEvent.click(screen.getByRole("button", { name: "Remove gpu-a" }));
    expect(bridge.calls.some((call) => call.channel === "endpoints:remove")).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "Keep gpu-a" }));
    fireEvent.click(screen.getByRole("button", { name: "Remove gpu-a" }));
    fireEvent.click(screen.getByRole("button", { name: "Confirm removing gpu-a" }));
    await act(settle);
    expect(bridge.calls.at(-1)).toEqual({ channel: "endpoints:remove", request: { name: "gpu-a" } });
    expect(screen.queryByRole("table", { name: "Endpoint list" })).toBeNull();
  });

  it("is reachable with Alt+9 and listed in the navigation", async () => {
    const { store } = createTestStore({ ...emptyMachineHandlers(), ...endpointHandlers([endpointInfo()]).handlers });
    store.getState().start();
    renderWithStore(store, <AppShell />);
    await act(settle);
    expect(screen.getByRole("navigation", { name: "Screens" }).textContent).toContain("Endpoints");
    fireEvent.keyDown(window, { key: "9", code: "Digit9", altKey: true });
    expect(screen.getByRole("heading", { name: "Endpoints", level: 1 })).toBeTruthy();
    expect(screen.getByRole("row", { name: /gpu-a/ })).toBeTruthy();
  });
});

describe("Runs screen with endpoints", () => {
  async function runsStore() {
    const main = endpointHandlers([endpointInfo(), endpointInfo({ name: "gpu-b", model: "other" })]);
    const test = createTestStore({
      ...emptyMachineHandlers(),
      ...main.handlers,
      "engine:status": () => ok(readyEngine()),
      "datasets:list": () => ok({ datasets: [dataset()], demos: [], failedImports: [] }),
      "runs:list": () => ok({ runs: [runningRun()] }),
      "runs:start": () => ok({ jobId: "job-8", runId: 8 }),
    });
    test.store.getState().start();
    await settle();
    return test;
  }

  it("sends the chosen pool with runs:start", async () => {
    const { store, bridge } = await runsStore();
    renderWithStore(store, <RunsScreen />);
    const pool = screen.getByRole("group", { name: "Scored by" });
    const local = within(pool).getByRole("checkbox", { name: "This machine" }) as HTMLInputElement;
    expect(local.checked).toBe(true);
    fireEvent.click(within(pool).getByRole("checkbox", { name: /gpu-b/ }));
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await act(settle);
    expect(bridge.calls.find((call) => call.channel === "runs:start")?.request).toEqual({ datasetId: 1, settings: { threshold: 0.5 }, endpoints: ["gpu-b"], includeLocal: true });

    fireEvent.click(local);
    fireEvent.click(within(pool).getByRole("checkbox", { name: /gpu-a/ }));
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await act(settle);
    expect(bridge.calls.filter((call) => call.channel === "runs:start").at(-1)?.request).toEqual({ datasetId: 1, settings: { threshold: 0.5 }, endpoints: ["gpu-a", "gpu-b"] });
  });

  it("refuses to start with nothing in the pool, and says why", async () => {
    const { store, bridge } = await runsStore();
    renderWithStore(store, <RunsScreen />);
    fireEvent.click(screen.getByRole("checkbox", { name: "This machine" }));
    expect(screen.getByText("Choose this machine or at least one endpoint.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Start run" }).getAttribute("aria-disabled")).toBe("true");
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await act(settle);
    expect(bridge.calls.some((call) => call.channel === "runs:start")).toBe(false);
  });

  it("shows no pool without endpoints, and then sends a local-only request unchanged", async () => {
    const { store, bridge } = createTestStore({ ...emptyMachineHandlers(), "endpoints:list": () => ok({ endpoints: [] }), "engine:status": () => ok(readyEngine()), "datasets:list": () => ok({ datasets: [dataset()], demos: [], failedImports: [] }), "runs:start": () => ok({ jobId: "j", runId: 1 }) });
    store.getState().start();
    await settle();
    renderWithStore(store, <RunsScreen />);
    expect(screen.queryByRole("group", { name: "Scored by" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await act(settle);
    expect(bridge.calls.find((call) => call.channel === "runs:start")?.request).toEqual({ datasetId: 1, settings: { threshold: 0.5 } });
  });

  it("renders a running run's progress per endpoint from job:progress events", async () => {
    const { store, bridge } = await runsStore();
    renderWithStore(store, <RunsScreen />);
    expect(screen.queryByRole("table", { name: "Scorers of run 7" })).toBeNull();
    const progress: RunJobProgress = {
      jobId: "job-7",
      kind: "run",
      state: "running",
      runId: 7,
      datasetId: 1,
      phase: "scoring",
      done: 40,
      total: 100,
      failed: 2,
      itemsPerSecond: 5,
      etaSeconds: 12,
      perEndpoint: [
        { name: "gpu-a", done: 30, failed: 0, itemsPerSecond: 3.5, state: "active" },
        { name: "gpu-b", done: 6, failed: 2, itemsPerSecond: 0, state: "suspended" },
        { name: "local", done: 4, failed: 0, itemsPerSecond: 1.5, state: "active" },
      ],
    };
    act(() => bridge.emit("job:progress", progress));
    const table = screen.getByRole("table", { name: "Scorers of run 7" });
    const cells = (name: RegExp) => within(table).getByRole("row", { name }).textContent;
    expect(cells(/gpu-a/)).toBe("gpu-a3003.5active");
    expect(cells(/gpu-b/)).toBe("gpu-b620.0suspended");
    expect(cells(/this machine/)).toBe("this machine401.5active");

    act(() => bridge.emit("job:progress", { ...progress, perEndpoint: [{ name: "gpu-a", done: 31, failed: 0, itemsPerSecond: 3.6, state: "active" }] }));
    expect(within(screen.getByRole("table", { name: "Scorers of run 7" })).getAllByRole("row")).toHaveLength(2);
  });
});
