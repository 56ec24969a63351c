/**
 * The moderation API as a product meets it (issue #17): the official `openai` npm client's `moderations.create`
 * against a real `guardbench worker` on loopback, serving the programmed fixture model, which answers `unsafe\nS3`
 * with P(unsafe) = 0.8 and S1 as the runner-up category (test/fixtures/guardAnswers.ts). Every number is checked
 * against the probabilities the fixture's weights give (its `expectedDistribution`), through the documented mapping.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI, { APIUserAbortError, AuthenticationError, BadRequestError, NotFoundError, RateLimitError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { moderationResponseSchema, OPENAI_MODERATION_CATEGORIES, type ModerationResult, type OpenAiModerationCategory } from "../../../shared/moderation/index.ts";
import { presetPolicy } from "../../../shared/taxonomy/index.ts";
import { createAppHost } from "../../../electron/host/createAppHost.ts";
import { databasePathFor, openStore } from "../../../electron/store/index.ts";
import { llamaGuard3UnsafeAnswer } from "../../fixtures/guardAnswers.ts";
import { LLAMA3_TOKENS as T, vocabId } from "../../fixtures/gguf/llama3Vocab.ts";
import { writeProgrammedModel, type ProgrammedModel } from "../../fixtures/models.ts";
import { AppSocket, startServe, writeStandInRenderer } from "../../support/serve.ts";
import { MODEL_NAME, startWorker, type WorkerProcess } from "../../support/remote.ts";

const TOKEN = "moderation-api-token-7c41d2e9b0";
/** Requests of the load test (raise with MODERATION_LOAD_REQUESTS; `npm run bench` measures requests/s). */
const LOAD_REQUESTS = Number(process.env.MODERATION_LOAD_REQUESTS ?? 120);
const LOAD_CONCURRENCY = 32;
const QUEUE_LIMIT = 200;

let dir: string;
let home: string;
let model: ProgrammedModel;
let open: WorkerProcess;
let guarded: WorkerProcess;
let client: OpenAI;

/** The fixture's numbers: P(unsafe) and P(the model names <code> first | unsafe). */
let pUnsafe: number;
let pCode: (code: string) => number;

function expectedScores(sources: Partial<Record<OpenAiModerationCategory, string[]>>): Record<OpenAiModerationCategory, number> {
  return Object.fromEntries(OPENAI_MODERATION_CATEGORIES.map((key) => [key, pUnsafe * (sources[key] ?? []).reduce((sum, code) => sum + pCode(code), 0)])) as Record<OpenAiModerationCategory, number>;
}

/** The Llama Guard 3 default mapping (shared/moderation/defaultMappings.ts), as the README's table states it. */
const LG3_DEFAULT: Partial<Record<OpenAiModerationCategory, string[]>> = {
  violence: ["S1"],
  illicit: ["S2", "S3"],
  "illicit/violent": ["S1", "S3", "S9"],
  hate: ["S10"],
  "self-harm": ["S11"],
  sexual: ["S12"],
  "sexual/minors": ["S4"],
};

function expectResult(result: ModerationResult, sources: Partial<Record<OpenAiModerationCategory, string[]>>): void {
  const scores = expectedScores(sources);
  for (const key of OPENAI_MODERATION_CATEGORIES) {
    expect(result.category_scores[key], key).toBeCloseTo(scores[key], 6);
    // The model named S3: exactly the keys S3 feeds are flagged.
    expect(result.categories[key], key).toBe((sources[key] ?? []).includes("S3"));
    expect(result.category_applied_input_types[key], key).toEqual((sources[key] ?? []).length > 0 ? ["text"] : []);
  }
  expect(result.flagged).toBe(true);
  expect(result.guardbench.unmapped_openai_categories).toEqual(OPENAI_MODERATION_CATEGORIES.filter((key) => !(sources[key] ?? []).length));
  expect(result.guardbench.verdict).toBe("unsafe");
  expect(result.guardbench.score).toBeCloseTo(pUnsafe, 6);
  expect(result.guardbench.categories_from).toBe("verdict");
  const s3 = result.guardbench.policy_categories.find((category) => category.code === "S3")!;
  expect(s3).toMatchObject({ name: "Sex Crimes.", violated: true });
  expect(s3.score).toBeCloseTo(pUnsafe * pCode("S3"), 6);
}

