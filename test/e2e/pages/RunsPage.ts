/** The Runs screen: start a run over a dataset with the loaded model, follow it in the run list. */
import { expect, type Locator, type Page } from "@playwright/test";

export class RunsPage {
  constructor(readonly page: Page) {}

  startPanel(): Locator {
    return this.page.getByRole("region", { name: "Start a run" });
  }

  async start(options: { dataset: RegExp | string; threshold?: string }): Promise<void> {
    const panel = this.startPanel();
    const dataset = panel.getByLabel("Dataset");
    const options_ = await dataset.locator("option").allTextContents();
    const label = options_.find((option) => (typeof options.dataset === "string" ? option.startsWith(options.dataset) : options.dataset.test(option)));
    if (!label) throw new Error(`no dataset option matches ${options.dataset}: ${options_.join(" | ")}`);
    await dataset.selectOption({ label });
    if (options.threshold !== undefined) await panel.getByLabel("Threshold").fill(options.threshold);
    await panel.getByRole("button", { name: "Start run" }).click();
  }

  runList(): Locator {
    return this.page.getByRole("table", { name: "Run list" });
  }

  /** the row of run `id` (its first cell starts with the id) */
  runRow(id: number): Locator {
    return this.runList().getByRole("row").filter({ has: this.page.getByRole("button", { name: `Evaluate run ${id}`, exact: true }) });
  }

  progress(id: number): Locator {
    return this.page.getByRole("progressbar", { name: `Progress of run ${id}` });
  }

  async waitUntilDone(id: number, items: number): Promise<void> {
    const row = this.runRow(id);
    await expect(row.getByText("done", { exact: true })).toBeVisible({ timeout: 150_000 });
    await expect(row).toContainText(`${items} / ${items}`);
  }

  async review(id: number): Promise<void> {
    await this.page.getByRole("button", { name: `Review run ${id}`, exact: true }).click();
    await expect(this.page.getByRole("heading", { name: "Review", level: 1 })).toBeVisible();
  }

  async evaluate(id: number): Promise<void> {
    await this.page.getByRole("button", { name: `Evaluate run ${id}`, exact: true }).click();
    await expect(this.page.getByRole("heading", { name: "Evaluation", level: 1 })).toBeVisible();
  }
}
