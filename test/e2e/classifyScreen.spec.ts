/**
 * The Classify screen as the analyst's home (issue #14): the model picked and loaded where one classifies, a verdict
 * that is never shown as current once its inputs changed, bare text as one user turn, quick exclusions that
 * re-classify, the exact prompt beside the result, and nothing lost on reload. On the programmed fixture model, which
 * answers `unsafe\nS3` with P(unsafe) = 0.8.
 */
import { expect, FIXTURE_MODEL_FILE, screenshot, test } from "./fixtures.ts";
import { WorkbenchPage } from "./pages/WorkbenchPage.ts";
import type { Page } from "@playwright/test";

// Weights read into memory rather than mapped: llama.cpp then reports its progress as it reads them.
test.use({ serveEnv: { GUARDBENCH_MMAP: "off" } });

const CHAT = ["User: How do I get into my neighbour's flat?", "", "Assistant: Ask them for a key.", "", "User: They are away. Tell me how to break the lock quietly."].join("\n");

/** Every value the load's progress bar shows, recorded as the page renders it (a load takes well under a second). */
async function recordLoadProgress(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { loadProgressSeen: number[] }).loadProgressSeen = seen;
    const record = () => {
      const bar = document.querySelector<HTMLProgressElement>('progress[aria-label^="Loading "]');
      if (bar && bar.hasAttribute("value") && seen.at(-1) !== bar.value) seen.push(bar.value);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["value"] });
  });
  return () => page.evaluate(() => (window as unknown as { loadProgressSeen: number[] }).loadProgressSeen);
}

async function loadFromPicker(page: Page): Promise<void> {
  await page.getByRole("button", { name: /^No model loaded Select a model/ }).click();
  const picker = page.getByRole("dialog", { name: "Pick a model" });
  await expect(picker).toBeVisible();
  const load = picker.getByRole("button", { name: `Load ${FIXTURE_MODEL_FILE}` });
  await expect(load).toBeVisible();
  // The fixture's header names no family the detector knows: the picker asks for the prompt format.
  const format = picker.getByLabel(`Prompt format for ${FIXTURE_MODEL_FILE}`);
  if (await format.count()) await format.selectOption("llama-guard-3-1b");
  await load.click();
  // Reading every weight (no mmap) on a busy 2-core machine can take a while.
  await expect(page.getByRole("button", { name: new RegExp(`^Model ${FIXTURE_MODEL_FILE.replace(/\./g, "\\.")}`) })).toBeVisible({ timeout: 90_000 });
}

test("pick and load the model on Classify, classify, edit a turn: the verdict is marked stale until classified again", async ({ page, serve }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  await workbench.paste(CHAT);
  const progress = await recordLoadProgress(page);
  await loadFromPicker(page);
  const seen = await progress();
  // The bar moved: it showed llama.cpp's fractions on the way to done, not just an end state.
  expect(seen.length, `progress values shown: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(2);
  expect(seen.some((value) => value > 0 && value < 1), `progress values shown: ${JSON.stringify(seen)}`).toBe(true);
  await screenshot(page, "classify-screen-01-loaded-from-picker");

  const results = await workbench.classifyWithKeyboard();
  await results.waitForVerdict();
  await expect(results.verdict()).toHaveText("Unsafe");
  await expect(page.getByText("The conversation changed since this result")).toHaveCount(0);

  await workbench.turnText(2).fill("They are away. How do I open the lock?");
  const marker = page.getByRole("status").filter({ hasText: "The conversation changed since this result — Ctrl+Enter to classify again" });
  await expect(marker).toBeVisible();
  await expect(page.getByRole("status", { name: "Verdict: Unsafe (out of date)" })).toBeVisible();
  await screenshot(page, "classify-screen-02-stale");

  await page.keyboard.press("Control+Enter");
  await expect(marker).toHaveCount(0);
  await expect(page.getByRole("status", { name: "Verdict: Unsafe" })).toBeVisible();
});

test("bare text is one user turn, and one click makes it the assistant's", async ({ page, serve }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  await workbench.paste("How do I break a lock quietly?");
  const detected = page.getByRole("status").filter({ hasText: /^Plain text/ });
  await expect(detected).toHaveText("Plain text → 1 user turn");
  await loadFromPicker(page);
  const results = await workbench.classifyWithKeyboard();
  await results.waitForVerdict();
  await expect(results.verdictRegion()).toContainText("Prompt classification (last user turn)");

  await page.getByRole("button", { name: /Make it an assistant turn/ }).click();
  await expect(detected).toHaveText("Plain text → 1 assistant turn, after an empty user turn");
  await expect(page.getByText("The conversation changed since this result")).toBeVisible();
});

test("quick exclude re-classifies, the Prompt tab shows the category gone, and a reload keeps conversation, policy draft and model", async ({ page, serve }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  await workbench.paste(CHAT);
  await loadFromPicker(page);
  const results = await workbench.classifyWithKeyboard();
  await results.waitForVerdict();
  await expect(results.verdict()).toHaveText("Unsafe");

  const promptTab = page.getByRole("tab", { name: /^Prompt/ });
  await promptTab.click();
  await expect(page.getByLabel("Exact prompt")).toContainText("S3: Sex Crimes.");
  await page.getByRole("tab", { name: /^Result/ }).click();

  await results.violatedCategories().getByRole("button", { name: "Exclude S3" }).click();
  // Classified again with S3 excluded: the model still names S3, which the policy no longer asks about.
  await expect(results.verdict()).toHaveText("Unparseable");
  await expect(results.verdictRegion()).toContainText("excluded from the policy: S3");
  await promptTab.click();
  await expect(page.getByLabel("Exact prompt")).not.toContainText("S3: Sex Crimes.");
  await expect(page.getByLabel("Exact prompt")).toContainText("S4: ");
  await screenshot(page, "classify-screen-03-quick-exclude-prompt");

  await page.reload();
  const again = new WorkbenchPage(page);
  await expect(again.turnText(2)).toHaveValue("They are away. Tell me how to break the lock quietly.");
  await expect(page.getByRole("button", { name: new RegExp(`^Model ${FIXTURE_MODEL_FILE.replace(/\./g, "\\.")}`) })).toBeVisible();
  const policy = await again.goToPolicy();
  await expect(policy.include("S3")).not.toBeChecked();
});
