/**
 * The Datasets screen: the import wizard (a file uploaded, or a typed path confirmed → preview and mapping → bad-row
 * choice → import) and the list.
 */
import { expect, type Locator, type Page } from "@playwright/test";

export class DatasetsPage {
  constructor(readonly page: Page) {}

  pathField(): Locator {
    return this.page.getByLabel("Path to a JSON Lines, JSON or CSV file on this machine");
  }

  /** Types the path and asks for the preview; the page asks to confirm it first. */
  async typePath(path: string): Promise<Locator> {
    await this.pathField().fill(path);
    await this.page.getByRole("button", { name: "Preview", exact: true }).click();
    const confirmation = this.page.getByRole("group", { name: "Confirm the file" });
    await expect(confirmation).toContainText(path);
    return confirmation;
  }

  /** Types the path, confirms it, and returns the mapping step once it shows. */
  async preview(path: string): Promise<Locator> {
    await this.typePath(path);
    await this.page.getByRole("button", { name: "Read this file" }).click();
    const mapping = this.mappingStep();
    await expect(mapping).toBeVisible();
    return mapping;
  }

  /** Uploads the file through the browser's file input and returns the mapping step once it shows. */
  async upload(path: string): Promise<Locator> {
    await this.page.getByLabel("Upload a dataset file").setInputFiles(path);
    const mapping = this.mappingStep();
    await expect(mapping).toBeVisible();
    return mapping;
  }

  /** The error the wizard shows when a file cannot be read. */
  readError(): Locator {
    return this.page.getByRole("region", { name: "Import a file" }).getByRole("alert").filter({ hasText: "Could not read the file" });
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
