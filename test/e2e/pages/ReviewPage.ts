/** The Review screen, driven by its keys: j/k move, s/u label, number keys toggle categories by code, z undoes. */
import { expect, type Locator, type Page } from "@playwright/test";

export class ReviewPage {
  constructor(readonly page: Page) {}

  queue(): Locator {
    return this.page.getByRole("list", { name: "Review queue" });
  }

  queueRows(): Locator {
    return this.queue().getByRole("listitem");
  }

  /** the panel of the item on the right ("Item <id>") */
  currentItem(itemId: string): Locator {
    return this.page.getByRole("region", { name: `Item ${itemId}`, exact: true });
  }

  /** "Label: unsafe S3 (reviewed)" under the current item */
  labelStatus(): Locator {
    return this.page.getByRole("region", { name: "Human label" }).getByRole("status");
  }

  modelVerdict(): Locator {
    return this.page.getByRole("region", { name: "Model verdict" });
  }

  category(code: string): Locator {
    return this.page.getByRole("group", { name: "Categories (for unsafe)" }).getByRole("checkbox", { name: new RegExp(`\\b${code}\\b`) });
  }

  /** the queue row of an item, found by the start of its first turn */
  row(text: string): Locator {
    return this.queueRows().filter({ hasText: text });
  }

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  undoNotice(): Locator {
    return this.page.getByText(/^Undid the (safe|unsafe) label on /);
  }

  async waitForQueue(count: number): Promise<void> {
    await expect(this.queueRows()).toHaveCount(count);
  }

  /** "213 / 450 labelled" */
  progress(): Locator {
    return this.page.getByRole("status").filter({ hasText: / labelled$/ });
  }

  progressBar(): Locator {
    return this.page.getByRole("progressbar", { name: "Labelling progress" });
  }

  /** the queue row of the n-th item (from 1), when it is in view: the list holds only the rows on screen */
  rowAt(position: number): Locator {
    return this.queue().locator(`li[aria-posinset="${position}"]`);
  }

  resultDialog(itemId: string, runId: number): Locator {
    return this.page.getByRole("dialog", { name: `Item ${itemId} of run ${runId}` });
  }
}
