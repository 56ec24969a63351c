/**
 * The review queue at dataset size: a 450-item dataset labelled past item 201 and at its last item with the keyboard
 * only (the queue pages through the whole dataset, keeps only the rows in view in the page, and counts the progress),
 * Home/End/PageDown and Shift+J across pages, the selection kept across a reload, a dataset row's Run button choosing
 * that dataset, and a run's full result opened on the Review screen and closed with Esc.
 */
import { writeFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { expect, FIXTURE_MODEL_FILE, screenshot, test } from "./fixtures.ts";
import { DatasetsPage } from "./pages/DatasetsPage.ts";
import { ReviewPage } from "./pages/ReviewPage.ts";
import { WorkbenchPage } from "./pages/WorkbenchPage.ts";

const TOTAL = 450;
/** the last item labelled: past the 201st, on the third page of the queue */
const LABELLED = 205;
/** those and the dataset's last item */
const REVIEWED = LABELLED + 1;
const id = (index: number) => `q-${String(index + 1).padStart(3, "0")}`;

function jsonl(count: number, prefix: (index: number) => string, text: (index: number) => string): string {
  return `${Array.from({ length: count }, (_, index) => JSON.stringify({ id: prefix(index), messages: [{ role: "user", content: text(index) }] })).join("\n")}\n`;
}

test("labels a 450-item dataset past item 201 and at its end by keyboard, across pages, and keeps the place across a reload", async ({ page, serve }, testInfo) => {
  const big = testInfo.outputPath("queue-450.jsonl");
  const small = testInfo.outputPath("three-chats.jsonl");
  await writeFile(big, jsonl(TOTAL, id, (index) => `Question number ${index + 1}: is this safe to answer?`));
  await writeFile(small, jsonl(3, (index) => `s-${index + 1}`, (index) => `Small question ${index + 1}`));
  const workbench = await new WorkbenchPage(page).open(serve.url);

  const datasets = await workbench.goToDatasets();
  await datasets.upload(big);
  await datasets.import();
  await expect(datasets.importReport()).toHaveText(`Imported queue-450: ${TOTAL} items.`);
  await page.getByRole("button", { name: "Done" }).click();
  await datasets.upload(small);
  await datasets.import();
  await expect(datasets.importReport()).toHaveText("Imported three-chats: 3 items.");

  // --- The Run button of the older dataset chooses it, not the newest.
  await page.getByRole("button", { name: "Run a policy on queue-450" }).click();
  await expect(page.getByRole("heading", { name: "Runs", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "Start a run" }).getByLabel("Dataset")).toHaveValue(await optionValue(page, "queue-450"));

  // --- Review, labels only: the whole queue counted, the list holding only the rows in view.
  await workbench.goToDatasets();
  await page.getByRole("button", { name: "Review queue-450" }).click();
  const review = new ReviewPage(page);
  await expect(review.progress()).toHaveText(`0 / ${TOTAL} labelled`);
  await expect(review.currentItem(id(0))).toBeVisible();
  await expect(review.rowAt(1)).toHaveAttribute("aria-setsize", `${TOTAL}`);
  expect(await review.queueRows().count()).toBeLessThan(40);

  // --- Keyboard only from here. Item 1: Shift+3 ticks S13 (a category past 10, by code), u labels it unsafe.
  await review.press("Shift+Digit3");
  await expect(review.category("S13")).toBeChecked();
  await review.press("u");
  await expect(review.currentItem(id(1))).toBeVisible();
  // Items 2 … 205: s and u in turn, each moving on to the next item, across the page boundaries at 100 and 200.
  for (let index = 1; index < LABELLED; index++) {
    await review.press(index % 2 === 0 ? "u" : "s");
    await expect(review.currentItem(id(index + 1))).toBeVisible();
  }
  await expect(review.progress()).toHaveText(`${LABELLED} / ${TOTAL} labelled`);
  await expect(review.progressBar()).toHaveAttribute("value", `${LABELLED}`);
  await expect(review.rowAt(LABELLED + 1)).toHaveAttribute("aria-current", "true");
  await expect(review.rowAt(1)).toHaveCount(0);
  await expect(review.rowAt(LABELLED)).toContainText(/unsafe$/);
  await expect(review.rowAt(LABELLED)).not.toContainText("saving");
  await screenshot(page, "40-review-queue-205");

  // k goes back across nothing but keys: item 202 is labelled safe (index 201 is odd).
  await review.press("k");
  await review.press("k");
  await review.press("k");
  await review.press("k");
  await expect(review.currentItem(id(201))).toBeVisible();
  await expect(review.labelStatus()).toHaveText("Label: safe (reviewed)");

  // End, Home and PageDown reach any page; Shift+J finds the first item without a label wherever it is.
  await review.press("End");
  await expect(review.currentItem(id(TOTAL - 1))).toBeVisible();
  await expect(review.rowAt(TOTAL)).toHaveAttribute("aria-current", "true");
  // The last item of the dataset is labelled by key too: the queue's end is as reachable as its start.
  await review.press("s");
  await expect(review.progress()).toHaveText(`${REVIEWED} / ${TOTAL} labelled`);
  await expect(review.rowAt(TOTAL)).toContainText(/[^n]safe$/);
  await review.press("Home");
  await expect(review.currentItem(id(0))).toBeVisible();
  await expect(review.labelStatus()).toHaveText("Label: unsafe S13 (reviewed)");
  await review.press("PageDown");
  await expect(review.currentItem(id(10))).toBeVisible();
  await review.press("Shift+J");
  await expect(review.currentItem(id(LABELLED))).toBeVisible();
  await expect(review.labelStatus()).toHaveText("Label: unlabeled");

  // --- A reload keeps the dataset and the place: the labels are the stored ones.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Classify", level: 1 })).toBeVisible();
  await workbench.goToByKey("Review");
  await expect(review.currentItem(id(LABELLED))).toBeVisible();
  await expect(page.getByLabel("Dataset", { exact: true })).toHaveValue(await optionValue(page, "queue-450"));
  await expect(review.progress()).toHaveText(`${REVIEWED} / ${TOTAL} labelled`);

  // --- A run of the small dataset: its full result opens over Review (f) and Esc closes it.
  const models = await workbench.goToModels();
  await models.load(FIXTURE_MODEL_FILE, "Llama Guard 3 1B");
  const runs = await workbench.goToRuns();
  await runs.start({ dataset: "three-chats" });
  await runs.waitUntilDone(1, 3);
  await runs.review(1);
  await expect(review.currentItem("s-1")).toBeVisible();
  await review.press("f");
  const dialog = review.resultDialog("s-1", 1);
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("P(unsafe)");
  await expect(page.getByRole("heading", { name: "Review", level: 1 })).toBeVisible();
  await screenshot(page, "41-review-full-result");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("heading", { name: "Review", level: 1 })).toBeVisible();

  await workbench.goToByKey("Datasets");
  await expect(new DatasetsPage(page).datasetRow("queue-450")).toContainText(`${REVIEWED} reviewed`);
});

/** The value of the dataset option whose text starts with `name` (ids are the store's). */
async function optionValue(page: Page, name: string): Promise<string> {
  const option = page.locator("select option").filter({ hasText: new RegExp(`^${name}`) }).first();
  return (await option.getAttribute("value"))!;
}
