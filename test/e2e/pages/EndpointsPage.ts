/** The Endpoints screen: the add form, the saved list with its connection tests, and removal. */
import { expect, type Locator, type Page } from "@playwright/test";

export interface EndpointForm {
  name: string;
  baseUrl: string;
  kind: "OpenAI-compatible completions" | "llama.cpp llama-server";
  model: string;
  apiKey?: string;
  concurrency?: string;
}

export class EndpointsPage {
  constructor(readonly page: Page) {}

  form(): Locator {
    return this.page.getByRole("form", { name: "Add an endpoint" });
  }

  async add(endpoint: EndpointForm): Promise<void> {
    const form = this.form();
    await form.getByLabel("Name").fill(endpoint.name);
    await form.getByLabel("Base URL").fill(endpoint.baseUrl);
    await form.getByLabel("Kind").selectOption({ label: endpoint.kind });
    await form.getByLabel("Model").fill(endpoint.model);
    if (endpoint.apiKey !== undefined) await form.getByLabel("API key").fill(endpoint.apiKey);
    if (endpoint.concurrency !== undefined) await form.getByLabel("Concurrency").fill(endpoint.concurrency);
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect(this.row(endpoint.name)).toBeVisible();
  }

  list(): Locator {
    return this.page.getByRole("table", { name: "Endpoint list" });
  }

  row(name: string): Locator {
    return this.list().getByRole("row").filter({ has: this.page.getByRole("rowheader", { name: new RegExp(`^${name}\\b`) }) });
  }

  async test(name: string): Promise<Locator> {
    await this.page.getByRole("button", { name: `Test connection to ${name}` }).click();
    return this.testResult(name);
  }

  testResult(name: string): Locator {
    return this.page.getByRole("status", { name: `Connection test of ${name}` });
  }

  async remove(name: string): Promise<void> {
    await this.page.getByRole("button", { name: `Remove ${name}` }).click();
    await this.page.getByRole("button", { name: `Confirm removing ${name}` }).click();
    await expect(this.row(name)).toHaveCount(0);
  }
}
