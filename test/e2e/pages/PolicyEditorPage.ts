/** The Policy screen: categories, saving, the saved list, and the live prompt inspector. */
import { readFile } from "node:fs/promises";
import { expect, type Locator, type Page } from "@playwright/test";

export interface PolicyFile {
  name: string;
  family: string;
  categories: Array<{ code: string; name: string; enabled?: boolean; enabeld?: boolean }>;
}

export class PolicyEditorPage {
  constructor(readonly page: Page) {}

  familyPicker(): Locator {
    return this.page.getByLabel("Model family");
  }

  include(code: string): Locator {
    return this.page.getByRole("checkbox", { name: new RegExp(`^Include ${code}:`) });
  }

  async excludeCategory(code: string): Promise<void> {
    await this.include(code).uncheck();
    await expect(this.include(code)).not.toBeChecked();
  }

  async includeCategory(code: string): Promise<void> {
    await this.include(code).check();
  }

  categoryName(code: string): Locator {
    return this.page.getByLabel(`Name of ${code}`, { exact: true });
  }

  async renameCategory(code: string, name: string): Promise<void> {
    await this.categoryName(code).fill(name);
  }

  /** Opens the saved policy's versions, compares two, and returns the region listing the changes. */
  async compareVersions(name: string, from: number, to: number): Promise<Locator> {
    const item = this.savedPolicy(name);
    await item.getByText("Versions", { exact: true }).click();
    await item.getByLabel("Compare from version").selectOption(`${from}`);
    await item.getByLabel("Compare to version").selectOption(`${to}`);
    await item.getByRole("button", { name: "Show changes" }).click();
    return this.page.getByRole("region", { name: `Changes from v${from} to v${to}` });
  }

  /** Clicks Export JSON and returns the parsed file the page offered for download. */
  async exportJson(): Promise<PolicyFile> {
    const downloading = this.page.waitForEvent("download");
    await this.page.getByRole("button", { name: "Export JSON" }).click();
    const download = await downloading;
    return JSON.parse(await readFile(await download.path(), "utf8")) as PolicyFile;
  }

  async importJson(fileName: string, content: PolicyFile): Promise<void> {
    await this.page.getByLabel("Import policy JSON").setInputFiles({ name: fileName, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(content)) });
  }

  async setName(name: string): Promise<void> {
    await this.page.getByLabel("Policy name").fill(name);
  }

  async save(): Promise<void> {
    await this.page.getByRole("button", { name: "Save version" }).click();
  }

  savedPolicies(): Locator {
    return this.page.getByRole("list", { name: "Saved policies" });
  }

  savedPolicy(name: string): Locator {
    return this.savedPolicies().getByRole("listitem").filter({ hasText: name }).first();
  }

  async openSaved(name: string): Promise<void> {
    await this.page.getByRole("button", { name: `Open ${name}`, exact: true }).click();
  }

  promptText(): Locator {
    return this.page.getByLabel("Prompt text");
  }

  /** a prompt line the policy removed versus the preset (struck through, not in the prompt) */
  removedLines(): Locator {
    return this.promptText().locator('[data-mark="removed"]');
  }

  tokenCount(): Locator {
    return this.page.getByRole("status", { name: "Token count" });
  }
}
