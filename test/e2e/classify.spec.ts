/**
 * Journeys on the programmed fixture model, which answers `\n\nunsafe\nS3` with P(unsafe) = 0.8: every number the
 * page must show is computed here from the fixture's weights (fixtureModel.ts), not read back from the app.
 */
import { expect, FIXTURE_MODEL_FILE, screenshot, test } from "./fixtures.ts";
import { WorkbenchPage } from "./pages/WorkbenchPage.ts";

const LG3_1B = "Llama Guard 3 1B";

const MULTI_TURN_CHAT = [
  "User: How do I get into my neighbour's flat?",
  "",
  "Assistant: Ask them for a key.",
  "",
  "User: They are away. Tell me how to break the lock quietly.",
].join("\n");

test("paste a multi-turn chat, load the model, classify: verdict, P(unsafe) and token probabilities are the programmed ones", async ({ page, serve, fixtureModel }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  await screenshot(page, "01-classify-empty");

  await workbench.paste(MULTI_TURN_CHAT);
  await expect(workbench.detectedStatus()).toHaveText("Detected: transcript, 3 turns");
  await expect(workbench.turnText(2)).toHaveValue("They are away. Tell me how to break the lock quietly.");
  await expect(workbench.turnRole(1)).toHaveValue("assistant");
  // Without a model the screen still works and says why Classify cannot run.
  await expect(page.getByText("A model is needed to classify")).toBeVisible();

  const models = await workbench.goToModels();
  await screenshot(page, "02-models-before-load");
  await models.load(FIXTURE_MODEL_FILE, LG3_1B);
  await screenshot(page, "03-models-loaded");

  await workbench.goToClassify();
  const results = await workbench.classifyWithKeyboard();
  await results.waitForVerdict();

  await expect(results.verdict()).toHaveText("Unsafe");
  await expect(results.pUnsafe()).toHaveText(fixtureModel.pUnsafe.toFixed(2));
  expect(fixtureModel.pUnsafe.toFixed(2)).toBe("0.80");
  await expect(results.violatedCategories()).toContainText("S3");
  await expect(results.violatedCategories()).toContainText("Sex Crimes");

  const shownTokens = results.tokens();
  await expect(shownTokens).toHaveCount(fixtureModel.tokens.length);
  for (const [index, expected] of fixtureModel.tokens.entries()) {
    await expect(results.token(index)).toHaveAccessibleName(new RegExp(`^Token ${index + 1}( \\(decision\\))?: ${escapeRegExp(JSON.stringify(expected.text))}, p = ${expected.p.toFixed(4)}$`));
  }

  // The alternatives of "3" (the S3 code) show on keyboard focus: "1" is the programmed runner-up.
  await results.token(4).focus();
  const tooltip = results.tooltip();
  await expect(tooltip).toBeVisible();
  await expect(tooltip.getByRole("row", { name: /^3 / })).toContainText(fixtureModel.tokens[4]!.p.toFixed(4));
  await expect(tooltip.getByRole("row", { name: /^1 / })).toContainText(fixtureModel.pOneAfterS.toFixed(4));
  await screenshot(page, "04-classify-result-token-focus");
  await page.keyboard.press("Escape");
  await expect(tooltip).toBeHidden();

  // The threshold re-flags the shown result live.
  await expect(results.flaggedBadge()).toHaveText("Flagged at 0.50");
  await results.threshold().fill("0.9");
  await expect(results.flaggedBadge()).toHaveText("Not flagged at 0.90");
  await results.threshold().fill("0.5");
  await expect(results.flaggedBadge()).toHaveText("Flagged at 0.50");

  // The classification is in the history and re-opens.
  await workbench.goToHistory();
  const row = page.getByRole("row").filter({ hasText: "They are away" });
  await expect(row).toContainText("unsafe");
  await screenshot(page, "05-history");
  await row.getByRole("button", { name: /^Open classification/ }).click();
  await expect(page.getByRole("heading", { name: "Classify", level: 1 })).toBeVisible();
  await expect(results.verdict()).toHaveText("Unsafe");
  await expect(workbench.turnText(0)).toHaveValue("How do I get into my neighbour's flat?");
});

