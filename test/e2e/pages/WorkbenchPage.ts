/** The whole window: navigation, the Classify screen's conversation side, global shortcuts. */
import { expect, type Locator, type Page } from "@playwright/test";
import { DatasetsPage } from "./DatasetsPage.ts";
import { EndpointsPage } from "./EndpointsPage.ts";
import { EvaluationPage } from "./EvaluationPage.ts";
import { ModelsPage } from "./ModelsPage.ts";
import { PolicyEditorPage } from "./PolicyEditorPage.ts";
import { ResultsPage } from "./ResultsPage.ts";
import { ReviewPage } from "./ReviewPage.ts";
import { RunsPage } from "./RunsPage.ts";

type Screen = "Classify" | "Policy" | "Models" | "History" | "Datasets" | "Runs" | "Review" | "Evaluation" | "Endpoints";
const SCREENS: readonly Screen[] = ["Classify", "Policy", "Models", "History", "Datasets", "Runs", "Review", "Evaluation", "Endpoints"];

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

  private async goTo(screen: Screen): Promise<void> {
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

  async goToDatasets(): Promise<DatasetsPage> {
    await this.goTo("Datasets");
    return new DatasetsPage(this.page);
  }

  async goToRuns(): Promise<RunsPage> {
    await this.goTo("Runs");
    return new RunsPage(this.page);
  }

  async goToReview(): Promise<ReviewPage> {
    await this.goTo("Review");
    return new ReviewPage(this.page);
  }

  async goToEvaluation(): Promise<EvaluationPage> {
    await this.goTo("Evaluation");
    return new EvaluationPage(this.page);
  }

  async goToEndpoints(): Promise<EndpointsPage> {
    await this.goTo("Endpoints");
    return new EndpointsPage(this.page);
  }

  /** Alt+1 … Alt+9, the keyboard way to a screen. */
  async goToByKey(screen: Screen): Promise<void> {
    await this.page.keyboard.press(`Alt+${SCREENS.indexOf(screen) + 1}`);
    await expect(this.page.getByRole("heading", { name: screen, level: 1 })).toBeVisible();
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
