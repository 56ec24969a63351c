/** The Datasets screen: the import wizard (path → preview and mapping → bad-row choice → import) and the list. */
import { expect, type Locator, type Page } from "@playwright/test";

export class DatasetsPage {
  constructor(readonly page: Page) {}

  pathField(): Locator {
    return this.page.getByLabel("Path to a JSON Lines, JSON or CSV file on this machine");
  }

  /** Types the path and asks for the preview; returns the mapping step once it shows. */
  async preview(path: string): Promise<Locator> {
    await this.pathField().fill(path);
    await this.page.getByRole("button", { name: "Preview", exact: true }).click();
    const mapping = this.mappingStep();
    await expect(mapping).toBeVisible();
    return mapping;
  }

  mappingStep(): Locator {
    return this.page.getByRole("region", { name: "Column mapping" });
  }

  previewRows(): Locator {
    return this.mappingStep().getByRole("table", { name: "Preview rows" });
  }

  /** the rows of the "Bad rows in the preview" (or, after the import, "Skipped rows") table, without the header */
  badRows(title: "Bad rows in the preview" | "Skipped rows"): Locator {
    return this.page.getByRole("table", { name: title }).getByRole("row").filter({ hasNot: this.page.getByRole("columnheader") });
  }

  async skipBadRows(): Promise<void> {
    await this.page.getByRole("radio", { name: "Skip it and list it" }).check();
  }

  datasetName(): Locator {
    return this.page.getByLabel("Dataset name");
  }

  async import(): Promise<void> {
    await this.mappingStep().getByRole("button", { name: "Import", exact: true }).click();
  }

  /** "Imported <name>: N items, M bad rows skipped." */
  importReport(): Locator {
    return this.page.getByRole("region", { name: "Import a file" }).getByRole("status").filter({ hasText: /^Imported / });
  }

  datasetRow(name: string): Locator {
    return this.page.getByRole("table", { name: "Datasets" }).getByRole("row").filter({ hasText: name });
  }
}
