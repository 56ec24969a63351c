/** The Models screen: engine state, installed models, the catalog, downloads. */
import { expect, type Locator, type Page } from "@playwright/test";

export class ModelsPage {
  constructor(readonly page: Page) {}

  installed(): Locator {
    return this.page.getByRole("list", { name: "Installed models" });
  }

  installedModel(fileName: string): Locator {
    return this.installed().getByRole("listitem").filter({ hasText: fileName });
  }

  /** Loads an installed file with the given prompt format and waits until the engine says it is ready. */
  async load(fileName: string, familyLabel: string): Promise<void> {
    const row = this.installedModel(fileName);
    await row.getByLabel("Prompt format").selectOption({ label: familyLabel });
    await row.getByRole("button", { name: `Load ${fileName}` }).click();
    await this.waitUntilReady(fileName);
  }

  async waitUntilReady(fileName: string): Promise<void> {
    await expect(this.page.getByRole("region", { name: "Engine" }).getByRole("status")).toContainText(`Ready ${fileName}`, { timeout: 120_000 });
  }

  catalogModel(name: string): Locator {
    return this.page.getByRole("list", { name: "Catalog models" }).getByRole("listitem").filter({ has: this.page.getByRole("heading", { name, exact: true }) });
  }

  async download(modelName: string, quantLabel: RegExp): Promise<void> {
    const row = this.catalogModel(modelName);
    const quant = row.getByLabel(`Quant for ${modelName}`);
    const options = await quant.locator("option").allTextContents();
    const label = options.find((option) => quantLabel.test(option));
    if (!label) throw new Error(`no quant option matches ${quantLabel}: ${options.join(" | ")}`);
    await quant.selectOption({ label });
    await row.getByRole("button", { name: /^Download / }).click();
  }

  downloads(): Locator {
    return this.page.getByRole("region", { name: "Downloads" });
  }

  downloadProgress(file: string): Locator {
    return this.page.getByRole("progressbar", { name: `Downloading ${file}` });
  }

  recommendation(): Locator {
    return this.page.getByRole("region", { name: "Recommendation" });
  }
}
