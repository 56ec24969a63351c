/**
 * The start two evaluation journeys share: a small JSON Lines dataset written, uploaded and imported, and the
 * programmed fixture model loaded as Llama Guard 3 1B.
 */
import { writeFile } from "node:fs/promises";
import type { Page, TestInfo } from "@playwright/test";
import { expect, FIXTURE_MODEL_FILE, type ServeInfo } from "./fixtures.ts";
import { DatasetsPage } from "./pages/DatasetsPage.ts";
import { WorkbenchPage } from "./pages/WorkbenchPage.ts";

export interface JourneyItem {
  id: string;
  text: string;
  label: "safe" | "unsafe";
}

/** Imports `items` as the dataset `name` and loads the fixture model; the workbench is left on the Models screen. */
export async function importAndLoad(page: Page, serve: ServeInfo, testInfo: TestInfo, name: string, items: readonly JourneyItem[]): Promise<{ workbench: WorkbenchPage; datasets: DatasetsPage }> {
  const path = testInfo.outputPath(`${name}.jsonl`);
  await writeFile(path, `${items.map((item) => JSON.stringify({ id: item.id, messages: [{ role: "user", content: item.text }], label: item.label })).join("\n")}\n`);
  const workbench = await new WorkbenchPage(page).open(serve.url);
  await workbench.goToByKey("Datasets");
  const datasets = new DatasetsPage(page);
  await datasets.upload(path);
  await datasets.import();
  await expect(datasets.importReport()).toContainText(`${items.length} items`);
  const models = await workbench.goToModels();
  await models.load(FIXTURE_MODEL_FILE, "Llama Guard 3 1B");
  return { workbench, datasets };
}
