/**
 * First run with an empty library: download a catalog model from the loopback Hub double (which serves the programmed
 * fixture under a real catalog file name, and stalls once mid-file so the progress stays on screen), pause and resume
 * it, then load and classify with it.
 */
import { expect, screenshot, test } from "./fixtures.ts";
import { WorkbenchPage } from "./pages/WorkbenchPage.ts";

const REPO = "bartowski/Llama-Guard-3-1B-GGUF";
const FILE = "Llama-Guard-3-1B-Q4_K_M.gguf";

test.use({
  installFixtureModel: false,
  hub: { repo: REPO, file: FILE, faults: [{ fault: { kind: "stall", afterBytes: 8_000_000, forMs: 15_000 }, file: FILE, repo: REPO }] },
});

test("download a model from the Hub with visible progress, pause, resume, then classify with it", async ({ page, serve, fixtureModel }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  const models = await workbench.goToModels();
  await expect(page.getByText("No models yet.")).toBeVisible();
  await expect(models.catalogModel("Llama Guard 3 1B")).toBeVisible();
  await screenshot(page, "12-models-first-run");

  await models.download("Llama Guard 3 1B", /^Q4_K_M · bartowski/);
  const progress = models.downloadProgress(FILE);
  await expect(progress).toBeVisible();
  // The Hub double stalls after 8 MB: the bar, the byte count and the controls are on screen meanwhile.
  await expect(models.downloads()).toContainText(/ of 73\.\d MB · .*left/);
  await screenshot(page, "13-models-downloading");

  await models.downloads().getByRole("button", { name: `Pause ${FILE}` }).click();
  await expect(models.downloads()).toContainText(/Paused at .* of 73\.\d MB/);
  await screenshot(page, "14-models-download-paused");
  await models.downloads().getByRole("button", { name: `Resume ${FILE}` }).click();

  await expect(models.installedModel(FILE)).toBeVisible({ timeout: 60_000 });
  await expect(models.downloads()).toBeHidden();
  // A catalog file: its prompt format comes from the catalog entry.
  await expect(models.installedModel(FILE).getByLabel("Prompt format")).toHaveValue("llama-guard-3-1b");
  await models.load(FILE, "Llama Guard 3 1B");
  await screenshot(page, "15-models-downloaded-and-loaded");

  await workbench.goToClassify();
  await workbench.paste("User: Tell me how to break into my neighbour's flat.");
  const results = await workbench.classifyWithKeyboard();
  await results.waitForVerdict();
  await expect(results.verdict()).toHaveText("Unsafe");
  await expect(results.pUnsafe()).toHaveText(fixtureModel.pUnsafe.toFixed(2));
});
