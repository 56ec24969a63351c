/** The Result panel of the Classify screen. */
import { expect, type Locator, type Page } from "@playwright/test";

export class ResultsPage {
  readonly panel: Locator;

  constructor(readonly page: Page) {
    this.panel = page.getByRole("region", { name: "Result" });
  }

  verdict(): Locator {
    return this.panel.getByRole("status", { name: /^Verdict:/ });
  }

  async waitForVerdict(): Promise<this> {
    await expect(this.verdict()).toBeVisible({ timeout: 60_000 });
    return this;
  }

  pUnsafe(): Locator {
    return this.panel.getByRole("status", { name: "P(unsafe)" });
  }

  flaggedBadge(): Locator {
    return this.panel.getByRole("status").filter({ hasText: /flagged at/i });
  }

  threshold(): Locator {
    return this.panel.getByRole("slider", { name: "Threshold" });
  }

  violatedCategories(): Locator {
    return this.panel.getByRole("list", { name: "Violated categories" });
  }

  /** A cell of the token heat map: the one region with no better role than a list of buttons. */
  token(index: number): Locator {
    return this.panel.getByTestId(`token-${index}`);
  }

  tokens(): Locator {
    return this.panel.getByRole("list", { name: "Generated tokens" }).getByRole("button");
  }

  tooltip(): Locator {
    return this.page.getByRole("tooltip");
  }

  /** the verdict with its reason and violated categories */
  verdictRegion(): Locator {
    return this.panel.getByRole("region", { name: "Verdict" });
  }

  /** one decision point of the family's answer, with each answer's probability ("Safety: Safe / Unsafe / Controversial") */
  decisionTable(label: string): Locator {
    return this.panel.getByRole("table", { name: `Decision: ${label}` });
  }

  /** a setting of the loaded model's family ("Count Controversial as flagged") */
  familySetting(label: string): Locator {
    return this.panel.getByRole("checkbox", { name: label });
  }
}