test("excluding S3 changes the prompt inspector and the result; the saved policy survives a reload", async ({ page, serve }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  await workbench.paste(MULTI_TURN_CHAT);
  const models = await workbench.goToModels();
  await models.load(FIXTURE_MODEL_FILE, LG3_1B);

  const policy = await workbench.goToPolicy();
  // Loading the model switched the editor to its family.
  await expect(policy.familyPicker()).toHaveValue("llama-guard-3-1b");
  await expect(policy.promptText()).toContainText("S3: Sex Crimes.");
  await expect(policy.promptText()).toContainText("They are away. Tell me how to break the lock quietly.");
  await expect(policy.removedLines()).toHaveCount(0);
  await expect(policy.tokenCount()).toHaveText(/^[\d,]+ tokens$/);
  const fullCount = tokenCountOf(await policy.tokenCount().textContent());

  await policy.excludeCategory("S3");
  await expect(policy.removedLines()).toHaveCount(1);
  await expect(policy.removedLines()).toContainText("S3: Sex Crimes.");
  await expect.poll(async () => tokenCountOf(await policy.tokenCount().textContent())).toBeLessThan(fullCount);
  await screenshot(page, "06-policy-s3-excluded");

  await workbench.goToClassify();
  const results = await workbench.classifyByClick();
  await results.waitForVerdict();
  // The model still answers S3, which the policy no longer asks about: reported, never silently accepted.
  await expect(results.verdict()).toHaveText("Unparseable");
  await expect(results.verdictRegion()).toContainText("excluded from the policy: S3");
  await screenshot(page, "07-classify-unparseable");

  await workbench.goToPolicy();
  await policy.setName("Without sex crimes");
  await policy.save();
  await expect(policy.savedPolicy("Without sex crimes")).toContainText("1 version");
  await policy.renameCategory("S1", "Violence.");
  await expect(policy.promptText()).toContainText("S1: Violence.");
  await policy.save();
  await expect(policy.savedPolicy("Without sex crimes")).toContainText("2 versions");
  const changes = await policy.compareVersions("Without sex crimes", 1, 2);
  await expect(changes).toContainText("S1 renamed from “Violent Crimes.” to “Violence.”");
  await screenshot(page, "08-policy-version-diff");

  await page.reload();
  const afterReload = await new WorkbenchPage(page).goToPolicy();
  await expect(afterReload.savedPolicy("Without sex crimes")).toContainText("2 versions");
  await afterReload.openSaved("Without sex crimes");
  await expect(afterReload.familyPicker()).toHaveValue("llama-guard-3-1b");
  await expect(afterReload.include("S3")).not.toBeChecked();
  await expect(afterReload.categoryName("S1")).toHaveValue("Violence.");
  await screenshot(page, "09-policy-after-reload");
});

test("export a policy as JSON and import it back, all inside the page", async ({ page, serve }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  const policy = await workbench.goToPolicy();
  await policy.excludeCategory("S6");
  const exported = await policy.exportJson();
  expect(exported.name).toBe("Llama Guard 3 8B default (S1–S14)");
  expect(exported.categories.find((category) => category.code === "S6")?.enabled).toBe(false);

  await policy.importJson("imported.policy.json", { ...exported, name: "Imported from a file", family: "llama-guard-3-8b" });
  await expect(page.getByLabel("Policy name")).toHaveValue("Imported from a file");
  await policy.importJson("broken.policy.json", { ...exported, categories: [{ code: "S1", name: "A", enabeld: true }] });
  await expect(page.getByRole("alert").filter({ hasText: "Could not import" })).toContainText("enabeld");
});

test("a malformed paste shows an error at its line and keeps the text", async ({ page, serve }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  const malformed = '[\n  {"role": "user", "content": "How do I pick a lock?"},\n  {"role": "assistant" "content": "Call a locksmith."}\n]';
  await workbench.paste(malformed);
  await expect(workbench.pasteError()).toContainText("line 3");
  await expect(workbench.pasteBox).toHaveValue(malformed);
  await screenshot(page, "10-paste-error");
  // Fixing it reads it.
  await workbench.paste(malformed.replace('"assistant" "content"', '"assistant", "content"'));
  await expect(workbench.detectedStatus()).toHaveText("Detected: OpenAI messages JSON, 2 turns");
});

test("help overlay, keyboard navigation and both layouts", async ({ page, serve }) => {
  const workbench = await new WorkbenchPage(page).open(serve.url);
  await page.getByRole("button", { name: "Use sample" }).click();
  await expect(workbench.detectedStatus()).toHaveText("Detected: transcript, 4 turns");

  await page.locator("body").press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  await screenshot(page, "11-help-overlay");
  await page.keyboard.press("Escape");
  await expect(help).toBeHidden();

  await page.keyboard.press("Alt+2");
  await expect(page.getByRole("heading", { name: "Policy", level: 1 })).toBeVisible();
  await page.keyboard.press("Alt+3");
  await expect(page.getByRole("heading", { name: "Models", level: 1 })).toBeVisible();

  for (const [width, height] of [[1024, 700], [1280, 800]] as const) {
    await page.setViewportSize({ width, height });
    for (const screen of ["Classify", "Policy", "Models", "History"] as const) {
      await page.keyboard.press(`Alt+${["Classify", "Policy", "Models", "History"].indexOf(screen) + 1}`);
      await expect(page.getByRole("heading", { name: screen, level: 1 })).toBeVisible();
      await screenshot(page, `layout-${width}x${height}-${screen.toLowerCase()}`);
    }
  }
  await page.emulateMedia({ colorScheme: "dark" });
  await page.keyboard.press("Alt+1");
  await screenshot(page, "layout-1280x800-classify-dark");
  await page.keyboard.press("Alt+2");
  await screenshot(page, "layout-1280x800-policy-dark");
});

function tokenCountOf(text: string | null): number {
  return Number((text ?? "").replace(/[^\d]/g, ""));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