async function health(worker: WorkerProcess): Promise<{ waiting: number; running: number; completed: number }> {
  const answer = (await (await fetch(`${worker.url}/health`)).json()) as { moderation: { waiting: number; running: number; completed: number } };
  return answer.moderation;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-moderation-"));
  home = join(dir, "home");
  model = await writeProgrammedModel(join(dir, "unsafe-s3.gguf"), { transitions: llamaGuard3UnsafeAnswer() });
  const pS = model.expectedDistribution(T.newline).probabilityOf(T.S);
  const afterS = model.expectedDistribution(T.S);
  pUnsafe = model.expectedDistribution(T.doubleNewline).probabilityOf(T.unsafe);
  pCode = (code) => pS * (code === "S1" ? afterS.probabilityOf(vocabId("1")) : code === "S3" ? afterS.probabilityOf(vocabId("3")) : afterS.restProbability);

  // Saved policies in the worker's GUARDBENCH_HOME: acme v1 (family default mapping), v2 (its own: S3 → harassment).
  const store = openStore(databasePathFor(home));
  const preset = presetPolicy("llama-guard-3-1b");
  store.policies.save({ ...preset, name: "acme" });
  store.policies.save({ ...preset, name: "acme", openaiMapping: { harassment: ["S3"] } });
  store.policies.save({ ...presetPolicy("chat-judge"), name: "judge only" });
  store.close();

  [open, guarded] = await Promise.all([
    startWorker(model.path, ["--audit-content", "--queue", String(QUEUE_LIMIT), "--parallel", "2"], { GUARDBENCH_HOME: home }),
    startWorker(model.path, ["--token", TOKEN, "--parallel", "4"], { GUARDBENCH_HOME: join(dir, "empty-home") }),
  ]);
  client = new OpenAI({ baseURL: `${open.url}/v1`, apiKey: "unused-on-loopback", maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe("POST /v1/moderations through the official openai client", () => {
  it("answers one string in OpenAI's exact shape, with the fixture's probabilities through the default mapping", async () => {
    const response = await client.moderations.create({ model: MODEL_NAME, input: "How do I pick a lock?" });
    const parsed = moderationResponseSchema.parse(response);
    expect(parsed.id).toMatch(/^modr-/);
    expect(parsed.model).toBe(MODEL_NAME);
    expect(parsed.results).toHaveLength(1);
    expectResult(parsed.results[0]!, LG3_DEFAULT);
    expect(Object.keys(parsed.results[0]!.categories)).toEqual([...OPENAI_MODERATION_CATEGORIES]);
  });

  it("answers an array with one result per string, in order, and content parts as one input", async () => {
    const texts = ["short", "a somewhat longer message here", "the longest message of the three, by a good many words indeed"];
    const array = moderationResponseSchema.parse(await client.moderations.create({ input: texts }));
    expect(array.results).toHaveLength(3);
    array.results.forEach((result) => expectResult(result, LG3_DEFAULT));
    const tokens = array.results.map((result) => result.guardbench.prompt_tokens);
    expect(tokens[0]).toBeLessThan(tokens[1]!);
    expect(tokens[1]).toBeLessThan(tokens[2]!);

    const parts = moderationResponseSchema.parse(
      await client.moderations.create({ input: [{ type: "text", text: "first part" }, { type: "text", text: "second part" }] }),
    );
    const joined = moderationResponseSchema.parse(await client.moderations.create({ input: "first part\nsecond part" }));
    expect(parts.results).toHaveLength(1);
    expectResult(parts.results[0]!, LG3_DEFAULT);
    expect(parts.results[0]!.guardbench.prompt_tokens).toBe(joined.results[0]!.guardbench.prompt_tokens);
  });

  it("refuses an image part with a 400 that names the limit, and OpenAI's model names mean the default", async () => {
    const image = client.moderations.create({ input: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "https://example.com/x.png" } }] });
    await expect(image).rejects.toBeInstanceOf(BadRequestError);
    await expect(image).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/input\[1\] is an image: .*text only/) });

    const aliased = await client.moderations.create({ model: "omni-moderation-latest", input: "hello" });
    expect(aliased.model).toBe(MODEL_NAME);
  });

  it("selects a saved policy version by model name, with the policy's own mapping", async () => {
    const v2 = moderationResponseSchema.parse(await client.moderations.create({ model: `${MODEL_NAME}:acme@v2`, input: "hello" }));
    expect(v2.model).toBe(`${MODEL_NAME}:acme@v2`);
    expectResult(v2.results[0]!, { harassment: ["S3"] });
    expect(v2.results[0]!.guardbench.policy).toEqual({ name: "acme", family: "llama-guard-3-1b", version: 2 });

    const latest = await client.moderations.create({ model: `${MODEL_NAME}:acme`, input: "hello" });
    expect(latest.model).toBe(`${MODEL_NAME}:acme@v2`);
    const v1 = moderationResponseSchema.parse(await client.moderations.create({ model: "llama-guard-3-1b:acme@v1", input: "hello" }));
    expect(v1.model).toBe(`${MODEL_NAME}:acme@v1`);
    expectResult(v1.results[0]!, LG3_DEFAULT);

    await expect(client.moderations.create({ model: `${MODEL_NAME}:no such policy`, input: "x" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.moderations.create({ model: "gpt-4o", input: "x" })).rejects.toMatchObject({ status: 404, message: expect.stringContaining(`serves \`${MODEL_NAME}\``) });
    await expect(client.moderations.create({ model: `${MODEL_NAME}:judge only`, input: "x" })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/written for chat-judge/) });

    const ids = (await client.models.list()).data.map((entry) => entry.id);
    expect(ids).toEqual(expect.arrayContaining([MODEL_NAME, `${MODEL_NAME}:acme`, `${MODEL_NAME}:acme@v1`, `${MODEL_NAME}:acme@v2`]));
    expect(ids.some((id) => id.includes("judge only"))).toBe(false);
  });

  it("audits each input (content, hash, verdict, model hash, policy version) and samples them into a dataset for review", async () => {
    const text = `audited message ${Date.now()}`;
    await client.moderations.create({ model: `${MODEL_NAME}:acme@v2`, input: text });
    const store = openStore(databasePathFor(home));
    try {
      const row = store.moderationAudit.sampleWithContent(10_000).find((call) => call.content === text)!;
      expect(row).toMatchObject({ flagged: true, verdict: "unsafe", categories: ["S3"], policyName: "acme", policyVersion: 2, modelName: MODEL_NAME });
      expect(row.modelSha256).toBe(createHash("sha256").update(readFileSync(model.path)).digest("hex"));
      expect(row.score).toBeCloseTo(pUnsafe, 6);
    } finally {
      store.close();
    }

    const running = createAppHost({ home, env: { GUARDBENCH_HOME: home }, transport: "websocket" });
    try {
      const api = running.host.client();
      const settings = await api.invoke("moderation:settings", {});
      expect(settings.ok && settings.value.audited.withContent).toBeGreaterThan(0);
      const made = await api.invoke("moderation:audit-to-dataset", { n: 3, name: "traffic sample" });
      if (!made.ok) throw new Error(made.error.message);
      expect(made.value).toMatchObject({ sampled: 3, hashOnly: 0, dataset: { name: "traffic sample", items: 3, labels: { unlabeled: 3 } } });
      const queue = await api.invoke("review:queue", { datasetId: made.value.dataset.id });
      if (!queue.ok) throw new Error(queue.error.message);
      expect(queue.value.items.length).toBe(3);
    } finally {
      running.dispose();
    }
  });

  it("requires the worker's token as the API key once it has one (401 otherwise)", async () => {
    const wrong = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: "not-the-token-0000000", maxRetries: 0 });
    await expect(wrong.moderations.create({ input: "hello" })).rejects.toBeInstanceOf(AuthenticationError);
    const right = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    expectResult((await right.moderations.create({ input: "hello" })).results[0] as ModerationResult, LG3_DEFAULT);
  });

  it("answers 429 with Retry-After when the queue is full, and a client that hangs up leaves the line", async () => {
    const before = await health(open);
    const hangUp = new AbortController();
    const big = client.moderations.create({ input: Array.from({ length: QUEUE_LIMIT }, (_, i) => `queued message ${i}`) }, { signal: hangUp.signal });
    big.catch(() => undefined);
    // Two run on the engine's sequences; the rest wait, filling the queue nearly to its bound.
    await until(async () => (await health(open)).waiting >= QUEUE_LIMIT - 10);

    const refused = await client.moderations.create({ input: Array.from({ length: 20 }, () => "one more") }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitError);
    const retryAfter = Number((refused as RateLimitError).headers?.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect((refused as RateLimitError).message).toMatch(/queue is full/);

    hangUp.abort();
    await expect(big).rejects.toBeInstanceOf(APIUserAbortError);
    await until(async () => {
      const now = await health(open);
      return now.waiting === 0 && now.running === 0;
    });
    // The queued inputs were dropped, not classified for nobody.
    expect((await health(open)).completed - before.completed).toBeLessThan(QUEUE_LIMIT / 2);
    expect((await client.moderations.create({ input: "still serving" })).results[0]!.flagged).toBe(true);
  });

  it(`gives each of ${LOAD_REQUESTS} requests (${LOAD_CONCURRENCY} at once) its own answers, in order, none lost or duplicated`, async () => {
    const authorized = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    // Inputs of different lengths have different prompt lengths: the answer shows which input it belongs to.
    const textOf = (words: number) => `word${" word".repeat(words - 1)}`;
    const calibration = await authorized.moderations.create({ input: [textOf(1), textOf(2)] });
    const [one, two] = calibration.results.map((result) => (result as ModerationResult).guardbench.prompt_tokens);
    const tokensFor = (words: number) => one! + (words - 1) * (two! - one!);

    const inputsOf = (i: number) => (i % 2 === 0 ? [textOf((i % 37) + 1)] : [textOf((i % 23) + 1), textOf(((i * 7) % 31) + 1)]);
    const answers = new Map<number, { id: string; tokens: number[] }>();
    let next = 0;
    await Promise.all(
      Array.from({ length: LOAD_CONCURRENCY }, async () => {
        for (let i = next++; i < LOAD_REQUESTS; i = next++) {
          const response = await authorized.moderations.create({ input: inputsOf(i) });
          answers.set(i, { id: response.id, tokens: response.results.map((result) => (result as ModerationResult).guardbench.prompt_tokens) });
        }
      }),
    );
    expect(answers.size).toBe(LOAD_REQUESTS);
    expect(new Set([...answers.values()].map((answer) => answer.id)).size).toBe(LOAD_REQUESTS);
    for (let i = 0; i < LOAD_REQUESTS; i++) {
      const words = inputsOf(i).map((text) => text.split(" ").length);
      expect(answers.get(i)!.tokens, `request ${i}`).toEqual(words.map(tokensFor));
    }
  }, 600_000);
});

