/** The Evaluation screen: the metric cards at the threshold, the PR curve and the histogram. */
import type { Locator, Page } from "@playwright/test";

export type MetricLabel = "Precision" | "Recall" | "F1" | "FPR" | "AUPRC";

export class EvaluationPage {
  constructor(readonly page: Page) {}

  /** the value shown under a metric's name (a <dd> after its <dt>) */
  metric(name: MetricLabel): Locator {
    return this.page.getByLabel("Metrics at the threshold").getByRole("term").filter({ hasText: new RegExp(`^${name}$`) }).locator("xpath=following-sibling::dd[1]");
  }

  threshold(): Locator {
    return this.page.getByRole("region", { name: "Metrics" }).getByRole("spinbutton", { name: "Threshold" });
  }

  /** "9 of 9 items counted (…) · tp 5 · fp 4 · tn 0 · fn 0" */
  coverage(): Locator {
    return this.page.getByRole("region", { name: "Metrics" }).getByText(/items counted/);
  }

  prCurve(): Locator {
    return this.page.getByRole("img", { name: /^Precision-recall curve/ });
  }

  histogram(): Locator {
    return this.page.getByRole("img", { name: /histogram/i });
  }
}
