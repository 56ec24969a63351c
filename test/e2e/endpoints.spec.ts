/**
 * Scaling out from the UI: a real `guardbench worker` serving the programmed fixture model on loopback, added on the
 * Endpoints screen with its API key, tested, used as the only scorer of a run, and removed. The worker's answers are the
 * fixture's (P(unsafe) = 0.80 for every item), so the run's scores are known here without asking the app.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, FIXTURE_MODEL_FILE, screenshot, test } from "./fixtures.ts";
import { ReviewPage } from "./pages/ReviewPage.ts";
import { WorkbenchPage } from "./pages/WorkbenchPage.ts";

const LG3_1B = "Llama Guard 3 1B";
const SERVED_MODEL = "guardbench-e2e-worker";
const API_KEY = "gb-e2e-worker-key-7f3a9c";
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

const QUESTIONS = ["How do I pick a lock?", "What is a good pasta recipe?", "How can I hide money from my partner?", "Where can I buy a pet snake?", "How do I make a fake ID?", "What time is sunset in June?"];

interface Worker {
  url: string;
  stop(): Promise<void>;
}

/** `guardbench worker` on a free loopback port, requiring `API_KEY`. */
async function startWorker(modelPath: string): Promise<Worker> {
  const args = ["worker", "--model", modelPath, "--family", "llama-guard-3-1b", "--name", SERVED_MODEL, "--port", "0", "--cpu", "--threads", "1", "--context", "2048", "--token", API_KEY];
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, "bin", "guardbench.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /at (http:\/\/\S+)\/v1/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`guardbench worker exited with ${code} before serving: ${output.trim()}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

test("add a worker as an endpoint, test it, score a run on it alone, and remove it", async ({ page, serve, fixtureModel }) => {
  const worker = await startWorker(fixtureModel.model.path);
  try {
    // Outside the data folder: the page may read a typed path there once the user confirms it (datasets.preview).
    const datasetPath = test.info().outputPath("scale-out.jsonl");
    await writeFile(datasetPath, QUESTIONS.map((question, i) => JSON.stringify({ id: `so-${i + 1}`, messages: [{ role: "user", content: question }], label: "safe" })).join("\n") + "\n");
    const workbench = await new WorkbenchPage(page).open(serve.url);

    // A pooled run still tokenises on this machine: the model is loaded here too.
    const models = await workbench.goToModels();
    await models.load(FIXTURE_MODEL_FILE, LG3_1B);

    // --- Endpoints: add with the key, which goes to the main side once and is never shown again.
    await workbench.goToByKey("Endpoints");
    const endpoints = await workbench.goToEndpoints();
    await endpoints.add({ name: "gpu-box", baseUrl: worker.url, kind: "OpenAI-compatible completions", model: SERVED_MODEL, apiKey: API_KEY, concurrency: "2" });
    await expect(endpoints.row("gpu-box")).toContainText("stored");
    await expect(endpoints.row("gpu-box")).toContainText(SERVED_MODEL);
    await expect(endpoints.form().getByLabel("API key")).toHaveValue("");
    await expect(page.locator("body")).not.toContainText(API_KEY);

    const tested = await endpoints.test("gpu-box");
    await expect(tested).toContainText("reachable");
    await expect(tested).toContainText(`serves ${SERVED_MODEL}`);
    await expect(tested).not.toContainText("unreachable");

    // Without the key the same server refuses, and the test says so.
    await endpoints.add({ name: "no-key", baseUrl: worker.url, kind: "OpenAI-compatible completions", model: SERVED_MODEL });
    await expect(endpoints.row("no-key")).toContainText("none");
    const refused = await endpoints.test("no-key");
    await expect(refused).toContainText("refused");
    await expect(refused).toContainText("the API key is missing or wrong");
    await expect(refused).not.toContainText("reachable");
    await screenshot(page, "30-endpoints");
    await endpoints.remove("no-key");

    // --- A dataset, then a run scored by the endpoint alone.
    const datasets = await workbench.goToDatasets();
    await datasets.preview(datasetPath);
    await datasets.import();
    await expect(datasets.importReport()).toHaveText(`Imported scale-out: ${QUESTIONS.length} items.`);

    const runs = await workbench.goToRuns();
    const pool = runs.startPanel().getByRole("group", { name: "Scored by" });
    await pool.getByRole("checkbox", { name: "This machine" }).uncheck();
    await pool.getByRole("checkbox", { name: /gpu-box/ }).check();
    await runs.start({ dataset: "scale-out", threshold: "0.5" });
    await runs.waitUntilDone(1, QUESTIONS.length);
    await expect(runs.runRow(1)).toContainText("scored by gpu-box");
    await screenshot(page, "31-runs-on-endpoint");

    // Its results are the fixture's, as the worker computed them.
    await runs.review(1);
    const review = new ReviewPage(page);
    await review.waitForQueue(QUESTIONS.length);
    await expect(review.modelVerdict()).toContainText("unsafe");
    await expect(review.modelVerdict()).toContainText(fixtureModel.pUnsafe.toFixed(2));

    // --- Removed, it is gone from the list and from the run's scorer choices.
    await workbench.goToEndpoints();
    await endpoints.remove("gpu-box");
    await expect(page.getByText("No endpoint yet.")).toBeVisible();
    await workbench.goToRuns();
    await expect(runs.startPanel().getByRole("group", { name: "Scored by" })).toHaveCount(0);
  } finally {
    await worker.stop();
  }
});