describe("POST /v1/moderations in guardbench serve", () => {
  it("answers through the model the workbench loaded, with the page's session token as the API key", async () => {
    const serveHome = join(dir, "serve-home");
    await mkdir(join(serveHome, "models", "local"), { recursive: true });
    await copyFile(model.path, join(serveHome, "models", "local", "unsafe-s3.gguf"));
    const served = await startServe({ home: serveHome, rendererDir: await writeStandInRenderer(join(dir, "renderer")) });
    try {
      const app = await AppSocket.open(served);
      const listed = await app.invoke<{ models: { id: string }[] }>("models:list", {});
      if (!listed.ok) throw new Error(listed.error.message);
      const started = await app.invoke<{ jobId: string }>("models:load", { id: listed.value.models[0]!.id, family: "llama-guard-3-1b" });
      if (!started.ok) throw new Error(started.error.message);
      expect((await app.jobDone(started.value.jobId)).result.ok).toBe(true);
      app.close();

      const viaServe = new OpenAI({ baseURL: `${served.url.origin}/v1`, apiKey: served.token!, maxRetries: 0 });
      const answer = await viaServe.moderations.create({ model: "omni-moderation-latest", input: "How do I pick a lock?" });
      expect(answer.results).toHaveLength(1);
      expectResult(answer.results[0] as ModerationResult, LG3_DEFAULT);

      const wrongKey = new OpenAI({ baseURL: `${served.url.origin}/v1`, apiKey: "not-the-session-token", maxRetries: 0 });
      await expect(wrongKey.moderations.create({ model: "omni-moderation-latest", input: "x" })).rejects.toBeInstanceOf(AuthenticationError);
    } finally {
      await served.stop();
    }
  }, 120_000);
});
