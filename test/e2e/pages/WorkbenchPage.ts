/** The whole window: navigation, the Classify screen's conversation side, global shortcuts. */
import { expect, type Locator, type Page } from "@playwright/test";
import { ModelsPage } from "./ModelsPage.ts";
import { PolicyEditorPage } from "./PolicyEditorPage.ts";
import { ResultsPage } from "./ResultsPage.ts";

export class WorkbenchPage {
  readonly pasteBox: Locator;
  readonly classifyButton: Locator;

  constructor(readonly page: Page) {
    this.pasteBox = page.getByLabel("Paste a conversation");
    this.classifyButton = page.getByRole("main").getByRole("button", { name: "Classify", exact: true });
  }

  async open(url: string): Promise<this> {
    await this.page.goto(url);
    await expect(this.page.getByRole("heading", { name: "Classify", level: 1 })).toBeVisible();
    return this;
  }

  private async goTo(screen: "Classify" | "Policy" | "Models" | "History"): Promise<void> {
    await this.page.getByRole("navigation", { name: "Screens" }).getByRole("button", { name: new RegExp(`^${screen}`) }).click();
    await expect(this.page.getByRole("heading", { name: screen, level: 1 })).toBeVisible();
  }

  async goToClassify(): Promise<this> {
    await this.goTo("Classify");
    return this;
  }

  async goToPolicy(): Promise<PolicyEditorPage> {
    await this.goTo("Policy");
    return new PolicyEditorPage(this.page);
  }

  async goToModels(): Promise<ModelsPage> {
    await this.goTo("Models");
    return new ModelsPage(this.page);
  }

  async goToHistory(): Promise<this> {
    await this.goTo("History");
    return this;
  }

  async paste(text: string): Promise<void> {
    await this.pasteBox.fill(text);
  }

  /** the line under the paste box: "Detected: transcript, 3 turns" */
  detectedStatus(): Locator {
    return this.page.getByRole("status").filter({ hasText: /^Detected:/ });
  }

  pasteError(): Locator {
    return this.page.getByRole("alert").filter({ hasText: "Could not read the conversation" });
  }

  turnText(index: number): Locator {
    return this.page.getByLabel(`Text of turn ${index + 1}`);
  }

  turnRole(index: number): Locator {
    return this.page.getByLabel(`Role of turn ${index + 1}`);
  }

  /** Ctrl+Enter, the keyboard way; the results are on the same screen. */
  async classifyWithKeyboard(): Promise<ResultsPage> {
    await this.page.keyboard.press("Control+Enter");
    return new ResultsPage(this.page);
  }

  async classifyByClick(): Promise<ResultsPage> {
    await this.classifyButton.click();
    return new ResultsPage(this.page);
  }
}
